package org.flowgate.offload;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One driver's callbacks for one flow table, as a Linux {@code flow_block_cb} receiving
 * {@code FLOW_CLS_REPLACE}, {@code FLOW_CLS_DESTROY} and {@code FLOW_CLS_STATS}.
 * <p>
 * Each direction of a flow is one {@link FlowRule}, identified by its {@link FlowRule#cookie()}.
 * Calls for the same cookie never overlap and come in order (add, stats*, del); calls for different
 * cookies may come from several manager threads at once. Calls may block (firmware commands), but a
 * slow driver delays only its own flows, which keep being forwarded in software meanwhile.
 * <p>
 * A rule the driver drops on its own (hardware aging, table shrink or reset, port removal) is
 * reported through the {@link OffloadCallback} the block was bound with (since 1.3); a later
 * {@link #del} or {@link #stats} of that cookie then finds it unknown.
 */
@ConsumerType
public interface FlowBlock {
    /**
     * Installs one flow direction. When this returns the hardware forwards matching packets.
     *
     * @throws OffloadException when refused (table full, unsupported match or action, device gone):
     *         the flow stays in software, nothing is lost; the manager may retry later
     */
    void add(FlowRule rule) throws OffloadException;

    /** Removes one flow direction; after it returns, its packets reach software again. Never throws for an unknown cookie. */
    void del(FlowRule rule);

    /**
     * Counters of one flow direction since it was added (cumulative, not since the last call),
     * or null when the driver does not know the cookie.
     */
    FlowStats stats(FlowRule rule);

    /**
     * The manager is done with this table (driver leaving, table removed, ruleset reloaded):
     * remove every flow still installed through this block.
     */
    default void unbind() {}
}
