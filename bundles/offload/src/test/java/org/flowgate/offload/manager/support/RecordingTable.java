package org.flowgate.offload.manager.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.api.flowtable.FlowTableStats;
import org.flowgate.api.packet.Packet;

/** A flow table of the tests: its spec, the flows the test put in, and the hardware counts the manager reported ({@link #hardwareUsed}). */
abstract class RecordingTable implements FlowTable {
    final FlowTableSpec spec;
    public final List<FlowEntry> flows = new CopyOnWriteArrayList<>();
    public final List<String> used = new CopyOnWriteArrayList<>();

    RecordingTable(FlowTableSpec spec) { this.spec = spec; }

    @Override public String name() { return spec.name(); }
    @Override public Set<String> devices() { return spec.devices(); }
    @Override public boolean hardwareOffload() { return spec.hardwareOffload(); }
    @Override public int count() { return flows.size(); }
    @Override public List<FlowEntry> list() { return new ArrayList<>(flows); }
    @Override public int flush() { return 0; }
    @Override public void offer(Packet p) {}
    @Override public FlowTableSpec spec() { return spec; }
    @Override public boolean delete(FlowEntry flow) { return flows.remove(flow); }
    @Override public FlowTableStats stats() { return null; }

    @Override
    public void hardwareUsed(FlowEntry flow, int direction, long packets, long bytes) {
        used.add(flow.id() + "/" + direction + ":" + packets + "/" + bytes);
    }
}
