package org.flowgate.offload.manager.support;

import java.util.concurrent.atomic.AtomicReference;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.flowtable.FlowPath;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;

/** A flow of a fake table: its two paths, its connection and its hardware state; by default h1:sport -> h2:5001 from v0 to v1, masqueraded to 10.0.2.1. */
public class FakeFlow implements FlowEntry {
    final long id;
    final FlowPath[] paths;
    final ConnEntry conn;
    final AtomicReference<HwState> state = new AtomicReference<>(HwState.SOFTWARE);
    public volatile long lastUsed;
    public volatile boolean tornDown;

    public FakeFlow(long id, int sport, String in, String out) { this(id, masqueraded(sport, in, out), null); }

    /** @param paths the original direction's path, then the reply's */
    protected FakeFlow(long id, FlowPath[] paths, ConnEntry conn) {
        this.id = id;
        this.paths = paths;
        this.conn = conn;
    }

    private static FlowPath[] masqueraded(int sport, String in, String out) {
        FiveTuple o = FiveTuple.of(IpAddress.parse("10.0.1.2"), sport, IpAddress.parse("10.0.2.2"), 5001, Packet.PROTO_UDP);
        FiveTuple oRw = FiveTuple.of(IpAddress.parse("10.0.2.1"), 30000 + sport, IpAddress.parse("10.0.2.2"), 5001, Packet.PROTO_UDP);
        FiveTuple r = new FiveTuple().setReverse(oRw), rRw = new FiveTuple().setReverse(o);
        return new FlowPath[] {
            new FlowPath(o, oRw, in, -1, out, -1, 0x020000000011L, 0x0200000000b2L, 1500),
            new FlowPath(r, rRw, out, -1, in, -1, 0x020000000010L, 0x0200000000a1L, 1500),
        };
    }

    @Override public long id() { return id; }
    @Override public FiveTuple original() { return paths[0].match(); }
    @Override public FiveTuple reply() { return paths[1].match(); }
    @Override public String inDevice() { return paths[0].inDevice(); }
    @Override public String outDevice() { return paths[0].outDevice(); }
    @Override public long packets() { return 0; }
    @Override public long bytes() { return 0; }
    @Override public long lastUsedNanos() { return lastUsed; }
    @Override public FlowPath path(int direction) { return paths[direction]; }
    @Override public long packets(int direction) { return 0; }
    @Override public long bytes(int direction) { return 0; }
    @Override public long createdNanos() { return 0; }
    @Override public ConnEntry conn() { return conn; }
    @Override public boolean tornDown() { return tornDown; }
    @Override public HwState hwState() { return state.get(); }
    @Override public boolean compareAndSetHwState(HwState expect, HwState update) { return state.compareAndSet(expect, update); }
    @Override public String toString() { return "flow#" + id; }
}
