package org.flowgate.offload;

import java.util.Set;

import org.flowgate.api.flowtable.FlowTableSpec;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * What a NIC vendor implements to take flows off the software path, as a Linux driver's
 * {@code ndo_setup_tc(TC_SETUP_FT)}: register it as an OSGi service (property
 * {@code flowgate.instance}, default {@code "default"}); the offload manager binds it to every flow
 * table declared with {@code flags offload} whose devices it can offload, and sends that table's
 * flows to the returned {@link FlowBlock}.
 * <p>
 * Calls come from the manager's work queue threads, never from the packet path. A driver may come
 * and go at any time: when its service goes away the manager moves its flows back to software
 * (the driver must stop forwarding them in hardware by the time {@link FlowBlock#unbind()} returns).
 */
@ConsumerType
public interface OffloadDriver {
    /** Service property listing the device names a driver offloads (informative; {@link #devices()} decides). */
    String DEVICES = "flowgate.offload.devices";

    /** A short name for commands and logs ({@code offload:drivers}). */
    String name();

    /** The devices (netdev names, as {@code NetDevice.name()}) this driver can forward between. */
    Set<String> devices();

    /**
     * Whether packets arriving on {@code device} can be matched by this driver, or leaving by it
     * be sent. A flow direction is offered only when both its in and out devices pass.
     */
    default boolean canOffload(String device) { return devices().contains(device); }

    /**
     * Binds to one flow table (an nft {@code flowtable} with {@code flags offload}, or later a ct
     * zone's table): returns the callback block that receives its flows, or null when this driver
     * will not serve the table.
     *
     * @throws OffloadException when the driver cannot bind now (the table stays in software)
     */
    FlowBlock bind(FlowTableSpec table) throws OffloadException;

    /**
     * Binds to one flow table like {@link #bind(FlowTableSpec)}, handing the driver the
     * {@code callback} through which it reports rules of this table's block that it dropped on its
     * own ({@link OffloadCallback#evicted}: hardware aging, table shrink or reset, port removal).
     * The manager always binds through this method; the default ignores the callback and calls
     * {@link #bind(FlowTableSpec)}, so drivers that never drop rules by themselves need not
     * implement it. A driver that does must report every such drop, or the manager keeps showing
     * the flow in hardware (and stops pulling counters that would keep it alive) until it ends.
     *
     * @throws OffloadException when the driver cannot bind now (the table stays in software)
     * @since 1.3
     */
    default FlowBlock bind(FlowTableSpec table, OffloadCallback callback) throws OffloadException { return bind(table); }

    /**
     * Whether this driver takes the flows of tc ct zone tables ({@code FlowTable.ctZone() >= 0}),
     * as a Linux driver registers a callback on the flow table of an offloaded {@code ct} action:
     * their rules are ct-only ({@link FlowRule#ctOnly()}: match zone + tuple on any of the driver's
     * ports, restore the ct metadata, apply the NAT mangles, then continue with the driver's own
     * post_ct rules or miss to software with the chain and zone). Such a table is bound with
     * {@link #bind} like any other, with the spec family {@code "tc"}. Default false: drivers
     * written before ct zone tables are never offered them.
     *
     * @since 1.2
     */
    default boolean offloadsCtZones() { return false; }
}
