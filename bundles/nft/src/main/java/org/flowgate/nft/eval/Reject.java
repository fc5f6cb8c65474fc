package org.flowgate.nft.eval;

import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.netdev.LocalOutput;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.Checksums;
import org.flowgate.api.packet.Packet;

/**
 * Builds the answer of {@code reject}: an ICMP destination unreachable (RFC 792), an ICMPv6
 * destination unreachable (RFC 4443) or a TCP reset (RFC 9293 3.10.7.1), into a per-thread
 * scratch packet, and hands it to {@link LocalOutput}. Never answers an ICMP error, a reset, a
 * later fragment or a packet to a broadcast or multicast address (RFC 1122 3.2.2).
 */
public final class Reject {
    public static final int ICMP_DEFAULT = 0, ICMP = 1, TCP_RESET = 2;

    private static final ThreadLocal<Packet> SCRATCH = ThreadLocal.withInitial(Packet::new);
    private static final int IP4 = 20, IP6 = 40, TCP = 20, ICMP_HDR = 8;
    private static final int ICMP4_MAX = 576, ICMP6_MAX = 1280;

    private Reject() {}

    static boolean send(Services services, Packet p, int kind, int code4, int code6) {
        LocalOutput out = services.localOutput;
        if (out == null || p.hasFlag(Packet.F_LATER_FRAGMENT) || !answerable(p)) return false;
        Packet r = SCRATCH.get();
        boolean built;
        if (kind == TCP_RESET) built = p.l4() >= 0 && p.l4Proto() == Packet.PROTO_TCP && tcpReset(p, r);
        else built = p.isIpv4() ? icmp4(p, r, code4) : p.isIpv6() && icmp6(p, r, code6);
        return built && out.send(r);
    }

    private static boolean answerable(Packet p) {
        if (p.isIpv4()) {
            int dst = p.ipv4Dst();
            if (dst == -1 || (dst >>> 28) == 0xE) return false;
            if (p.l4Proto() == Packet.PROTO_ICMP && p.l4() >= 0) {
                int t = p.icmpType();
                return t == 0 || t == 8 || t == 13 || t == 14 || t == 15 || t == 16 || t == 17 || t == 18; // queries only
            }
            return true;
        }
        if (p.isIpv6()) {
            if ((p.ipv6DstHi() >>> 56) == 0xFF) return false;
            return !(p.l4Proto() == Packet.PROTO_ICMPV6 && p.l4() >= 0 && p.icmpType() < 128);
        }
        return false;
    }

    private static void ethernet(Packet p, Packet r, int etherType) {
        r.setEthDst(p.ethSrc());
        r.setEthSrc(p.ethDst());
        r.setU16(r.start() + 12, etherType);
        r.parse();
    }

    private static void ipv4(Packet p, Packet r, int proto, int totalLength, int src, int dst) {
        int ip = r.start() + Packet.ETH_HLEN;
        byte[] b = r.array();
        r.setU8(ip, 0x45);
        r.setU8(ip + 1, 0);
        r.setU16(ip + 2, totalLength);
        r.setU16(ip + 4, 0);
        r.setU16(ip + 6, 0x4000);
        r.setU8(ip + 8, 64);
        r.setU8(ip + 9, proto);
        r.setU16(ip + 10, 0);
        r.setU32(ip + 12, src);
        r.setU32(ip + 16, dst);
        r.setU16(ip + 10, Checksums.checksum(b, ip, IP4));
    }

    private static void ipv6(Packet p, Packet r, int next, int payload) {
        int ip = r.start() + Packet.ETH_HLEN;
        r.setU32(ip, 0x6000_0000);
        r.setU16(ip + 4, payload);
        r.setU8(ip + 6, next);
        r.setU8(ip + 7, 64);
        System.arraycopy(p.array(), p.l3() + 24, r.array(), ip + 8, 16);
        System.arraycopy(p.array(), p.l3() + 8, r.array(), ip + 24, 16);
    }

    private static boolean tcpReset(Packet p, Packet r) {
        int flags = p.tcpFlags();
        if ((flags & 0x04) != 0) return false;
        int l4 = p.l4();
        int doff = (p.u8(l4 + 12) >>> 4) * 4;
        int payload = p.l3End() - l4 - doff;
        boolean v4 = p.isIpv4();
        int ipLen = v4 ? IP4 : IP6;
        r.reset(Packet.ETH_HLEN + ipLen + TCP);
        int t = r.start() + Packet.ETH_HLEN + ipLen;
        if (v4) ipv4(p, r, Packet.PROTO_TCP, IP4 + TCP, p.ipv4Dst(), p.ipv4Src());
        else ipv6(p, r, Packet.PROTO_TCP, TCP);
        r.setU16(t, p.dstPort());
        r.setU16(t + 2, p.srcPort());
        if ((flags & 0x10) != 0) {
            r.setU32(t + 4, p.u32(l4 + 8));
            r.setU32(t + 8, 0);
            r.setU8(t + 13, 0x04);
        } else {
            int ack = p.u32(l4 + 4) + payload + ((flags & 0x02) != 0 ? 1 : 0) + ((flags & 0x01) != 0 ? 1 : 0);
            r.setU32(t + 4, 0);
            r.setU32(t + 8, ack);
            r.setU8(t + 13, 0x14);
        }
        r.setU8(t + 12, (TCP / 4) << 4);
        r.setU16(t + 14, 0);
        r.setU16(t + 16, 0);
        r.setU16(t + 18, 0);
        int ip = r.start() + Packet.ETH_HLEN;
        long pseudo = v4 ? Checksums.pseudoV4(r.u32(ip + 12), r.u32(ip + 16), Packet.PROTO_TCP, TCP)
                : Checksums.pseudoV6(r.array(), ip + 8, ip + 24, Packet.PROTO_TCP, TCP);
        r.setU16(t + 16, Checksums.finish(Checksums.sum(r.array(), t, TCP, pseudo)));
        ethernet(p, r, v4 ? Packet.ETHERTYPE_IPV4 : Packet.ETHERTYPE_IPV6);
        return true;
    }

    private static boolean icmp4(Packet p, Packet r, int code) {
        int quoted = Math.min(p.ipLength(), ICMP4_MAX - IP4 - ICMP_HDR);
        int total = IP4 + ICMP_HDR + quoted;
        r.reset(Packet.ETH_HLEN + total);
        int src = localAddress4(p.inDevice(), p.ipv4Dst());
        ipv4(p, r, Packet.PROTO_ICMP, total, src, p.ipv4Src());
        int c = r.start() + Packet.ETH_HLEN + IP4;
        r.setU8(c, 3);
        r.setU8(c + 1, code);
        r.setU16(c + 2, 0);
        r.setU32(c + 4, 0);
        System.arraycopy(p.array(), p.l3(), r.array(), c + ICMP_HDR, quoted);
        r.setU16(c + 2, Checksums.checksum(r.array(), c, ICMP_HDR + quoted));
        ethernet(p, r, Packet.ETHERTYPE_IPV4);
        return true;
    }

    private static boolean icmp6(Packet p, Packet r, int code) {
        int quoted = Math.min(p.ipLength(), ICMP6_MAX - IP6 - ICMP_HDR);
        r.reset(Packet.ETH_HLEN + IP6 + ICMP_HDR + quoted);
        ipv6(p, r, Packet.PROTO_ICMPV6, ICMP_HDR + quoted);
        int ip = r.start() + Packet.ETH_HLEN;
        int c = ip + IP6;
        r.setU8(c, 1);
        r.setU8(c + 1, code);
        r.setU16(c + 2, 0);
        r.setU32(c + 4, 0);
        System.arraycopy(p.array(), p.l3(), r.array(), c + ICMP_HDR, quoted);
        long pseudo = Checksums.pseudoV6(r.array(), ip + 8, ip + 24, Packet.PROTO_ICMPV6, ICMP_HDR + quoted);
        r.setU16(c + 2, Checksums.finish(Checksums.sum(r.array(), c, ICMP_HDR + quoted, pseudo)));
        ethernet(p, r, Packet.ETHERTYPE_IPV6);
        return true;
    }

    /** The receiving interface's IPv4 address answers, as Linux's icmp_send picks; else the original destination. */
    private static int localAddress4(NetDevice in, int fallback) {
        if (in != null) {
            java.util.List<IpPrefix> as = in.addresses();
            for (int i = 0; i < as.size(); i++) if (as.get(i).address().isV4()) return as.get(i).address().v4();
        }
        return fallback;
    }
}
