package org.flowgate.api.flowtable;

import java.util.List;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/** A flow table (an nft {@code flowtable} object, or a ct zone's table). */
@ProviderType
public interface FlowTable {
    String name();

    Set<String> devices();

    boolean hardwareOffload();

    int count();

    List<FlowEntry> list();

    int flush();

    /**
     * The {@code flow add @ft} statement: offers the connection of {@code p} (conntrack already
     * ran) to this table. It is added once established; until then this does nothing. Called on
     * the packet path: allocation-free where the flow already exists.
     */
    void offer(org.flowgate.api.packet.Packet p);

    /** The declaration this table was made from. */
    FlowTableSpec spec();

    /** Removes one flow, returning its connection to conntrack; false when it was not in the table. */
    boolean delete(FlowEntry flow);

    FlowTableStats stats();
}
