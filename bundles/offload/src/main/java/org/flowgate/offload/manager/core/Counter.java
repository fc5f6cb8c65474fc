package org.flowgate.offload.manager.core;

import java.util.Locale;

/** What the manager counts (shown by {@code offload:stats}, in this order). */
public enum Counter {
    /** Flow directions installed in a driver. */
    ADDED,
    /** Flow directions removed from a driver. */
    DELETED,
    /** Refusals, by {@code OffloadException.Reason}. */
    REFUSED_CAPACITY, REFUSED_UNSUPPORTED, REFUSED_DEVICE, REFUSED_FAILED,
    /**
     * Flows the driver dropped on its own ({@code OffloadCallback.evicted}), by
     * {@code EvictionReason}: moved back to software ({@code hw-refresh}) and offered again later.
     */
    EVICTED_CAPACITY, EVICTED_AGED, EVICTED_RESET, EVICTED_DEVICE, EVICTED_OTHER,
    /** A driver threw something other than OffloadException. */
    DRIVER_ERRORS,
    /** A driver call took longer than the slow-call setting. */
    SLOW_CALLS,
    /** A new flow found its worker's queue full: it stays in software until a retry. */
    QUEUE_FULL,
    /** A flow of an offload table that no driver serves. */
    NO_DRIVER,
    /** Flows given back to software because their driver left. */
    DRIVER_GONE,
    /** Offers made again after a refusal, failure or full queue. */
    RETRIES,
    /** Flows whose hardware counters moved, refreshing their last-used time. */
    REFRESHES,
    STATS_PULLS, STATS_ERRORS,
    BATCHES;

    public String label() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }
}
