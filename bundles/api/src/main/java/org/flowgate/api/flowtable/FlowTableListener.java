package org.flowgate.api.flowtable;

import org.osgi.annotation.versioning.ConsumerType;

/** Receives flow table events (the offload manager subscribes). */
@ConsumerType
public interface FlowTableListener {
    void flowAdded(FlowTable table, FlowEntry flow);

    void flowRemoved(FlowTable table, FlowEntry flow);

    /**
     * The garbage collector wants to remove {@code flow} (idle, torn down, route change, flush) while
     * it is in hardware ({@link FlowEntry.HwState#PENDING}, {@code HW} or {@code HW_REFRESH}): the
     * table has set it {@link FlowEntry.HwState#DYING} and keeps it until the offload manager sets it
     * {@link FlowEntry.HwState#DEAD} (or back to {@code SOFTWARE}), as Linux's GC waits for
     * {@code NF_FLOW_HW_DEAD}. Delivered on the table's worker; must not block.
     */
    default void flowDying(FlowTable table, FlowEntry flow) {}
}
