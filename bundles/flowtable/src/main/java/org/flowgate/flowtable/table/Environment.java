package org.flowgate.flowtable.table;

import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.api.route.NeighbourTable;
import org.flowgate.api.route.RoutingTable;

/** What a flow table needs from the rest of its routing instance. */
public interface Environment {
    FlowClock clock();

    ConnTracker conntrack();

    RoutingTable routes();

    NeighbourTable neighbours();

    NetDevices devices();

    /** Called when a flow was added; must not block (the packet path calls it). */
    void flowAdded(FlowTableImpl table, Flow flow);

    /** Called when a flow to be removed is held by hardware (now {@code DYING}); must not block. */
    void flowDying(FlowTableImpl table, Flow flow);

    /** Called when a flow left the table; must not block. */
    void flowRemoved(FlowTableImpl table, Flow flow);
}
