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

    /**
     * Accounts packets a hardware offload driver forwarded for one direction of {@code flow} since
     * the last call, and marks the flow used now, as Linux's {@code flow_offload_refresh} after a
     * stats pull: a flow busy in hardware is not aged out by the software garbage collector.
     * Called by the offload manager's threads, never on the packet path. The default (a table that
     * does not support offload) does nothing.
     *
     * @param packets packets forwarded in hardware since the last call (a delta, &gt;= 0)
     * @param bytes   their bytes
     */
    default void hardwareUsed(FlowEntry flow, int direction, long packets, long bytes) {}

    /**
     * The conntrack zone whose connections this table holds when it is a tc ct zone's table
     * (act_ct's per-zone table), -1 otherwise. Such a table's flows have no devices: its paths
     * name device {@code "*"}; a packet is matched by zone and tuple wherever it arrives, and the
     * table only restores the connection's ct state (the tc filters forward).
     *
     * @since 1.3
     */
    default int ctZone() { return -1; }

    /**
     * Subscribes a listener to this table's events, for tables registered as {@code FlowTable}
     * services (a tc ct zone's table) rather than held by the {@link FlowTableService}, whose
     * tables deliver events to the {@link FlowTableListener} services of their instance. Events are
     * delivered from the table's worker (never from the packet path). Adding the same listener twice
     * has no effect.
     *
     * @return false when the table does not deliver events this way (the default)
     * @since 1.3
     */
    default boolean addListener(FlowTableListener listener) { return false; }

    /** Ends a subscription made by {@link #addListener}. @since 1.3 */
    default void removeListener(FlowTableListener listener) {}
}
