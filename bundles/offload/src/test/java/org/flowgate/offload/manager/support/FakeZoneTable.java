package org.flowgate.offload.manager.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.flowtable.FlowPath;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.flowtable.FlowTableListener;
import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.api.flowtable.FlowTableStats;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;

/**
 * A tc ct zone's table as the tc bundle registers it: a {@code FlowTable} service taking
 * subscribers, flows without devices ({@code *}), connections with mark and labels.
 */
public final class FakeZoneTable implements FlowTable {
    final int zone;
    final FlowTableSpec spec;
    public final List<FlowEntry> flows = new CopyOnWriteArrayList<>();
    public final List<FlowTableListener> listeners = new CopyOnWriteArrayList<>();
    public final List<String> used = new CopyOnWriteArrayList<>();

    public FakeZoneTable(int zone) {
        this.zone = zone;
        spec = new FlowTableSpec("tc", "ct", "zone " + zone, 0, Set.of(), true, true);
    }

    /** A TCP flow 10.0.1.2:sport -> 10.0.2.2:80 source-NATed to 192.0.2.1:(20000+sport), ct mark 0x42, labels 1:2. */
    public Flow add(long id, int sport) {
        Flow f = new Flow(id, sport, zone);
        flows.add(f);
        return f;
    }

    @Override public String name() { return spec.name(); }
    @Override public Set<String> devices() { return Set.of(); }
    @Override public boolean hardwareOffload() { return true; }
    @Override public int ctZone() { return zone; }
    @Override public int count() { return flows.size(); }
    @Override public List<FlowEntry> list() { return new ArrayList<>(flows); }
    @Override public int flush() { return 0; }
    @Override public void offer(Packet p) {}
    @Override public FlowTableSpec spec() { return spec; }
    @Override public boolean delete(FlowEntry flow) { return flows.remove(flow); }
    @Override public FlowTableStats stats() { return null; }
    @Override public boolean addListener(FlowTableListener l) { if (!listeners.contains(l)) listeners.add(l); return true; }
    @Override public void removeListener(FlowTableListener l) { listeners.remove(l); }

    @Override
    public void hardwareUsed(FlowEntry flow, int direction, long packets, long bytes) {
        used.add(flow.id() + "/" + direction + ":" + packets + "/" + bytes);
    }

    @Override public String toString() { return "tc ct zone " + zone; }

    /** One flow of the zone. */
    public static final class Flow implements FlowEntry {
        final long id;
        final FlowPath[] paths = new FlowPath[2];
        final AtomicReference<HwState> state = new AtomicReference<>(HwState.SOFTWARE);
        final ConnEntry conn;

        Flow(long id, int sport, int zone) {
            this.id = id;
            FiveTuple o = FiveTuple.of(IpAddress.parse("10.0.1.2"), sport, IpAddress.parse("10.0.2.2"), 80, Packet.PROTO_TCP);
            FiveTuple oRw = FiveTuple.of(IpAddress.parse("192.0.2.1"), 20000 + sport, IpAddress.parse("10.0.2.2"), 80, Packet.PROTO_TCP);
            FiveTuple r = new FiveTuple().setReverse(oRw), rRw = new FiveTuple().setReverse(o);
            paths[0] = new FlowPath(o, oRw, "*", -1, "*", -1, 0, 0, 0);
            paths[1] = new FlowPath(r, rRw, "*", -1, "*", -1, 0, 0, 0);
            conn = conn(o, r, zone);
        }

        private static ConnEntry conn(FiveTuple o, FiveTuple r, int zone) {
            return (ConnEntry) java.lang.reflect.Proxy.newProxyInstance(ConnEntry.class.getClassLoader(), new Class<?>[] { ConnEntry.class },
                    (proxy, m, args) -> switch (m.getName()) {
                        case "original" -> o;
                        case "reply" -> r;
                        case "zone" -> zone;
                        case "mark" -> 0x42;
                        case "labelsHi" -> 1L;
                        case "labelsLo" -> 2L;
                        case "protocol" -> Packet.PROTO_TCP;
                        case "family" -> 4;
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        case "toString" -> "conn zone " + zone;
                        default -> m.getReturnType() == boolean.class ? false
                                : m.getReturnType() == int.class ? 0 : m.getReturnType() == long.class ? 0L : null;
                    });
        }

        @Override public long id() { return id; }
        @Override public FiveTuple original() { return paths[0].match(); }
        @Override public FiveTuple reply() { return paths[1].match(); }
        @Override public String inDevice() { return "*"; }
        @Override public String outDevice() { return "*"; }
        @Override public long packets() { return 0; }
        @Override public long bytes() { return 0; }
        @Override public long lastUsedNanos() { return 0; }
        @Override public FlowPath path(int direction) { return paths[direction]; }
        @Override public long packets(int direction) { return 0; }
        @Override public long bytes(int direction) { return 0; }
        @Override public long createdNanos() { return 0; }
        @Override public ConnEntry conn() { return conn; }
        @Override public boolean tornDown() { return false; }
        @Override public HwState hwState() { return state.get(); }
        @Override public boolean compareAndSetHwState(HwState expect, HwState update) { return state.compareAndSet(expect, update); }
        @Override public String toString() { return "zone flow#" + id; }
    }
}
