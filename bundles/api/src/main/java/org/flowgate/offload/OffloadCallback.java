package org.flowgate.offload;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What a driver calls back on the offload manager for one bound flow table, handed to it by
 * {@link OffloadDriver#bind(org.flowgate.api.flowtable.FlowTableSpec, OffloadCallback)}.
 * <p>
 * {@link #evicted} tells the manager that the driver no longer holds a rule it installed through
 * that table's {@link FlowBlock} without having been asked to (the hardware aged it out, the table
 * shrank or was reset, a port left). The manager then treats the whole flow as back in software,
 * as Linux's {@code NF_FLOW_HW_REFRESH} path: it removes the flow's other direction from the
 * driver, sets the flow {@code hw-refresh} and offers it again after its retry interval, and counts
 * the eviction by reason. The packets of an evicted rule must already reach software (a miss) when
 * the driver reports it; the software table never dropped the flow, so nothing is lost.
 * <p>
 * Thread-safe and non-blocking: the driver may call it from any thread, at any time, including from
 * inside {@link FlowBlock#add}, {@link FlowBlock#del} or {@link FlowBlock#stats} and while holding
 * its own locks; the manager only queues the report and handles it on the flow's worker, in order
 * with that flow's other calls. Reports of unknown or already deleted cookies are ignored.
 *
 * @since 1.3
 */
@ProviderType
public interface OffloadCallback {
    /**
     * The driver dropped the rule with this cookie by itself.
     *
     * @param cookie the rule's {@link FlowRule#cookie()}
     * @param reason why, for counters
     */
    void evicted(long cookie, EvictionReason reason);

    /** The driver dropped this rule by itself; same as {@link #evicted(long, EvictionReason)} with its cookie. */
    default void evicted(FlowRule rule, EvictionReason reason) { evicted(rule.cookie(), reason); }
}
