package org.flowgate.tc.vxlan;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.LocalOutput;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.api.netdev.Port;
import org.flowgate.api.netdev.PortReceiver;
import org.flowgate.api.packet.Checksums;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.route.NeighbourTable;
import org.flowgate.api.route.Route;
import org.flowgate.api.route.RoutingTable;
import org.flowgate.tc.action.ExecContext;
import org.flowgate.tc.action.TunnelKey;

/**
 * A vxlan device, a {@link Port} the packet path attaches as a device, in one of Linux's two modes:
 * <ul>
 * <li>collect-metadata ({@code ip link add vxlan0 type vxlan external dstport 4789}): a frame sent
 * to it is encapsulated with the tunnel key a {@code tunnel_key set} action attached to the packet
 * on this thread; frames without tunnel metadata are dropped (counted); decapsulated frames carry
 * the outer addresses, ports and VNI for flower's {@code enc_*} keys;</li>
 * <li>fixed ({@code ip link add vx1 type vxlan id N [local A] remote B dstport P}): every frame goes
 * to {@code remote} with VNI N; only packets with VNI N are received.</li>
 * </ul>
 * IPv4 or IPv6 outer headers. The outer packet leaves through {@link Underlay#output} (routing,
 * OUTPUT/POSTROUTING, ARP/NDP resolution with queueing), as {@code ip_local_out} sends it.
 */
public final class VxlanPort implements Port {
    /** The fixed remote of a non-external device. */
    public record Remote(int vni, IpAddress local, IpAddress remote, int ttl, int tos, boolean udpCsum) {
        public Remote {
            if (vni < 0 || vni > 0xFF_FFFF) throw new IllegalArgumentException("VNI " + vni);
            if (remote == null) throw new IllegalArgumentException("remote needed");
            if (local != null && local.family() != remote.family()) throw new IllegalArgumentException("local and remote of different families");
        }
    }

    private final String name;
    private final MacAddress mac;
    private final int mtu;
    private final int defaultDstPort;
    private final Underlay underlay;
    /** Non-null for a fixed-remote device: the key every frame is sent with. */
    private final TunnelKey fixed;
    private final int fixedVni;
    private final ThreadLocal<Packet> scratch = ThreadLocal.withInitial(Packet::new);
    private final AtomicInteger ipId = new AtomicInteger();
    private final LongAdder sent = new LongAdder(), noMetadata = new LongAdder(), noRoute = new LongAdder(),
            noNeighbour = new LongAdder(), noSource = new LongAdder(), tooBig = new LongAdder(), txFailed = new LongAdder();
    private final LongAdder received = new LongAdder(), badChecksum = new LongAdder(), badHeader = new LongAdder(),
            nested = new LongAdder(), noReceiver = new LongAdder();
    /** Per-thread receive buffer and re-entrance guard (a VXLAN packet inside a VXLAN packet is not unwrapped twice). */
    private final ThreadLocal<Rx> rx = ThreadLocal.withInitial(Rx::new);
    private volatile PortReceiver receiver;
    private volatile boolean linkUp = true;
    private volatile RouteCache cache4, cache6;

    private static final class Rx {
        final Packet buf = new Packet();
        boolean busy;
    }

    /** What a route resolved to: the egress device and its source address of the route's family. */
    private record RouteCache(Route route, NetDevice device, long srcHi, long srcLo, boolean hasSrc) {}

    /** A collect-metadata ({@code external}) device. */
    public VxlanPort(String name, MacAddress mac, int mtu, int defaultDstPort, Underlay underlay) {
        this(name, mac, mtu, defaultDstPort, underlay, null);
    }

    /** @param remote the fixed remote; null for a collect-metadata ({@code external}) device */
    public VxlanPort(String name, MacAddress mac, int mtu, int defaultDstPort, Underlay underlay, Remote remote) {
        this.name = name;
        this.mac = mac;
        this.mtu = mtu;
        this.defaultDstPort = defaultDstPort;
        this.underlay = underlay;
        if (remote == null) {
            fixed = null;
            fixedVni = -1;
        } else {
            fixed = new TunnelKey();
            fixed.set = true;
            fixed.family = remote.remote().family();
            if (remote.local() != null) {
                fixed.srcHi = remote.local().hi();
                fixed.srcLo = remote.local().lo();
            }
            fixed.dstHi = remote.remote().hi();
            fixed.dstLo = remote.remote().lo();
            fixed.id = remote.vni();
            fixed.dstPort = defaultDstPort;
            fixed.ttl = remote.ttl();
            fixed.tos = remote.tos();
            fixed.csum = remote.udpCsum();
            fixedVni = remote.vni();
        }
    }

    @Override public String name() { return name; }
    @Override public MacAddress mac() { return mac; }
    @Override public int mtu() { return mtu; }
    @Override public boolean isLinkUp() { return linkUp; }

    public void setLinkUp(boolean up) { linkUp = up; }

    /** Whether this device takes its remote from each packet's tunnel key ({@code external}). */
    public boolean external() { return fixed == null; }

    @Override public void start(PortReceiver r) { receiver = r; }

    @Override public void stop() { receiver = null; }

    /** The receiver decapsulated frames go to (null while stopped). */
    public PortReceiver receiver() { return receiver; }

    @Override
    public boolean send(Packet inner) {
        TunnelKey k = fixed != null ? fixed : ExecContext.current().tunnel;
        if (!k.set) { noMetadata.increment(); return false; }
        RoutingTable routes = underlay.routes;
        boolean v6 = k.isV6();
        Route r = routes == null ? null : routes.lookup(k.family, k.dstHi, k.dstLo);
        if (r == null || r.type() == Route.Type.LOCAL) { noRoute.increment(); return false; }
        RouteCache c = v6 ? cache6 : cache4;
        if (c == null || c.route != r || !c.device.isUp()) {
            c = resolve(r, v6); // the route changed: rare, allocates
            if (c == null) { noRoute.increment(); return false; }
            if (v6) cache6 = c; else cache4 = c;
        }
        boolean srcGiven = k.srcHi != 0 || k.srcLo != 0;
        if (!srcGiven && !c.hasSrc) { noSource.increment(); return false; }
        long srcHi = srcGiven ? k.srcHi : c.srcHi, srcLo = srcGiven ? k.srcLo : c.srcLo;
        int overhead = v6 ? VxlanEncap.OVERHEAD6 : VxlanEncap.OVERHEAD;
        if (inner.length() + overhead - 14 > c.device.mtu()) { tooBig.increment(); return false; }
        if (inner.ipVersion() == 0 && inner.etherType() == 0) inner.parse(); // for the source port hash
        LocalOutput output = underlay.output;
        long dmac = 0;
        if (output == null) { // no neighbour subsystem to ask: the next hop must be resolved already
            NeighbourTable neigh = underlay.neighbours;
            long nhHi = r.gateway() != null ? r.gateway().hi() : k.dstHi, nhLo = r.gateway() != null ? r.gateway().lo() : k.dstLo;
            dmac = neigh == null ? -1 : neigh.resolved(c.device.ifIndex(), k.family, nhHi, nhLo);
            if (dmac < 0) { noNeighbour.increment(); return false; }
        }
        Packet out = scratch.get();
        int ttl = k.ttl == 0 ? 64 : k.ttl;
        int srcPort = VxlanEncap.sourcePort(inner), dstPort = k.dstPort == 0 ? defaultDstPort : k.dstPort;
        if (v6) {
            VxlanEncap.encapsulate6(out, inner, c.device.macBits(), dmac, srcHi, srcLo, k.dstHi, k.dstLo, k.tos, ttl, srcPort, dstPort, k.id);
        } else {
            VxlanEncap.encapsulate(out, inner, c.device.macBits(), dmac, (int) srcLo, (int) k.dstLo, k.tos, ttl, k.dontFragment,
                    ipId.getAndIncrement() & 0xFFFF, srcPort, dstPort, k.id, k.csum);
        }
        boolean ok = output != null ? output.send(out) : c.device.transmit(out);
        if (!ok) { txFailed.increment(); return false; }
        sent.increment();
        return true;
    }

    private RouteCache resolve(Route r, boolean v6) {
        NetDevices devs = underlay.devices;
        if (devs == null || r.device() == null) return null;
        NetDevice d = devs.byName(r.device()).orElse(null);
        if (d == null || d.name().equals(name)) return null; // never loop into ourselves
        IpPrefix src = null;
        for (IpPrefix a : d.addresses()) {
            if (a.family() != (v6 ? 6 : 4)) continue;
            if (src == null || (src.address().isLinkLocal() && !a.address().isLinkLocal())) src = a; // a global one if any
        }
        return src == null ? new RouteCache(r, d, 0, 0, false) : new RouteCache(r, d, src.address().hi(), src.address().lo(), true);
    }

    @Override public void flush() { }

    /** The UDP port this device receives on. */
    public int port() { return defaultDstPort; }

    /**
     * Whether a VXLAN packet to this device's port belongs to this device: any VNI for an
     * external device, only its own for a fixed one (as {@code vxlan_vs_find_vni}).
     */
    public boolean wants(Packet p) {
        if (fixed == null) return true;
        int udp = p.l4();
        if (p.l3End() - udp < 16) return false;
        return (p.u32(udp + 12) >>> 8) == fixedVni;
    }

    /**
     * Receives a VXLAN packet addressed to the router ({@code vxlan_rcv}): checks the UDP checksum
     * (mandatory over IPv6, optional over IPv4) and the VXLAN header, strips the outer headers and
     * delivers the inner frame as received on this device.
     *
     * @param p an IPv4 or IPv6 UDP packet to one of the router's addresses and to {@link #port()}
     * @return false when it was dropped (counted)
     */
    public boolean receiveEncapsulated(Packet p) {
        int udp = p.l4();
        int udpLen = p.l3End() - udp;
        if (udpLen < 16 + 14 || p.u16(udp + 4) != udpLen) { badHeader.increment(); return false; }
        int ck = p.u16(udp + 6);
        boolean v6 = p.isIpv6();
        if (v6 ? ck == 0 || Checksums.finish(Checksums.sum(p.array(), udp, udpLen,
                        Checksums.pseudoV6(p.array(), p.l3() + 8, p.l3() + 24, Packet.PROTO_UDP, udpLen))) != 0
                : ck != 0 && Checksums.finish(Checksums.sum(p.array(), udp, udpLen,
                        Checksums.pseudoV4(p.ipv4Src(), p.ipv4Dst(), Packet.PROTO_UDP, udpLen))) != 0) {
            badChecksum.increment();
            return false;
        }
        if ((p.u8(udp + 8) & 0x08) == 0) { badHeader.increment(); return false; }
        PortReceiver r = receiver;
        if (r == null || !linkUp) { noReceiver.increment(); return false; }
        Rx x = rx.get();
        if (x.busy) { nested.increment(); return false; }
        x.busy = true;
        TunnelKey meta = ExecContext.current().rx;
        try {
            x.buf.setFrame(p.array(), udp + 16, udpLen - 16);
            if (fixed == null) { // only a collect-metadata device hands the tunnel to flower's enc_* keys
                meta.set = true;
                meta.family = v6 ? 6 : 4;
                meta.srcHi = p.srcHi();
                meta.srcLo = p.srcLo();
                meta.dstHi = p.dstHi();
                meta.dstLo = p.dstLo();
                meta.srcPort = p.srcPort();
                meta.dstPort = p.dstPort();
                meta.id = p.u32(udp + 12) >>> 8;
                meta.tos = v6 ? (p.u16(p.l3()) >>> 4) & 0xFF : p.u8(p.l3() + 1);
                meta.ttl = p.ttl();
                meta.csum = ck != 0;
            }
            received.increment();
            r.receive(x.buf);
            r.endOfBatch();
        } finally {
            meta.clear();
            x.busy = false;
        }
        return true;
    }

    /** Whether {@code d} holds the packet's destination address (IPv4 or IPv6). Allocation-free. */
    static boolean isLocal(NetDevice d, Packet p) {
        List<IpPrefix> as = d.addresses();
        int fam = p.ipVersion();
        long hi = p.dstHi(), lo = p.dstLo();
        for (int i = 0; i < as.size(); i++) {
            IpAddress a = as.get(i).address();
            if (a.family() == fam && a.lo() == lo && a.hi() == hi) return true;
        }
        return false;
    }

    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("encapsulated", sent.sum());
        m.put("no_metadata", noMetadata.sum());
        m.put("no_route", noRoute.sum());
        m.put("no_neighbour", noNeighbour.sum());
        m.put("no_source", noSource.sum());
        m.put("too_big", tooBig.sum());
        m.put("tx_failed", txFailed.sum());
        m.put("decapsulated", received.sum());
        m.put("rx_bad_checksum", badChecksum.sum());
        m.put("rx_bad_header", badHeader.sum());
        m.put("rx_nested", nested.sum());
        m.put("rx_no_receiver", noReceiver.sum());
        return m;
    }

    @Override
    public String toString() {
        if (fixed == null) return "vxlan " + name + " external dstport " + defaultDstPort;
        return "vxlan " + name + " id " + fixedVni + (fixed.srcHi != 0 || fixed.srcLo != 0 ? " local " + addr(fixed, true) : "")
                + " remote " + addr(fixed, false) + " dstport " + defaultDstPort;
    }

    private static String addr(TunnelKey k, boolean src) {
        return new IpAddress(k.family, src ? k.srcHi : k.dstHi, src ? k.srcLo : k.dstLo).toString();
    }
}
