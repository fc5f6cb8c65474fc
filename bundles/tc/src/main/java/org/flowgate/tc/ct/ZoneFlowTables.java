package org.flowgate.tc.ct;

import org.flowgate.api.packet.Packet;

/**
 * The per-zone flow tables of act_ct ({@code tcf_ct_flow_table}): a committed connection is
 * offered to its zone's table and becomes a flow once established. The seam to
 * {@code bundles/flowtable}: {@code FlowTableService} has no way yet to create a table owned by tc
 * without replacing the nft-declared ones, so the default does nothing.
 */
public interface ZoneFlowTables {
    ZoneFlowTables NONE = (zone, p) -> { };

    /** Offers the connection of {@code p} (tracked in {@code zone}) to the zone's flow table. */
    void offer(int zone, Packet p);
}
