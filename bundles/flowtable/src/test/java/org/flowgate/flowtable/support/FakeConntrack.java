package org.flowgate.flowtable.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.conntrack.CtStatus;
import org.flowgate.api.conntrack.NatRange;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;

/** Conntrack's flow table API as its contract says: offload sets OFFLOAD once, teardown clears it. */
public final class FakeConntrack implements ConnTracker {
    public final List<ConnEntry> tornDown = new ArrayList<>();
    public int keepAlives;

    @Override
    public boolean offload(ConnEntry e) {
        FakeConn c = (FakeConn) e;
        if ((c.status & (CtStatus.OFFLOAD | CtStatus.DYING)) != 0 || (c.status & CtStatus.CONFIRMED) == 0) return false;
        if (c.protocol() == 6 && !"ESTABLISHED".equals(c.protoState)) return false;
        c.status |= CtStatus.OFFLOAD;
        return true;
    }

    @Override public void keepAlive(ConnEntry e) { keepAlives++; }

    @Override
    public void teardown(ConnEntry e) {
        FakeConn c = (FakeConn) e;
        if ((c.status & CtStatus.OFFLOAD) == 0) return;
        c.status &= ~CtStatus.OFFLOAD;
        tornDown.add(e);
    }

    @Override public ConnEntry find(int zone, FiveTuple t) { return null; }
    @Override public List<ConnEntry> list() { return List.of(); }
    @Override public int count() { return 0; }
    @Override public int flush() { return 0; }
    @Override public boolean delete(ConnEntry e) { return false; }
    @Override public boolean bindNat(Packet p, NatRange range) { return false; }
    // the flow table never tracks packets itself (api conntrack 1.2 calls for tc)
    @Override public boolean track(Packet p) { return true; }
    @Override public void nat(Packet p) { }
    @Override public boolean confirm(Packet p) { return true; }
    @Override public Map<String, Long> stats() { return Map.of(); }
}
