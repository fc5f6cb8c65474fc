package org.flowgate.api.flowtable;

import org.osgi.annotation.versioning.ConsumerType;

/** Receives flow table events (the offload manager subscribes). */
@ConsumerType
public interface FlowTableListener {
    void flowAdded(FlowTable table, FlowEntry flow);

    void flowRemoved(FlowTable table, FlowEntry flow);
}
