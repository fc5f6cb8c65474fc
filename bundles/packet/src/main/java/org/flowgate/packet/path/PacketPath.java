package org.flowgate.packet.path;

import java.util.function.LongSupplier;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.DropReason;
import org.flowgate.api.packet.Packet;
import org.flowgate.packet.device.AddressSet;
import org.flowgate.packet.device.Device;
import org.flowgate.packet.device.DeviceTable;
import org.flowgate.packet.fib.Fib;
import org.flowgate.packet.fib.FibEntry;
import org.flowgate.packet.frame.Frames;
import org.flowgate.packet.hook.HookChains;
import org.flowgate.packet.icmp.Icmp;
import org.flowgate.packet.icmp.IcmpRateLimiter;
import org.flowgate.packet.icmp.TcpReset;
import org.flowgate.packet.neigh.Arp;
import org.flowgate.packet.neigh.Ndp;
import org.flowgate.packet.neigh.NeighbourCache;
import org.flowgate.packet.neigh.NeighbourIo;
import org.flowgate.packet.stats.Lanes;

/**
 * The classic forwarding path, one received frame at a time, in the order Linux runs it:
 *
 * <pre>
 * rx -> parse -> INGRESS -> L2 filter -> ARP | IP: PREROUTING -> route
 *   local:   INPUT -> ICMP echo / NDP / unreachable (or RST)
 *   forward: TTL -> MTU (DF, IPv6) -> TTL-1 -> FORWARD -> POSTROUTING -> fragment -> neighbour -> MAC rewrite -> tx
 * router-originated: OUTPUT -> POSTROUTING -> neighbour -> tx
 * </pre>
 *
 * Thread-safe: any number of port threads may call {@link #receive} at once. Nothing here
 * allocates per packet; frames the router builds go into per-thread scratch buffers.
 */
public final class PacketPath implements NeighbourIo {
    /** How the frame was addressed at layer 2 (Linux skb->pkt_type). */
    static final int HOST = Packet.PACKET_HOST, BROADCAST = Packet.PACKET_BROADCAST, MULTICAST = Packet.PACKET_MULTICAST,
            OTHERHOST = Packet.PACKET_OTHERHOST;

    /** Per-thread buffers for frames the router builds while handling one received frame. */
    private static final class Scratch {
        final Packet icmp = new Packet();   // echo replies, ICMP errors, TCP resets
        final Packet nd = new Packet();     // neighbour advertisements answering a solicitation
        final Packet probe = new Packet();  // ARP requests and neighbour solicitations
        final Packet frag = new Packet();   // IPv4 fragments
        final Packet local = new Packet();  // packets other bundles originate (LocalOutput)
        boolean localBusy;
        /** What the last batch's prefetch loaded (kept, so the loads are not optimized away). */
        long prefetched;
        /** Sends made from inside a send (a tunnel device's outer packet), run when it returns; null until a send nests. */
        NestedSends nested;
    }

    /** Sends nested in one {@link #sendLocal} at most, as Linux's {@code XMIT_RECURSION_LIMIT}. */
    public static final int LOCAL_NEST_LIMIT = 8;

    private final DeviceTable devices;
    private final Fib fib;
    private final NeighbourCache neighbours;
    private final HookChains hooks;
    private final LongSupplier clock;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
    private volatile PathSettings settings;
    private volatile IcmpRateLimiter icmpLimiter;

    public PacketPath(DeviceTable devices, Fib fib, NeighbourCache neighbours, HookChains hooks, PathSettings settings, LongSupplier clock) {
        this.devices = devices;
        this.fib = fib;
        this.neighbours = neighbours;
        this.hooks = hooks;
        this.clock = clock;
        setSettings(settings);
        neighbours.setIo(this);
    }

    public void setSettings(PathSettings s) {
        settings = s;
        icmpLimiter = new IcmpRateLimiter(s.icmpRatePerSecond(), s.icmpBurst());
    }

    public PathSettings settings() { return settings; }

    // ================================================================ receive

    /** One frame received on {@code in}. The packet is the port's buffer and may be rewritten. */
    public void receive(Device in, Packet p) { receive(in, p, false); }

    /**
     * A frame another device handed to {@code in} ({@code NetDevice.receive}, tc's {@code mirred
     * ingress}): received as from {@code in}'s wire, but with the packet type decided where it
     * first arrived, as Linux's act_mirred leaves {@code skb->pkt_type} alone.
     */
    public void receiveRedirected(Device in, Packet p) { receive(in, p, true); }

    /**
     * Frames received together on {@code in}, in order. When an ingress hook prefetches (a flow
     * table), every frame is first taken in (taps, counters, parse), then the hooks load what each
     * will need, then each goes its way as {@link #receive(Device, Packet)} would send it: the
     * memory accesses of the batch overlap instead of following each other.
     */
    public void receive(Device in, Packet[] frames, int count) {
        if (count == 1 || !hooks.prefetches(Hook.INGRESS)) {
            for (int i = 0; i < count; i++) receive(in, frames[i], false);
            return;
        }
        for (int i = 0; i < count; i++) {
            Packet p = frames[i];
            p.setInDevice(null); // set again by a frame that is taken in: the mark of the ones to go on
            takeIn(in, p, false);
        }
        long loaded = 0;
        for (int i = 0; i < count; i++) if (frames[i].inDevice() == in) loaded += hooks.prefetch(Hook.INGRESS, frames[i]);
        scratch.get().prefetched = loaded;
        for (int i = 0; i < count; i++) if (frames[i].inDevice() == in) fromIngress(in, frames[i]);
    }

    private void receive(Device in, Packet p, boolean redirected) {
        if (takeIn(in, p, redirected)) fromIngress(in, p);
    }

    /** Taps, counts and parses a received frame; false when it was dropped (link down, malformed). */
    private boolean takeIn(Device in, Packet p, boolean redirected) {
        in.tapReceived(p);
        in.counterSet().rx(Lanes.claim(), p.length()); // a receiving thread gets a counter lane of its own
        if (!in.isUp()) { in.drop(DropReason.LINK_DOWN); return false; }
        DropReason bad = p.parse();
        if (bad != null) { in.drop(bad); return false; }
        p.setInDevice(in);
        // eth_type_trans: decided once, before INGRESS (a tc pedit of the destination MAC does not change it)
        if (!redirected || p.pktType() < 0) p.setPktType(classify(in, p.ethDst()));
        return true;
    }

    /** A frame taken in, from its ingress hooks on. */
    private void fromIngress(Device in, Packet p) {
        if (!hook(Hook.INGRESS, p, in)) return;

        int l2 = p.pktType();
        if (l2 == OTHERHOST) { in.drop(DropReason.NOT_FOR_US); return; }
        if (p.vlanTci() >= 0) {
            // no VLAN devices: only priority-tagged frames (VID 0) belong to the untagged device
            if (p.vlanId() != 0 || p.hasFlag(Packet.F_QINQ)) { in.drop(DropReason.UNSUPPORTED_ETHERTYPE); return; }
            p.popVlan();
        }
        switch (p.etherType()) {
            case Packet.ETHERTYPE_ARP -> { arp(in, p); return; }
            case Packet.ETHERTYPE_IPV4, Packet.ETHERTYPE_IPV6 -> { }
            default -> { in.drop(DropReason.UNSUPPORTED_ETHERTYPE); return; }
        }
        p.truncate(p.l3End() - p.start()); // Ethernet padding is not part of the packet
        if (!hook(Hook.PREROUTING, p, in)) return;

        if (p.isIpv4()) routeV4(in, p, l2);
        else routeV6(in, p, l2);
    }

    /** Ends a port's batch: pushes out whatever any device queued. */
    public void endOfBatch() { devices.flushPending(); }

    private static int classify(Device in, long dst) {
        if (dst == in.macBits()) return HOST;
        if (dst == Frames.BROADCAST_MAC) return BROADCAST;
        if ((dst & 0x0100_0000_0000L) != 0) return in.acceptsMulticast(dst) ? MULTICAST : OTHERHOST;
        return OTHERHOST;
    }

    private void arp(Device in, Packet p) {
        if (Arp.receive(in, p, neighbours, clock.getAsLong())) in.transmit(p);
    }

    // ================================================================ routing decision

    private void routeV4(Device in, Packet p, int l2) {
        int src = p.ipv4Src(), dst = p.ipv4Dst();
        if (martianV4(src) || devices.isLocalV4(src)) { in.drop(DropReason.MARTIAN_SOURCE); return; }
        FibEntry srcRoute = fib.lookupEntry(IpAddress.IPV4, 0, src & 0xFFFF_FFFFL);
        if (srcRoute != null && srcRoute.kind == FibEntry.BROADCAST) { in.drop(DropReason.MARTIAN_SOURCE); return; }
        if (dst == 0 || (dst >>> 24) == 127) { in.drop(DropReason.NO_ROUTE); return; } // martian destination
        if ((dst >>> 28) == 0xE) { // multicast: we only belong to 224.0.0.1 (all hosts)
            if (dst != 0xE000_0001) { in.drop(DropReason.NOT_FOR_US); return; }
            if (hook(Hook.INPUT, p, in)) local(in, p, l2, true);
            return;
        }
        FibEntry r = fib.lookupEntry(IpAddress.IPV4, 0, dst & 0xFFFF_FFFFL);
        if (r != null && r.kind != FibEntry.UNICAST) {
            if (hook(Hook.INPUT, p, in)) local(in, p, l2, r.kind == FibEntry.BROADCAST);
            return;
        }
        if (l2 != HOST || !settings.forwarding()) { in.drop(DropReason.NOT_FOR_US); return; }
        if (r == null) {
            icmpError(in, p, Icmp.DEST_UNREACH, Icmp.NET_UNREACH, 0);
            in.drop(DropReason.NO_ROUTE);
            return;
        }
        forward(in, p, r);
    }

    private static boolean martianV4(int src) {
        return src == 0 || src == -1 || (src >>> 28) == 0xE || (src >>> 24) == 127 || (src >>> 24) == 0;
    }

    private void routeV6(Device in, Packet p, int l2) {
        long sHi = p.ipv6SrcHi(), sLo = p.ipv6SrcLo(), dHi = p.ipv6DstHi(), dLo = p.ipv6DstLo();
        boolean dstMulticast = (dHi >>> 56) == 0xFF;
        boolean srcUnspecified = sHi == 0 && sLo == 0;
        if ((sHi >>> 56) == 0xFF || (sHi == 0 && sLo == 1) || (srcUnspecified && !dstMulticast)
                || devices.isLocalV6(sHi, sLo)) {
            in.drop(DropReason.MARTIAN_SOURCE);
            return;
        }
        if (dHi == 0 && (dLo == 0 || dLo == 1)) { in.drop(DropReason.NO_ROUTE); return; }
        if (dstMulticast) {
            boolean joined = dHi == 0xFF02_0000_0000_0000L
                    && (dLo == 1 || dLo == 2 || (Ndp.isSolicitedNodeGroup(dHi, dLo) && in.addressSet().isSolicitedNode(dLo)));
            if (!joined) { in.drop(DropReason.NOT_FOR_US); return; }
            if (hook(Hook.INPUT, p, in)) local(in, p, l2, false);
            return;
        }
        if (AddressSet.isLinkLocal(dHi)) { // link-local: ours on this link, or nobody's business
            if (!in.addressSet().hasV6(dHi, dLo)) { in.drop(DropReason.NOT_FOR_US); return; }
            if (hook(Hook.INPUT, p, in)) local(in, p, l2, false);
            return;
        }
        FibEntry r = fib.lookupEntry(IpAddress.IPV6, dHi, dLo);
        if (r != null && r.kind == FibEntry.LOCAL) {
            if (hook(Hook.INPUT, p, in)) local(in, p, l2, false);
            return;
        }
        if (l2 != HOST || !settings.forwarding()) { in.drop(DropReason.NOT_FOR_US); return; }
        if (AddressSet.isLinkLocal(sHi)) {
            icmpError(in, p, Icmp.V6_DEST_UNREACH, Icmp.V6_BEYOND_SCOPE, 0);
            in.drop(DropReason.NO_ROUTE);
            return;
        }
        if (r == null) {
            icmpError(in, p, Icmp.V6_DEST_UNREACH, Icmp.V6_NO_ROUTE, 0);
            in.drop(DropReason.NO_ROUTE);
            return;
        }
        forward(in, p, r);
    }

    // ================================================================ forward

    private void forward(Device in, Packet p, FibEntry r) {
        Device out = devices.device(r.ifIndex);
        if (out == null) { in.drop(DropReason.NO_ROUTE); return; }
        if (!out.isUp()) { in.drop(DropReason.LINK_DOWN); return; }
        boolean v4 = p.isIpv4();
        long nhHi = r.hasGateway ? r.gwHi : p.dstHi();
        long nhLo = r.hasGateway ? r.gwLo : p.dstLo();

        if (p.ttl() <= 1) {
            icmpError(in, p, v4 ? Icmp.TIME_EXCEEDED : Icmp.V6_TIME_EXCEEDED, 0, 0);
            in.drop(DropReason.TTL_EXCEEDED);
            return;
        }
        int mtu = out.mtu();
        if (p.ipLength() > mtu) {
            if (!v4) {
                icmpError(in, p, Icmp.V6_PACKET_TOO_BIG, 0, mtu);
                in.drop(DropReason.MTU_EXCEEDED);
                return;
            }
            if ((p.u16(p.l3() + 6) & 0x4000) != 0) { // DF: the sender does path MTU discovery
                icmpError(in, p, Icmp.DEST_UNREACH, Icmp.FRAG_NEEDED, mtu & 0xFFFF);
                in.drop(DropReason.MTU_EXCEEDED);
                return;
            }
            // otherwise fragmented after POSTROUTING, as ip_finish_output does
        }
        decrementTtl(p);
        p.setOutDevice(out);
        p.setNextHop(nhHi, nhLo);
        if (!hook(Hook.FORWARD, p, in)) return;
        if (!hook(Hook.POSTROUTING, p, in)) return;
        transmit(p, out, v4 ? IpAddress.IPV4 : IpAddress.IPV6, p.nextHopHi(), p.nextHopLo(), in);
    }

    /** TTL / hop limit minus one; the IPv4 header checksum is updated incrementally (RFC 1624). */
    static void decrementTtl(Packet p) {
        int l3 = p.l3();
        if (p.isIpv4()) {
            int old = p.u16(l3 + 8);            // TTL and protocol share one 16-bit word
            int now = old - 0x0100;
            p.setU16(l3 + 8, now);
            p.setU16(l3 + 10, org.flowgate.api.packet.Checksums.update16(p.u16(l3 + 10), old, now));
        } else {
            p.setU8(l3 + 7, p.u8(l3 + 7) - 1);
        }
    }

    // ================================================================ local delivery

    /** A packet for the router itself. {@code ipBroadcast}: sent to a broadcast or multicast address. */
    private void local(Device in, Packet p, int l2, boolean ipBroadcast) {
        if (p.hasFlag(Packet.F_FRAGMENT)) { in.drop(DropReason.UNREACHABLE_LOCAL); return; } // no reassembly: nothing local needs it
        if (p.l4() < 0) { in.drop(DropReason.MALFORMED_L4); return; }
        int proto = p.l4Proto();
        boolean v4 = p.isIpv4();
        if (proto == Packet.PROTO_ICMP && v4) { icmpV4(in, p, l2, ipBroadcast); return; }
        if (proto == Packet.PROTO_ICMPV6 && !v4) { icmpV6(in, p); return; }
        if ((proto == Packet.PROTO_UDP || proto == Packet.PROTO_TCP) && !Frames.l4ChecksumOk(p)) {
            in.drop(DropReason.MALFORMED_L4);
            return;
        }
        in.drop(DropReason.UNREACHABLE_LOCAL);
        if (ipBroadcast || l2 != HOST) return; // never answer broadcasts
        if (proto == Packet.PROTO_TCP) {
            if (!TcpReset.allowed(p)) return;
            Packet out = scratch.get().icmp;
            TcpReset.build(p, out);
            output(out, in);
        } else if (proto == Packet.PROTO_UDP) {
            icmpError(in, p, v4 ? Icmp.DEST_UNREACH : Icmp.V6_DEST_UNREACH, v4 ? Icmp.PORT_UNREACH : Icmp.V6_PORT_UNREACH, 0);
        } else if (v4) {
            icmpError(in, p, Icmp.DEST_UNREACH, Icmp.PROT_UNREACH, 0);
        } else {
            // parameter problem, unrecognized next header, pointing at the Next Header field carrying it
            icmpError(in, p, Icmp.V6_PARAM_PROBLEM, Icmp.V6_UNKNOWN_NEXT_HEADER, nextHeaderPointer(p));
        }
    }

    private void icmpV4(Device in, Packet p, int l2, boolean ipBroadcast) {
        if (!Frames.l4ChecksumOk(p)) { in.drop(DropReason.MALFORMED_L4); return; }
        if (p.icmpType() != Icmp.ECHO_REQUEST) return; // replies and errors: no local socket wants them
        if (ipBroadcast || l2 != HOST) return;         // icmp_echo_ignore_broadcasts
        Packet out = scratch.get().icmp;
        Icmp.echoReplyV4(p, out, p.ipv4Dst());
        output(out, in);
    }

    private void icmpV6(Device in, Packet p) {
        int type = p.icmpType();
        long now = clock.getAsLong();
        switch (type) {
            case Icmp.V6_NS, Icmp.V6_NA, Icmp.V6_RS -> {
                if (!Ndp.valid(p)) { in.drop(DropReason.MALFORMED_L4); return; }
                if (type == Icmp.V6_NA) Ndp.advertisement(in, p, neighbours, now);
                else if (type == Icmp.V6_RS) Ndp.routerSolicitation(in, p, neighbours, now);
                else {
                    Packet out = scratch.get().nd;
                    if (Ndp.solicitation(in, p, out, neighbours, now)) output(out, in);
                }
            }
            case Icmp.V6_ECHO_REQUEST -> {
                if (!Frames.l4ChecksumOk(p)) { in.drop(DropReason.MALFORMED_L4); return; }
                long dHi = p.ipv6DstHi(), dLo = p.ipv6DstLo();
                long sHi = dHi, sLo = dLo;
                if ((dHi >>> 56) == 0xFF) { // to a group: answer from our own address on this link
                    AddressSet a = in.addressSet();
                    int i = a.v6SourceIndex(p.ipv6SrcHi(), p.ipv6SrcLo());
                    if (i < 0) return;
                    sHi = a.v6Hi(i);
                    sLo = a.v6Lo(i);
                }
                Packet out = scratch.get().icmp;
                Icmp.echoReplyV6(p, out, sHi, sLo);
                output(out, in);
            }
            default -> {
                if (!Frames.l4ChecksumOk(p)) in.drop(DropReason.MALFORMED_L4);
            }
        }
    }

    /** Offset from the IPv6 header of the Next Header field that named the unknown protocol. */
    private static int nextHeaderPointer(Packet p) {
        int l3 = p.l3();
        if (!p.hasFlag(Packet.F_IPV6_EXT)) return 6;
        int next = p.u8(l3 + 6), o = l3 + 40, field = l3 + 6;
        while (o < p.l4() && (next == 0 || next == 43 || next == 60 || next == 44 || next == 51)) {
            field = o;
            int len = next == 44 ? 8 : next == 51 ? (p.u8(o + 1) + 2) * 4 : (p.u8(o + 1) + 1) * 8;
            next = p.u8(o);
            o += len;
        }
        return field - l3;
    }

    // ================================================================ router-originated packets

    /**
     * Sends a packet the router built (no Ethernet addresses yet): route, OUTPUT, POSTROUTING,
     * neighbour, transmit. Link-local and multicast IPv6 destinations leave through {@code link}.
     */
    boolean output(Packet p, Device link) {
        if (p.parse() != null) return false;
        int fam = p.isIpv4() ? IpAddress.IPV4 : IpAddress.IPV6;
        long dHi = p.dstHi(), dLo = p.dstLo();
        Device out;
        long nhHi = dHi, nhLo = dLo;
        if (fam == IpAddress.IPV6 && ((dHi >>> 56) == 0xFF || AddressSet.isLinkLocal(dHi))) {
            out = link;
        } else {
            FibEntry r = fib.lookupEntry(fam, dHi, dLo);
            if (r == null || r.kind != FibEntry.UNICAST) return false; // nowhere to send it
            out = devices.device(r.ifIndex);
            if (r.hasGateway) { nhHi = r.gwHi; nhLo = r.gwLo; }
        }
        if (out == null) return false;
        p.setInDevice(null);
        p.setOutDevice(out);
        p.setNextHop(nhHi, nhLo);
        if (!hook(Hook.OUTPUT, p, out)) return false;
        if (!hook(Hook.POSTROUTING, p, out)) return false;
        if (fam == IpAddress.IPV6 && p.ipLength() > out.mtu()) { out.drop(DropReason.MTU_EXCEEDED); return false; }
        transmit(p, out, fam, p.nextHopHi(), p.nextHopLo(), out);
        return true;
    }

    /**
     * {@link org.flowgate.api.netdev.LocalOutput}: a packet another bundle built (the reply of an nft
     * {@code reject}) leaves like one of ours. Copied first: the caller reuses its buffer.
     * <p>A send made while one is running on this thread (a vxlan device encapsulating a
     * router-originated packet routed into it sends its outer packet from inside the first send)
     * is copied into a per-thread queue and sent, in order, on this thread once the running send
     * has returned; it returns true (queued). At most {@value #LOCAL_NEST_LIMIT} such sends per
     * outermost send: more (a tunnel routed into another and back) are refused (false).
     */
    public boolean sendLocal(Packet p) {
        Scratch s = scratch.get();
        if (s.localBusy) return queueNested(s, p);
        s.localBusy = true;
        try {
            s.local.copyFrom(p);
            boolean ok = output(s.local, p.inDevice() instanceof Device d ? d : null);
            if (s.nested != null) { // ends: at most LOCAL_NEST_LIMIT are ever queued per outermost send
                for (Packet q = s.nested.poll(); q != null; q = s.nested.poll()) {
                    s.local.copyFrom(q);
                    output(s.local, q.inDevice() instanceof Device d ? d : null);
                }
            }
            return ok;
        } finally {
            if (s.nested != null) s.nested.reset();
            s.localBusy = false;
        }
    }

    private static boolean queueNested(Scratch s, Packet p) {
        if (s.nested == null) s.nested = new NestedSends(LOCAL_NEST_LIMIT); // once per thread, the first time a send nests
        return s.nested.offer(p);
    }

    // ================================================================ transmit

    /** After POSTROUTING: fragment if needed, resolve the next hop, rewrite MACs, send. */
    private void transmit(Packet p, Device out, int fam, long nhHi, long nhLo, Device countOn) {
        int mtu = out.mtu();
        if (fam == IpAddress.IPV4 && p.ipLength() > mtu) {
            int n = Ipv4Fragmenter.count(p, mtu);
            if (n == 0 || (p.u16(p.l3() + 6) & 0x4000) != 0) { countOn.drop(DropReason.MTU_EXCEEDED); return; }
            Packet f = scratch.get().frag;
            for (int i = 0; i < n; i++) {
                Ipv4Fragmenter.fragment(p, mtu, i, f);
                resolveAndSend(f, out, fam, nhHi, nhLo);
            }
            return;
        }
        resolveAndSend(p, out, fam, nhHi, nhLo);
    }

    private void resolveAndSend(Packet p, Device out, int fam, long nhHi, long nhLo) {
        long mac;
        if (fam == IpAddress.IPV4) {
            int nh = (int) nhLo;
            if (nh == -1 || out.addressSet().isV4SubnetBroadcast(nh)) mac = Frames.BROADCAST_MAC;
            else if ((nh >>> 28) == 0xE) mac = Frames.ipv4MulticastMac(nh);
            else mac = neighbours.lookupMac(out.ifIndex(), fam, 0, nhLo);
        } else if ((nhHi >>> 56) == 0xFF) {
            mac = Frames.ipv6MulticastMac(nhLo);
        } else {
            mac = neighbours.lookupMac(out.ifIndex(), fam, nhHi, nhLo);
        }
        if (mac < 0) {
            mac = neighbours.enqueue(out, fam, nhHi, nhLo, p, clock.getAsLong());
            if (mac < 0) return; // waits for resolution (or was dropped and counted)
        }
        sendTo(out, p, mac);
    }

    private static void sendTo(Device out, Packet p, long mac) {
        p.setEthDst(mac);
        p.setEthSrc(out.macBits());
        out.transmit(p);
    }

    // ================================================================ neighbour callbacks

    @Override
    public void solicit(Device dev, int family, long hi, long lo, long unicastMac) {
        Packet out = scratch.get().probe;
        if (family == IpAddress.IPV4) {
            Arp.request(out, dev, (int) lo, unicastMac);
            dev.transmit(out); // ARP does not traverse the IP hooks
            return;
        }
        if (!Ndp.solicitation(out, dev, hi, lo, unicastMac)) return;
        if (out.parse() != null) return;
        long dstMac = out.ethDst();
        out.setOutDevice(dev);
        out.setNextHop(out.dstHi(), out.dstLo());
        if (!hook(Hook.OUTPUT, out, dev)) return;
        if (!hook(Hook.POSTROUTING, out, dev)) return;
        sendTo(dev, out, dstMac);
    }

    @Override
    public void sendResolved(Device dev, Packet p, long mac) { sendTo(dev, p, mac); }

    @Override
    public void unreachable(Device dev, Packet p) {
        Device in = (Device) p.inDevice();
        if (in == null) return; // our own packet: nobody to tell
        if (p.isIpv4()) icmpError(in, p, Icmp.DEST_UNREACH, Icmp.HOST_UNREACH, 0);
        else icmpError(in, p, Icmp.V6_DEST_UNREACH, Icmp.V6_ADDR_UNREACH, 0);
    }

    // ================================================================ ICMP errors

    /** Sends an ICMP/ICMPv6 error about {@code orig} to its source, when allowed and not rate limited. */
    private void icmpError(Device in, Packet orig, int type, int code, int info) {
        boolean v4 = orig.isIpv4();
        boolean ipBroadcast = false;
        if (v4) {
            FibEntry d = fib.lookupEntry(IpAddress.IPV4, 0, orig.ipv4Dst() & 0xFFFF_FFFFL);
            ipBroadcast = d != null && d.kind == FibEntry.BROADCAST;
        }
        if (!Icmp.errorAllowed(orig, ipBroadcast, type, code)) return;
        if ((v4 ? Icmp.rateLimitedV4(type) : Icmp.rateLimitedV6(type)) && !icmpLimiter.allow(clock.getAsLong())) return;
        Packet out = scratch.get().icmp;
        if (v4) {
            int src = v4ErrorSource(in, orig);
            if (src == 0) return;
            Icmp.errorV4(orig, out, type, code, info, src);
        } else {
            long dHi = orig.ipv6DstHi(), dLo = orig.ipv6DstLo();
            if (!devices.isLocalV6(dHi, dLo)) {
                Device back = deviceTowards(IpAddress.IPV6, orig.ipv6SrcHi(), orig.ipv6SrcLo(), in);
                AddressSet a = back.addressSet();
                int i = a.v6SourceIndex(orig.ipv6SrcHi(), orig.ipv6SrcLo());
                if (i < 0) { a = in.addressSet(); i = a.v6SourceIndex(orig.ipv6SrcHi(), orig.ipv6SrcLo()); }
                if (i < 0) return;
                dHi = a.v6Hi(i);
                dLo = a.v6Lo(i);
            }
            Icmp.errorV6(orig, out, type, code, info, dHi, dLo);
        }
        output(out, in);
    }

    /** Linux: the original destination when it is ours, else the preferred address towards the sender. */
    private int v4ErrorSource(Device in, Packet orig) {
        int dst = orig.ipv4Dst();
        if (devices.isLocalV4(dst)) return dst;
        int back = orig.ipv4Src();
        int src = deviceTowards(IpAddress.IPV4, 0, back & 0xFFFF_FFFFL, in).addressSet().v4SourceFor(back);
        if (src == 0) src = in.addressSet().v4SourceFor(back);
        if (src == 0) for (Device d : devices.all()) if (d.addressSet().hasAnyV4()) return d.addressSet().v4SourceFor(back);
        return src;
    }

    private Device deviceTowards(int fam, long hi, long lo, Device fallback) {
        if (fam == IpAddress.IPV6 && AddressSet.isLinkLocal(hi)) return fallback;
        FibEntry r = fib.lookupEntry(fam, hi, lo);
        Device d = r == null || r.kind != FibEntry.UNICAST ? null : devices.device(r.ifIndex);
        return d != null ? d : fallback;
    }

    // ================================================================ hooks

    /** Runs a hook point; false when the packet is gone (dropped and counted on {@code dev}, or stolen). */
    private boolean hook(Hook h, Packet p, Device dev) {
        int v = hooks.run(h, p);
        if (v == HookChains.ACCEPT) return true;
        if (v == HookChains.DROP) dev.drop(DropReason.HOOK_DROP);
        return false;
    }
}
