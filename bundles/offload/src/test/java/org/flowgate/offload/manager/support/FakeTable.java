package org.flowgate.offload.manager.support;

import java.util.Set;

import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.flowtable.FlowTableSpec;

/** nft's flow table {@code inet x ft} on v0 and v1; a flow the hardware used counts as used at {@link #now}. */
public final class FakeTable extends RecordingTable {
    public long now = 1;

    public FakeTable(boolean offload) {
        super(new FlowTableSpec("inet", "x", "ft", 0, Set.of("v0", "v1"), offload, true));
    }

    public FakeFlow add(long id, int sport) {
        FakeFlow f = new FakeFlow(id, sport, "v0", "v1");
        flows.add(f);
        return f;
    }

    @Override
    public void hardwareUsed(FlowEntry flow, int direction, long packets, long bytes) {
        super.hardwareUsed(flow, direction, packets, bytes);
        ((FakeFlow) flow).lastUsed = now;
    }

    @Override public String toString() { return "inet x ft"; }
}
