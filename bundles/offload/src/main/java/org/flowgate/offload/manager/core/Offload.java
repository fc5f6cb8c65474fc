package org.flowgate.offload.manager.core;

import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.offload.FlowBlock;
import org.flowgate.offload.FlowRule;

/**
 * One flow the manager is moving into, or holds in, a driver. Fields without {@code volatile} are
 * written only by the flow's worker.
 */
final class Offload {
    final FlowTable table;
    final FlowEntry flow;
    final int shard;
    volatile Binding binding;
    FlowBlock block;
    FlowRule[] rules;
    /** Both directions are installed in {@link #block}. */
    volatile boolean installed;
    /** The flow left its table: only the removal from hardware remains. */
    volatile boolean removed;
    /** A refused or failed flow is offered again after this time (manager clock, ms). */
    volatile long retryAtMillis;
    /** Last cumulative counters the driver reported, per direction. */
    final long[] hwPackets = new long[2], hwBytes = new long[2];
    volatile long hwPacketsTotal, hwBytesTotal;

    Offload(FlowTable table, FlowEntry flow, int shard) {
        this.table = table;
        this.flow = flow;
        this.shard = shard;
    }
}
