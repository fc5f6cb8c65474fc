package org.flowgate.offload.manager.support;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.flowtable.FlowPath;
import org.flowgate.api.flowtable.FlowTableListener;
import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;

/**
 * A tc ct zone's table as the tc bundle registers it: a {@code FlowTable} service taking
 * subscribers, flows without devices ({@code *}), connections with mark and labels.
 */
public final class FakeZoneTable extends RecordingTable {
    final int zone;
    public final List<FlowTableListener> listeners = new CopyOnWriteArrayList<>();

    public FakeZoneTable(int zone) {
        super(new FlowTableSpec("tc", "ct", "zone " + zone, 0, Set.of(), true, true));
        this.zone = zone;
    }

    /** A TCP flow 10.0.1.2:sport -> 10.0.2.2:80 source-NATed to 192.0.2.1:(20000+sport), ct mark 0x42, labels 1:2. */
    public Flow add(long id, int sport) {
        Flow f = new Flow(id, sport, zone);
        flows.add(f);
        return f;
    }

    @Override public int ctZone() { return zone; }
    @Override public boolean addListener(FlowTableListener l) { if (!listeners.contains(l)) listeners.add(l); return true; }
    @Override public void removeListener(FlowTableListener l) { listeners.remove(l); }
    @Override public String toString() { return "tc ct zone " + zone; }

    /** One flow of the zone: no devices ({@code *}), its connection carries the zone, mark and labels. */
    public static final class Flow extends FakeFlow {
        Flow(long id, int sport, int zone) { super(id, paths(sport), conn(sport, zone)); }

        private static FiveTuple original(int sport) {
            return FiveTuple.of(IpAddress.parse("10.0.1.2"), sport, IpAddress.parse("10.0.2.2"), 80, Packet.PROTO_TCP);
        }

        private static FiveTuple originalNated(int sport) {
            return FiveTuple.of(IpAddress.parse("192.0.2.1"), 20000 + sport, IpAddress.parse("10.0.2.2"), 80, Packet.PROTO_TCP);
        }

        private static FlowPath[] paths(int sport) {
            FiveTuple o = original(sport), oRw = originalNated(sport);
            FiveTuple r = new FiveTuple().setReverse(oRw), rRw = new FiveTuple().setReverse(o);
            return new FlowPath[] {new FlowPath(o, oRw, "*", -1, "*", -1, 0, 0, 0), new FlowPath(r, rRw, "*", -1, "*", -1, 0, 0, 0)};
        }

        private static ConnEntry conn(int sport, int zone) {
            FiveTuple o = original(sport), r = new FiveTuple().setReverse(originalNated(sport));
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

        @Override public String toString() { return "zone flow#" + id; }
    }
}
