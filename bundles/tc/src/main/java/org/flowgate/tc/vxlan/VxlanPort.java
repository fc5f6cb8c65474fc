package org.flowgate.tc.vxlan;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
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
 * A collect-metadata vxlan device ({@code ip link add vxlan0 type vxlan external dstport 4789}):
 * a {@link Port} the packet path attaches as a device. A frame sent to it is encapsulated with the
 * tunnel key a {@code tunnel_key set} action attached to the packet on this thread, routed by the
 * FIB, and sent out of the underlay device to the resolved next hop. Frames without tunnel
 * metadata are dropped (counted), as Linux's vxlan does in external mode.
 */
public final class VxlanPort implements Port {
    private final String name;
    private final MacAddress mac;
    private final int mtu;
    private final int defaultDstPort;
    private final Underlay underlay;
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
    private volatile RouteCache cache;

    private static final class Rx {
        final Packet buf = new Packet();
        boolean busy;
    }

    /** What a route resolved to: the egress device and its IPv4 source address. */
    private record RouteCache(Route route, NetDevice device, int srcIp) {}

    public VxlanPort(String name, MacAddress mac, int mtu, int defaultDstPort, Underlay underlay) {
        this.name = name;
        this.mac = mac;
        this.mtu = mtu;
        this.defaultDstPort = defaultDstPort;
        this.underlay = underlay;
    }

    @Override public String name() { return name; }
    @Override public MacAddress mac() { return mac; }
    @Override public int mtu() { return mtu; }
    @Override public boolean isLinkUp() { return linkUp; }

    public void setLinkUp(boolean up) { linkUp = up; }

    @Override public void start(PortReceiver r) { receiver = r; }

    @Override public void stop() { receiver = null; }

    /** The receiver decapsulated frames go to (null while stopped). */
    public PortReceiver receiver() { return receiver; }

    @Override
    public boolean send(Packet inner) {
        TunnelKey k = ExecContext.current().tunnel;
        if (!k.set) { noMetadata.increment(); return false; }
        RoutingTable routes = underlay.routes;
        NeighbourTable neigh = underlay.neighbours;
        long dst = k.dstIp & 0xFFFF_FFFFL;
        Route r = routes == null ? null : routes.lookup(4, 0, dst);
        if (r == null || r.type() == Route.Type.LOCAL) { noRoute.increment(); return false; }
        RouteCache c = cache;
        if (c == null || c.route != r || !c.device.isUp()) {
            c = resolve(r); // the route changed: rare, allocates
            if (c == null) { noRoute.increment(); return false; }
            cache = c;
        }
        int src = k.srcIp != 0 ? k.srcIp : c.srcIp;
        if (src == 0) { noSource.increment(); return false; }
        long nextHop = r.gateway() != null ? r.gateway().lo() : dst;
        long dmac = neigh == null ? -1 : neigh.resolved(c.device.ifIndex(), 4, 0, nextHop);
        if (dmac < 0) { noNeighbour.increment(); return false; }
        if (inner.length() + VxlanEncap.OVERHEAD - 14 > c.device.mtu()) { tooBig.increment(); return false; }
        if (inner.ipVersion() == 0 && inner.etherType() == 0) inner.parse(); // for the source port hash
        Packet out = scratch.get();
        VxlanEncap.encapsulate(out, inner, c.device.macBits(), dmac, src, k.dstIp, k.tos, k.ttl == 0 ? 64 : k.ttl,
                k.dontFragment, ipId.getAndIncrement() & 0xFFFF, VxlanEncap.sourcePort(inner),
                k.dstPort == 0 ? defaultDstPort : k.dstPort, k.id, k.csum);
        if (!c.device.transmit(out)) { txFailed.increment(); return false; }
        sent.increment();
        return true;
    }

    private RouteCache resolve(Route r) {
        NetDevices devs = underlay.devices;
        if (devs == null || r.device() == null) return null;
        NetDevice d = devs.byName(r.device()).orElse(null);
        if (d == null || d.name().equals(name)) return null; // never loop into ourselves
        int src = 0;
        for (IpPrefix a : d.addresses()) {
            if (a.family() == 4) { src = (int) a.address().lo(); break; }
        }
        return new RouteCache(r, d, src);
    }

    @Override public void flush() { }

    /** The UDP port this device receives on. */
    public int port() { return defaultDstPort; }

    /**
     * Receives a VXLAN packet addressed to the router ({@code vxlan_rcv}): checks the UDP checksum
     * (when present) and the VXLAN header, strips the outer headers and delivers the inner frame
     * as received on this device.
     *
     * @param p an IPv4 UDP packet to one of the router's addresses and to {@link #port()}
     * @return false when it was dropped (counted)
     */
    public boolean receiveEncapsulated(Packet p) {
        int udp = p.l4();
        int udpLen = p.l3End() - udp;
        if (udpLen < 16 + 14) { badHeader.increment(); return false; }
        int ck = p.u16(udp + 6);
        if (ck != 0 && Checksums.finish(Checksums.sum(p.array(), udp, udpLen,
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
            meta.set = true;
            meta.srcIp = p.ipv4Src();
            meta.dstIp = p.ipv4Dst();
            meta.srcPort = p.srcPort();
            meta.dstPort = p.dstPort();
            meta.id = p.u32(udp + 12) >>> 8;
            meta.tos = p.u8(p.l3() + 1);
            meta.ttl = p.ttl();
            meta.csum = ck != 0;
            received.increment();
            r.receive(x.buf);
            r.endOfBatch();
        } finally {
            meta.clear();
            x.busy = false;
        }
        return true;
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
    public String toString() { return "vxlan " + name + " external dstport " + defaultDstPort; }
}
