package org.flowgate.flowtable.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.conntrack.CtState;
import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.route.Neighbour;
import org.flowgate.api.route.NeighbourTable;
import org.flowgate.api.route.Route;
import org.flowgate.api.route.RoutingTable;
import org.flowgate.flowtable.fastpath.FastPath;
import org.flowgate.flowtable.table.Environment;
import org.flowgate.flowtable.table.Flow;
import org.flowgate.flowtable.table.FlowClock;
import org.flowgate.flowtable.table.FlowTableImpl;

/**
 * A small router for tests: {@code lan} (10.0.1.1/24, fd00:1::1/64) towards host h1 and {@code wan}
 * (192.0.2.1/24, 2001:db8:2::1/64) towards a gateway, a FIB, neighbours, a manual clock and a flow
 * table over both devices with counters.
 */
public final class TestWorld implements Environment {
    public static final long LAN_MAC = 0x02_00_00_00_00_01L, WAN_MAC = 0x02_00_00_00_00_02L;
    public static final long H1_MAC = 0x02_00_00_00_00_10L, GW_MAC = 0x02_00_00_00_00_FEL, H1B_MAC = 0x02_00_00_00_00_11L;

    public final FakeDevice lan = new FakeDevice("lan", 1, LAN_MAC);
    public final FakeDevice wan = new FakeDevice("wan", 2, WAN_MAC);
    public final FakeDevice dmz = new FakeDevice("dmz", 3, 0x02_00_00_00_00_03L);
    public final List<FakeDevice> devs = new ArrayList<>(List.of(lan, wan, dmz));
    public final List<Route> fib = new ArrayList<>();
    public final Map<String, Long> neigh = new HashMap<>();
    public final FakeConntrack conntrack = new FakeConntrack();
    public long now = 1_000_000_000L;
    public final FlowClock clock = () -> now;
    public final List<Flow> added = new ArrayList<>(), removed = new ArrayList<>();
    public final FlowTableImpl table;
    public final FastPath fastPath;

    public TestWorld() { this(true); }

    public TestWorld(boolean counter) { this(counter, 16); }

    /** @param expectedFlows the table's initial size ({@code expected.flows}) */
    public TestWorld(boolean counter, int expectedFlows) {
        fib.add(Route.connected(IpPrefix.parse("10.0.1.0/24"), "lan"));
        fib.add(Route.connected(IpPrefix.parse("192.0.2.0/24"), "wan"));
        fib.add(new Route(IpPrefix.parse("0.0.0.0/0"), IpAddress.parse("192.0.2.254"), "wan", 0, Route.Type.STATIC));
        fib.add(Route.connected(IpPrefix.parse("fd00:1::/64"), "lan"));
        fib.add(Route.connected(IpPrefix.parse("2001:db8:2::/64"), "wan"));
        fib.add(new Route(IpPrefix.parse("::/0"), IpAddress.parse("2001:db8:2::fe"), "wan", 0, Route.Type.STATIC));
        neighbour("lan", "10.0.1.2", H1_MAC);
        neighbour("wan", "192.0.2.254", GW_MAC);
        neighbour("lan", "fd00:1::2", H1_MAC);
        neighbour("wan", "2001:db8:2::fe", GW_MAC);
        table = new FlowTableImpl(new FlowTableSpec("inet", "filter", "ft", 0, Set.of("lan", "wan"), false, counter), this, expectedFlows);
        fastPath = new FastPath(table);
    }

    public void neighbour(String dev, String addr, long mac) {
        IpAddress a = IpAddress.parse(addr);
        neigh.put(dev + "/" + a, mac);
    }

    /** The first packets' path: a packet of {@code conn} at FORWARD, as the ruleset offers it. */
    public Packet forwarded(Frames f, FakeConn conn, int dir, NetDevice in, NetDevice out) {
        Packet p = f.packet();
        p.setInDevice(in);
        p.setOutDevice(out);
        p.setConn(conn);
        p.setCtDirection(dir);
        p.setCtState((conn.status & org.flowgate.api.conntrack.CtStatus.SEEN_REPLY) != 0 ? CtState.ESTABLISHED : CtState.NEW);
        return p;
    }

    /** Offers a packet to any flow table. */
    public static void offer(org.flowgate.api.flowtable.FlowTable t, Packet p) { t.offer(p); }

    /** A frame arriving on {@code in}, parsed, as the packet path gives it to the ingress hook. */
    public Packet arriving(Frames f, NetDevice in) {
        Packet p = f.packet();
        p.setInDevice(in);
        return p;
    }

    // ---- Environment ----

    @Override public FlowClock clock() { return clock; }
    @Override public ConnTracker conntrack() { return conntrack; }

    @Override
    public RoutingTable routes() {
        return new RoutingTable() {
            @Override
            public Route lookup(int family, long hi, long lo) {
                Route best = null;
                IpAddress a = new IpAddress(family, hi, lo);
                for (Route r : fib)
                    if (r.destination().family() == family && r.destination().contains(a) && (best == null || r.destination().length() > best.destination().length())) best = r;
                return best;
            }
            @Override public List<Route> list() { return fib; }
            @Override public void add(Route r) { fib.add(r); }
            @Override public int remove(IpPrefix destination, IpAddress gateway) { return 0; }
        };
    }

    @Override
    public NeighbourTable neighbours() {
        return new NeighbourTable() {
            @Override public List<Neighbour> list() { return List.of(); }
            @Override public void addStatic(IpAddress address, String device, MacAddress mac) {}
            @Override public boolean remove(IpAddress address, String device) { return false; }
            @Override public void flush() {}

            @Override
            public long resolved(int ifIndex, int family, long hi, long lo) {
                for (FakeDevice d : devs)
                    if (d.ifIndex() == ifIndex) return neigh.getOrDefault(d.name() + "/" + new IpAddress(family, hi, lo), -1L);
                return -1;
            }
        };
    }

    @Override
    public NetDevices devices() {
        return new NetDevices() {
            @Override public List<NetDevice> list() { return List.copyOf(devs); }
            @Override public Optional<NetDevice> byName(String name) { return devs.stream().filter(d -> d.name().equals(name)).map(d -> (NetDevice) d).findFirst(); }
            @Override public NetDevice byIndex(int ifIndex) { return devs.stream().filter(d -> d.ifIndex() == ifIndex).findFirst().orElse(null); }
            @Override public void addAddress(String device, IpPrefix address) {}
            @Override public void removeAddress(String device, IpPrefix address) {}
            @Override public void setUp(String device, boolean up) {}
            @Override public void setMtu(String device, int mtu) {}
        };
    }

    @Override public void flowAdded(FlowTableImpl t, Flow flow) { added.add(flow); }
    @Override public void flowRemoved(FlowTableImpl t, Flow flow) { removed.add(flow); }
    public final List<Flow> dying = new ArrayList<>();
    @Override public void flowDying(FlowTableImpl t, Flow flow) { dying.add(flow); }

    /** Runs the garbage collector over the whole table. */
    public void gc() {
        int slots = table.gcSlots();
        for (int done = 0; done < slots; ) done += table.gcStep(1024);
    }
}
