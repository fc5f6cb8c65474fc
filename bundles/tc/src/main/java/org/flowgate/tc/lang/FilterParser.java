package org.flowgate.tc.lang;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.flowgate.api.conntrack.NatRange;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tc.TcException;
import org.flowgate.tc.action.Act;
import org.flowgate.tc.action.Action;
import org.flowgate.tc.action.Csum;
import org.flowgate.tc.action.CtAction;
import org.flowgate.tc.action.Devices;
import org.flowgate.tc.action.Gact;
import org.flowgate.tc.action.Mirred;
import org.flowgate.tc.action.Pedit;
import org.flowgate.tc.action.StatelessNat;
import org.flowgate.tc.action.Trackers;
import org.flowgate.tc.action.TunnelKeyAction;
import org.flowgate.tc.classify.FlowerMatch;
import org.flowgate.tc.ct.CtEngine;

/**
 * Parses {@code [tc] [filter] add dev X ingress [prio N] [handle H] [chain N] [protocol P]
 * flower|matchall [keys...] [action KIND ARGS [CONTROL]]...} into a filter, with the same keys,
 * actions, defaults and consistency checks as iproute2 and the kernel's flower. Every error names
 * the offending word.
 */
public final class FilterParser {
    /** A parsed filter; {@code prio} and {@code handle} are 0 when the command left them to the kernel. */
    public record Parsed(String device, int chain, int prio, int handle, String protocolWord, FlowerMatch match,
            String matchText, List<Action> actions, boolean skipSw, List<Integer> gotoChains) {}

    /** Which filters a {@code del} or {@code show} means; -1 for "any". */
    public record Selector(String verb, String device, int chain, int prio, int handle) {}

    private final CtEngine ct;
    private final Devices devices;
    private final Trackers trackers;

    public FilterParser(CtEngine ct, Devices devices) { this(ct, devices, new Trackers()); }

    /** @param trackers conntrack for {@code ct commit force} */
    public FilterParser(CtEngine ct, Devices devices, Trackers trackers) {
        this.ct = ct;
        this.devices = devices;
        this.trackers = trackers;
    }

    // ---- add ----

    public Parsed parseAdd(String text) throws TcException {
        Words w = new Words(text);
        w.accept("tc");
        w.accept("filter");
        if (w.accept("add", "create") == null && w.peek() != null && !w.peek().equals("dev"))
            throw w.errorNext("expected \"add\"");
        String dev = null;
        boolean ingress = false;
        int chain = 0, prio = 0, handle = 0;
        String protoWord = "all";
        int proto = -1;
        String kind = null;
        while (kind == null) {
            String k = w.next("filter kind (flower)");
            switch (k) {
                case "dev" -> dev = w.next("device name");
                case "ingress" -> ingress = true;
                case "egress", "root", "parent", "block" -> throw w.errorLast("only the ingress block of a device is supported");
                case "prio", "pref", "priority" -> prio = (int) w.number("priority", 0, 0xFFFF); // 0: automatic
                case "handle" -> handle = (int) w.number("handle", 1, 0xFFFF_FFFFL);
                case "chain" -> chain = (int) w.number("chain index", 0, Act.MAX_CHAIN);
                case "protocol", "proto" -> {
                    protoWord = w.next("protocol");
                    proto = protocol(w, protoWord);
                }
                case "flower", "matchall" -> kind = k;
                default -> throw w.errorLast("unknown filter option or kind (expected dev, ingress, prio, handle, chain, protocol, flower)");
            }
        }
        if (dev == null) throw w.errorLast("the filter needs \"dev X\" before the kind");
        if (!ingress) throw w.errorLast("the filter needs \"ingress\" before the kind");
        FlowerMatch m = new FlowerMatch();
        m.protocol = proto;
        StringBuilder mt = new StringBuilder();
        boolean skipSw = false;
        if (kind.equals("flower")) skipSw = parseFlower(w, m, mt);
        else while (w.more() && !isActionWord(w.peek())) {
            String k = w.next("key");
            switch (k) {
                case "skip_sw" -> { skipSw = true; mt.append(" skip_sw"); }
                case "skip_hw" -> mt.append(" skip_hw");
                default -> throw w.errorLast("unknown matchall option");
            }
        }
        List<Integer> gotos = new ArrayList<>();
        List<Action> actions = parseActions(w, gotos);
        return new Parsed(dev, chain, prio, handle, protoWord, m, mt.toString().trim(), actions, skipSw, gotos);
    }

    private static int protocol(Words w, String p) throws TcException {
        return switch (p.toLowerCase(Locale.ROOT)) {
            case "all" -> -1;
            case "ip" -> Packet.ETHERTYPE_IPV4;
            case "ipv6" -> Packet.ETHERTYPE_IPV6;
            case "arp" -> Packet.ETHERTYPE_ARP;
            case "802.1q" -> Packet.ETHERTYPE_VLAN;
            case "802.1ad" -> Packet.ETHERTYPE_QINQ;
            default -> {
                try {
                    long v = Words.parseNumber(p);
                    if (v < 0 || v > 0xFFFF) throw new NumberFormatException();
                    yield (int) v;
                } catch (NumberFormatException e) {
                    throw w.errorLast("unknown protocol (ip, ipv6, arp, 802.1q, 802.1ad, all or a number)");
                }
            }
        };
    }

    private static boolean isActionWord(String s) { return s.equals("action") || s.equals("actions"); }

    // ---- flower ----

    private boolean parseFlower(Words w, FlowerMatch m, StringBuilder mt) throws TcException {
        boolean skipSw = false;
        boolean vlanProto = m.protocol == Packet.ETHERTYPE_VLAN || m.protocol == Packet.ETHERTYPE_QINQ;
        int l3 = vlanProto ? -1 : m.protocol;
        while (w.more() && !isActionWord(w.peek())) {
            String k = w.next("flower key");
            switch (k) {
                case "skip_sw" -> { skipSw = true; mt.append(" skip_sw"); }
                case "skip_hw", "verbose" -> mt.append(' ').append(k);
                case "src_mac", "dst_mac" -> {
                    String v = w.next("MAC address");
                    long[] mm = mac(w, v);
                    if (k.equals("src_mac")) { m.srcMac = mm[0]; m.srcMacMask = mm[1]; } else { m.dstMac = mm[0]; m.dstMacMask = mm[1]; }
                    mt.append(' ').append(k).append(' ').append(v);
                }
                case "vlan_id", "vlan_prio", "vlan_ethtype" -> {
                    if (!vlanProto) throw w.errorLast(k + " needs \"protocol 802.1q\" or \"protocol 802.1ad\"");
                    if (k.equals("vlan_id")) m.vlanId = (int) w.number("vlan id", 0, 4095);
                    else if (k.equals("vlan_prio")) m.vlanPrio = (int) w.number("vlan priority", 0, 7);
                    else {
                        String p = w.next("ethertype");
                        int t = protocol(w, p);
                        if (t < 0) throw w.errorLast("vlan_ethtype needs a protocol, not \"all\"");
                        m.vlanEthType = t;
                        l3 = t;
                        mt.append(" vlan_ethtype ").append(p);
                        continue;
                    }
                    mt.append(' ').append(k).append(' ').append(k.equals("vlan_id") ? m.vlanId : m.vlanPrio);
                }
                case "ip_proto" -> {
                    if (l3 != Packet.ETHERTYPE_IPV4 && l3 != Packet.ETHERTYPE_IPV6) throw w.errorLast("ip_proto needs protocol ip or ipv6");
                    String p = w.next("IP protocol");
                    m.ipProto = switch (p) {
                        case "tcp" -> Packet.PROTO_TCP;
                        case "udp" -> Packet.PROTO_UDP;
                        case "icmp" -> Packet.PROTO_ICMP;
                        case "icmpv6" -> Packet.PROTO_ICMPV6;
                        case "sctp" -> 132;
                        default -> (int) numberOf(w, p, "IP protocol", 0, 255);
                    };
                    mt.append(" ip_proto ").append(p);
                }
                case "src_ip", "dst_ip" -> {
                    String v = w.next("address");
                    IpPrefix pf = prefix(w, v);
                    int fam = pf.family();
                    if (l3 != (fam == 4 ? Packet.ETHERTYPE_IPV4 : Packet.ETHERTYPE_IPV6))
                        throw w.errorLast(k + " " + v + " needs protocol " + (fam == 4 ? "ip" : "ipv6"));
                    m.family = fam;
                    IpPrefix net = pf.network();
                    if (k.equals("src_ip")) {
                        m.hasSrcIp = true; m.srcHi = net.address().hi(); m.srcLo = net.address().lo(); m.srcMaskHi = pf.maskHi(); m.srcMaskLo = pf.maskLo();
                    } else {
                        m.hasDstIp = true; m.dstHi = net.address().hi(); m.dstLo = net.address().lo(); m.dstMaskHi = pf.maskHi(); m.dstMaskLo = pf.maskLo();
                    }
                    mt.append(' ').append(k).append(' ').append(v);
                }
                case "src_port", "dst_port" -> {
                    if (m.ipProto != Packet.PROTO_TCP && m.ipProto != Packet.PROTO_UDP && m.ipProto != 132)
                        throw w.errorLast(k + " needs ip_proto tcp, udp or sctp first");
                    String v = w.next("port");
                    int dash = v.indexOf('-');
                    int lo = (int) numberOf(w, dash < 0 ? v : v.substring(0, dash), "port", 0, 65535);
                    int hi = dash < 0 ? lo : (int) numberOf(w, v.substring(dash + 1), "port", 0, 65535);
                    if (hi < lo) throw w.errorLast("port range " + v + " is empty");
                    if (k.equals("src_port")) { m.srcPortMin = lo; m.srcPortMax = hi; } else { m.dstPortMin = lo; m.dstPortMax = hi; }
                    mt.append(' ').append(k).append(' ').append(v);
                }
                case "ip_ttl", "ip_tos" -> {
                    if (l3 != Packet.ETHERTYPE_IPV4 && l3 != Packet.ETHERTYPE_IPV6) throw w.errorLast(k + " needs protocol ip or ipv6");
                    String v = w.next(k);
                    int[] vm = valueMask(w, v, 0xFF);
                    if (k.equals("ip_ttl")) { m.ipTtl = vm[0]; m.ipTtlMask = vm[1]; } else { m.ipTos = vm[0]; m.ipTosMask = vm[1]; }
                    mt.append(' ').append(k).append(' ').append(v);
                }
                case "tcp_flags" -> {
                    if (m.ipProto != Packet.PROTO_TCP) throw w.errorLast("tcp_flags needs ip_proto tcp first");
                    String v = w.next("TCP flags value[/mask]");
                    int[] vm = valueMask(w, v, 0xFFF);
                    if (vm[1] == 0) throw w.errorLast("tcp_flags mask 0 matches everything");
                    m.tcpFlags = vm[0];
                    m.tcpFlagsMask = vm[1];
                    mt.append(" tcp_flags ").append(String.format("0x%x/0x%x", vm[0], vm[1]));
                }
                case "enc_key_id" -> {
                    m.hasEnc = true;
                    m.encKeyId = (int) w.number("tunnel key id", 0, 0xFF_FFFF);
                    mt.append(" enc_key_id ").append(m.encKeyId);
                }
                case "enc_dst_port", "enc_src_port" -> {
                    m.hasEnc = true;
                    int port = (int) w.number("tunnel port", 0, 65535);
                    if (k.equals("enc_dst_port")) m.encDstPort = port; else m.encSrcPort = port;
                    mt.append(' ').append(k).append(' ').append(port);
                }
                case "enc_src_ip", "enc_dst_ip" -> {
                    String v = w.next("tunnel address");
                    IpPrefix pf = prefix(w, v);
                    if (m.encFamily != 0 && m.encFamily != pf.family()) throw w.errorLast("enc_src_ip and enc_dst_ip must be of the same family");
                    m.hasEnc = true;
                    m.encFamily = pf.family();
                    long mh = pf.maskHi(), ml = pf.maskLo();
                    long ah = pf.address().hi() & mh, al = pf.address().lo() & ml;
                    if (k.equals("enc_src_ip")) { m.encSrcHi = ah; m.encSrcLo = al; m.encSrcMaskHi = mh; m.encSrcMaskLo = ml; }
                    else { m.encDstHi = ah; m.encDstLo = al; m.encDstMaskHi = mh; m.encDstMaskLo = ml; }
                    mt.append(' ').append(k).append(' ').append(v);
                }
                case "ct_state" -> {
                    String v = w.next("ct_state flags");
                    ctState(w, v, m);
                    mt.append(" ct_state ").append(v);
                }
                case "ct_zone" -> {
                    m.ctZone = (int) w.number("ct zone", 0, 0xFFFF);
                    mt.append(" ct_zone ").append(m.ctZone);
                }
                case "ct_mark" -> {
                    String v = w.next("ct mark");
                    long[] vm = valueMask64(w, v, 0xFFFF_FFFFL);
                    m.ctMarkMask = (int) vm[1];
                    m.ctMark = (int) vm[0] & m.ctMarkMask;
                    if (m.ctMarkMask == 0) throw w.errorLast("ct_mark mask 0 matches everything");
                    mt.append(" ct_mark ").append(v);
                }
                case "ct_label" -> {
                    String v = w.next("ct label");
                    long[] l = label(w, v);
                    m.ctLabelHi = l[0] & l[2]; m.ctLabelLo = l[1] & l[3]; m.ctLabelMaskHi = l[2]; m.ctLabelMaskLo = l[3];
                    mt.append(" ct_label ").append(v);
                }
                default -> throw w.errorLast("unknown flower key");
            }
        }
        return skipSw;
    }

    /** {@code +trk+new}, {@code -trk}, ... with the kernel's {@code fl_validate_ct_state} rules. */
    private static void ctState(Words w, String v, FlowerMatch m) throws TcException {
        int value = 0, mask = 0;
        int i = 0;
        if (v.isEmpty()) throw w.errorLast("empty ct_state");
        while (i < v.length()) {
            char sign = v.charAt(i);
            if (sign != '+' && sign != '-') throw w.errorLast("ct_state flags must start with + or -");
            int j = i + 1;
            while (j < v.length() && v.charAt(j) != '+' && v.charAt(j) != '-') j++;
            String f = v.substring(i + 1, j);
            int bit = switch (f) {
                case "trk" -> FlowerMatch.CT_TRACKED;
                case "new" -> FlowerMatch.CT_NEW;
                case "est" -> FlowerMatch.CT_ESTABLISHED;
                case "rel" -> FlowerMatch.CT_RELATED;
                case "inv" -> FlowerMatch.CT_INVALID;
                case "rpl" -> FlowerMatch.CT_REPLY;
                default -> throw w.errorLast("unknown ct_state flag \"" + f + "\" (trk, new, est, rel, inv, rpl)");
            };
            mask |= bit;
            if (sign == '+') value |= bit;
            i = j;
        }
        if (value != 0 && (value & FlowerMatch.CT_TRACKED) == 0) throw w.errorLast("ct_state: without +trk no other flag may be set");
        if ((value & FlowerMatch.CT_NEW) != 0 && (value & FlowerMatch.CT_ESTABLISHED) != 0) throw w.errorLast("ct_state: new and est are mutually exclusive");
        if ((value & FlowerMatch.CT_INVALID) != 0 && (value & ~(FlowerMatch.CT_TRACKED | FlowerMatch.CT_INVALID)) != 0)
            throw w.errorLast("ct_state: when inv is set, only trk may be set");
        if ((value & FlowerMatch.CT_NEW) != 0 && (value & FlowerMatch.CT_REPLY) != 0) throw w.errorLast("ct_state: new and rpl are mutually exclusive");
        m.ctStateValue = value;
        m.ctStateMask = mask;
    }

    private static long[] mac(Words w, String v) throws TcException {
        int slash = v.indexOf('/');
        try {
            long mac = MacAddress.parse(slash < 0 ? v : v.substring(0, slash)).bits();
            long mask = 0xFFFF_FFFF_FFFFL;
            if (slash >= 0) {
                String ms = v.substring(slash + 1);
                if (ms.contains(":")) mask = MacAddress.parse(ms).bits();
                else {
                    int len = Integer.parseInt(ms);
                    if (len < 0 || len > 48) throw new IllegalArgumentException();
                    mask = len == 0 ? 0 : (0xFFFF_FFFF_FFFFL << (48 - len)) & 0xFFFF_FFFF_FFFFL;
                }
            }
            return new long[] {mac & mask, mask};
        } catch (IllegalArgumentException e) {
            throw w.errorLast("\"" + v + "\" is not a MAC address[/mask]");
        }
    }

    private static long numberOf(Words w, String s, String what, long min, long max) throws TcException {
        long v;
        try {
            v = Words.parseNumber(s);
        } catch (NumberFormatException e) {
            throw w.errorLast("\"" + s + "\" is not a valid " + what);
        }
        if (v < min || v > max) throw w.errorLast(what + " " + s + " out of range " + min + ".." + max);
        return v;
    }

    private static int[] valueMask(Words w, String v, int full) throws TcException {
        long[] r = valueMask64(w, v, full);
        return new int[] {(int) (r[0] & r[1]), (int) r[1]};
    }

    private static long[] valueMask64(Words w, String v, long full) throws TcException {
        int slash = v.indexOf('/');
        long val = numberOf(w, slash < 0 ? v : v.substring(0, slash), "value", 0, full);
        long mask = slash < 0 ? full : numberOf(w, v.substring(slash + 1), "mask", 0, full);
        return new long[] {val & mask, mask};
    }

    /** A 128-bit label in hex, optionally /mask: {hi, lo, maskHi, maskLo}. */
    private static long[] label(Words w, String v) throws TcException {
        int slash = v.indexOf('/');
        long[] val = hex128(w, slash < 0 ? v : v.substring(0, slash));
        long[] mask = slash < 0 ? new long[] {-1L, -1L} : hex128(w, v.substring(slash + 1));
        return new long[] {val[0], val[1], mask[0], mask[1]};
    }

    private static long[] hex128(Words w, String s) throws TcException {
        String h = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
        if (h.isEmpty() || h.length() > 32 || !h.chars().allMatch(c -> Character.digit(c, 16) >= 0))
            throw w.errorLast("\"" + s + "\" is not a 128-bit hex label");
        String p = "0".repeat(32 - h.length()) + h;
        return new long[] {Long.parseUnsignedLong(p.substring(0, 16), 16), Long.parseUnsignedLong(p.substring(16), 16)};
    }

    // ---- actions ----

    private List<Action> parseActions(Words w, List<Integer> gotos) throws TcException {
        List<Action> l = new ArrayList<>();
        while (w.more()) {
            String a = w.next("action");
            if (!isActionWord(a)) throw w.errorLast("expected \"action\"");
            String kind = w.next("action kind");
            int start = w.pos();
            Action act = switch (kind) {
                case "ct" -> ctAction(w, start);
                case "mirred" -> mirred(w);
                case "tunnel_key" -> tunnelKey(w, start);
                case "pedit" -> pedit(w, start);
                case "csum" -> csum(w, start);
                case "nat" -> nat(w, start);
                case "gact" -> new Gact(control(w, Act.OK));
                case "goto", "drop", "shot", "pass", "ok", "pipe", "continue", "reclassify" -> {
                    w = backOne(w);
                    yield new Gact(control(w, Act.OK));
                }
                default -> throw w.errorLast("unknown action kind (ct, mirred, tunnel_key, pedit, csum, nat, gact, goto, drop, pass, pipe, continue)");
            };
            if (Act.isGoto(act.control())) gotos.add(Act.chainOf(act.control()));
            l.add(act);
        }
        return l;
    }

    private static Words backOne(Words w) {
        w.back();
        return w;
    }

    /** An optional control word; {@code dflt} when there is none. */
    private static int control(Words w, int dflt) throws TcException {
        String c = w.accept("pipe", "pass", "ok", "drop", "shot", "continue", "reclassify", "goto", "stolen");
        if (c == null) return dflt;
        return switch (c) {
            case "pipe" -> Act.PIPE;
            case "pass", "ok" -> Act.OK;
            case "drop", "shot" -> Act.SHOT;
            case "continue" -> Act.UNSPEC;
            case "reclassify" -> Act.RECLASSIFY;
            case "stolen" -> Act.STOLEN;
            default -> {
                String ch = w.next("\"chain\" after goto");
                if (!ch.equals("chain")) throw w.errorLast("expected \"chain\" after goto");
                yield Act.gotoChain((int) w.number("chain index", 0, Act.MAX_CHAIN));
            }
        };
    }

    private static String text(Words w, int from, String kind) { return (kind + " " + w.join(from, w.pos())).trim(); }

    private Action ctAction(Words w, int start) throws TcException {
        boolean clear = false, commit = false, force = false, nat = false, setMark = false, setLabel = false;
        int zone = 0, mark = 0, markMask = 0;
        long[] label = null;
        NatRange range = null;
        int natWord = -1, markWord = -1, labelWord = -1, forceWord = -1;
        loop:
        while (w.more()) {
            switch (w.peek()) {
                case "clear" -> { w.next("clear"); clear = true; }
                case "commit" -> { w.next("commit"); commit = true; }
                case "force" -> { w.next("force"); force = true; forceWord = w.pos() - 1; }
                case "zone" -> { w.next("zone"); zone = (int) w.number("ct zone", 0, 0xFFFF); }
                case "mark" -> {
                    w.next("mark");
                    markWord = w.pos();
                    long[] vm = valueMask64(w, w.next("mark"), 0xFFFF_FFFFL);
                    setMark = true; mark = (int) vm[0]; markMask = (int) vm[1];
                }
                case "label" -> {
                    w.next("label");
                    labelWord = w.pos();
                    label = label(w, w.next("label"));
                    setLabel = true;
                }
                case "nat" -> {
                    w.next("nat");
                    natWord = w.pos() - 1;
                    nat = true;
                    range = natRange(w);
                }
                default -> { break loop; }
            }
        }
        String text = text(w, start, "ct");
        if (clear && (commit || force || nat || setMark || setLabel || zone != 0)) throw new org.flowgate.api.tc.TcException("ct clear takes no other option", "clear", start);
        if (!commit) {
            if (setMark) throw atWord(w, markWord - 1, "ct mark needs commit");
            if (setLabel) throw atWord(w, labelWord - 1, "ct label needs commit");
            if (range != null) throw atWord(w, natWord, "ct nat with an address or port range needs commit");
            if (force) throw atWord(w, forceWord, "ct force needs commit");
        }
        int control = control(w, Act.PIPE);
        return new CtAction(ct, trackers, control, clear, commit, force, zone, setMark, mark, markMask, setLabel,
                label == null ? 0 : label[0], label == null ? 0 : label[1], label == null ? 0 : label[2], label == null ? 0 : label[3],
                nat, range, text);
    }

    private static TcException atWord(Words w, int index, String message) { return new TcException(message, w.word(index), index); }

    /** {@code [src|dst] [addr A[-B]] [port P[-Q]]}; null for plain {@code nat} (apply existing NAT). */
    private static NatRange natRange(Words w) throws TcException {
        String dir = w.accept("src", "dst");
        if (dir == null) return null;
        IpAddress lo = null, hi = null;
        int plo = 0, phi = 0;
        if (w.accept("addr") != null) {
            String v = w.next("NAT address");
            int dash = v.indexOf('-');
            try {
                lo = IpAddress.parse(dash < 0 ? v : v.substring(0, dash));
                hi = dash < 0 ? lo : IpAddress.parse(v.substring(dash + 1));
                if (lo.family() != hi.family() || lo.compareTo(hi) > 0) throw new IllegalArgumentException();
            } catch (IllegalArgumentException e) {
                throw w.errorLast("\"" + v + "\" is not an address or address range");
            }
        }
        if (w.accept("port") != null) {
            String v = w.next("NAT port");
            int dash = v.indexOf('-');
            plo = (int) numberOf(w, dash < 0 ? v : v.substring(0, dash), "port", 1, 65535);
            phi = dash < 0 ? plo : (int) numberOf(w, v.substring(dash + 1), "port", 1, 65535);
            if (phi < plo) throw w.errorLast("port range " + v + " is empty");
        }
        if (lo == null && plo == 0) throw w.errorNext("nat " + dir + " needs addr or port");
        return new NatRange(dir.equals("src") ? NatRange.Kind.SNAT : NatRange.Kind.DNAT, lo, hi, plo, phi, false);
    }

    private Action mirred(Words w) throws TcException {
        String dir = w.next("egress or ingress");
        if (!dir.equals("egress") && !dir.equals("ingress")) throw w.errorLast("expected egress or ingress");
        String how = w.next("redirect or mirror");
        boolean redirect;
        if (how.equals("redirect")) redirect = true;
        else if (how.equals("mirror")) redirect = false;
        else throw w.errorLast("expected redirect or mirror");
        if (!"dev".equals(w.next("dev"))) throw w.errorLast("expected \"dev\"");
        String dev = w.next("device name");
        if (devices.get() != null && devices.byName(dev) == null) throw w.errorLast("device does not exist");
        return new Mirred(devices, control(w, redirect ? Act.STOLEN : Act.PIPE), dir.equals("ingress"), redirect, dev);
    }

    private static Action tunnelKey(Words w, int start) throws TcException {
        String op = w.next("set or unset");
        if (op.equals("unset")) return new TunnelKeyAction(control(w, Act.PIPE), true, 0, 0, 0, 0, 0, 0, true, false, "tunnel_key unset");
        if (!op.equals("set")) throw w.errorLast("expected set or unset");
        IpAddress src = null, dst = null;
        int id = 0, port = 0, tos = 0, ttl = 0, srcWord = -1;
        boolean csum = true, nofrag = false;
        loop:
        while (w.more()) {
            switch (w.peek()) {
                case "src_ip", "dst_ip" -> {
                    String k = w.next("key");
                    String v = w.next("address");
                    IpAddress a;
                    try {
                        a = IpAddress.parse(v);
                    } catch (IllegalArgumentException e) {
                        throw w.errorLast("\"" + v + "\" is not an address");
                    }
                    if (k.equals("src_ip")) { src = a; srcWord = w.pos() - 1; } else dst = a;
                }
                case "id" -> { w.next("id"); id = (int) w.number("key id (VNI)", 0, 0xFF_FFFF); }
                case "dst_port" -> { w.next("dst_port"); port = (int) w.number("destination port", 1, 65535); }
                case "tos" -> { w.next("tos"); tos = (int) w.number("tos", 0, 255); }
                case "ttl" -> { w.next("ttl"); ttl = (int) w.number("ttl", 1, 255); }
                case "csum" -> { w.next("csum"); csum = true; }
                case "nocsum" -> { w.next("nocsum"); csum = false; }
                case "nofrag" -> { w.next("nofrag"); nofrag = true; }
                default -> { break loop; }
            }
        }
        if (dst == null || (dst.hi() == 0 && dst.lo() == 0)) throw w.errorNext("tunnel_key set needs dst_ip");
        if (dst.isMulticast()) throw w.errorNext("tunnel_key set needs a unicast dst_ip");
        if (src == null) src = dst.isV4() ? IpAddress.v4(0) : IpAddress.v6(0, 0);
        if (src.family() != dst.family()) throw atWord(w, srcWord, "src_ip and dst_ip must be of the same family");
        String text = text(w, start, "tunnel_key");
        return new TunnelKeyAction(control(w, Act.PIPE), false, src, dst, id, port, tos, ttl, csum, nofrag, text);
    }

    private static Action pedit(Words w, int start) throws TcException {
        w.accept("ex");
        List<int[]> fields = new ArrayList<>();
        List<Long> values = new ArrayList<>();
        List<Boolean> adds = new ArrayList<>();
        while (w.accept("munge") != null) {
            String layer = w.next("header (eth, ip, tcp, udp)");
            String field = w.next("field");
            int f = switch (layer + " " + field) {
                case "eth dst" -> Pedit.ETH_DST;
                case "eth src" -> Pedit.ETH_SRC;
                case "ip src" -> Pedit.IP_SRC;
                case "ip dst" -> Pedit.IP_DST;
                case "ip ttl" -> Pedit.IP_TTL;
                case "ip tos", "ip dsfield" -> Pedit.IP_TOS;
                case "tcp sport" -> Pedit.TCP_SPORT;
                case "tcp dport" -> Pedit.TCP_DPORT;
                case "udp sport" -> Pedit.UDP_SPORT;
                case "udp dport" -> Pedit.UDP_DPORT;
                default -> throw w.errorLast("unsupported pedit field \"" + layer + " " + field + "\"");
            };
            String op = w.next("set, add or dec");
            boolean add;
            long v;
            if (op.equals("dec") && f == Pedit.IP_TTL) { add = true; v = 0xFF; }
            else if (op.equals("set") || (op.equals("add") && f == Pedit.IP_TTL)) {
                add = op.equals("add");
                String s = w.next("value");
                v = switch (f) {
                    case Pedit.ETH_DST, Pedit.ETH_SRC -> {
                        try { yield MacAddress.parse(s).bits(); } catch (IllegalArgumentException e) { throw w.errorLast("\"" + s + "\" is not a MAC address"); }
                    }
                    case Pedit.IP_SRC, Pedit.IP_DST -> {
                        try {
                            IpAddress a = IpAddress.parse(s);
                            if (!a.isV4()) throw new IllegalArgumentException();
                            yield a.lo();
                        } catch (IllegalArgumentException e) { throw w.errorLast("\"" + s + "\" is not an IPv4 address"); }
                    }
                    case Pedit.IP_TTL, Pedit.IP_TOS -> numberOf(w, s, "value", 0, 255);
                    default -> numberOf(w, s, "port", 0, 65535);
                };
            } else throw w.errorLast("expected set" + (f == Pedit.IP_TTL ? ", add or dec" : ""));
            fields.add(new int[] {f});
            values.add(v);
            adds.add(add);
        }
        if (fields.isEmpty()) throw w.errorNext("pedit needs at least one \"munge\"");
        int[] fa = new int[fields.size()];
        long[] va = new long[fa.length];
        boolean[] aa = new boolean[fa.length];
        for (int i = 0; i < fa.length; i++) { fa[i] = fields.get(i)[0]; va[i] = values.get(i); aa[i] = adds.get(i); }
        String text = text(w, start, "pedit");
        return new Pedit(control(w, Act.OK), fa, va, aa, text);
    }

    private static Action csum(Words w, int start) throws TcException {
        int what = 0;
        loop:
        while (w.more()) {
            switch (w.peek()) {
                case "iph", "ip4h" -> what |= Csum.IPH;
                case "tcp" -> what |= Csum.TCP;
                case "udp" -> what |= Csum.UDP;
                case "icmp" -> what |= Csum.ICMP;
                case "and" -> { }
                default -> { break loop; }
            }
            w.next("csum target");
        }
        if (what == 0) throw w.errorNext("csum needs a target (iph, tcp, udp, icmp)");
        String text = text(w, start, "csum");
        return new Csum(control(w, Act.OK), what, text);
    }

    private static Action nat(Words w, int start) throws TcException {
        String dir = w.next("ingress or egress");
        if (!dir.equals("ingress") && !dir.equals("egress")) throw w.errorLast("expected ingress or egress");
        String o = w.next("old address");
        IpPrefix old;
        IpAddress now;
        try {
            old = IpPrefix.parse(o);
            if (old.family() != 4) throw new IllegalArgumentException();
        } catch (IllegalArgumentException e) {
            throw w.errorLast("\"" + o + "\" is not an IPv4 address or prefix");
        }
        String n = w.next("new address");
        try {
            now = IpAddress.parse(n);
            if (!now.isV4()) throw new IllegalArgumentException();
        } catch (IllegalArgumentException e) {
            throw w.errorLast("\"" + n + "\" is not an IPv4 address");
        }
        String text = text(w, start, "nat");
        return new StatelessNat(control(w, Act.OK), dir.equals("egress"), (int) old.address().lo(), old.length(), (int) now.lo(), text);
    }

    // ---- del / show ----

    /**
     * {@code [tc] [filter] del|show dev X [ingress] [prio N] [chain N] [handle H] [protocol P] [flower]}.
     */
    public static Selector parseSelector(String text) throws TcException {
        Words w = new Words(text);
        w.accept("tc");
        w.accept("filter");
        String verb = w.accept("del", "delete", "show", "list", "ls");
        if (verb == null) throw w.errorNext("expected del or show");
        verb = verb.startsWith("del") ? "del" : "show";
        String dev = null;
        int chain = -1, prio = -1, handle = -1;
        while (w.more()) {
            String k = w.next("option");
            switch (k) {
                case "dev" -> dev = w.next("device name");
                case "ingress", "flower", "matchall" -> { }
                case "prio", "pref", "priority" -> prio = (int) w.number("priority", 1, 0xFFFF);
                case "chain" -> chain = (int) w.number("chain index", 0, Act.MAX_CHAIN);
                case "handle" -> handle = (int) w.number("handle", 1, 0xFFFF_FFFFL);
                case "protocol", "proto" -> protocol(w, w.next("protocol"));
                case "egress", "root", "parent", "block" -> throw w.errorLast("only the ingress block of a device is supported");
                default -> throw w.errorLast("unknown option (dev, ingress, prio, chain, handle, protocol)");
            }
        }
        if (dev == null && verb.equals("del")) throw w.errorNext("filter del needs \"dev X\"");
        if (handle >= 0 && prio < 0 && verb.equals("del")) throw w.errorNext("a handle needs \"prio N\" to delete");
        return new Selector(verb, dev, chain, prio, handle);
    }

    /** The word just read, {@code v}, as an address or prefix ({@code 10.0.0.0/8}, {@code 2001:db8::1}). */
    private static IpPrefix prefix(Words w, String v) throws TcException {
        try {
            return IpPrefix.parse(v);
        } catch (IllegalArgumentException e) {
            throw w.errorLast("\"" + v + "\" is not an address or prefix");
        }
    }
}
