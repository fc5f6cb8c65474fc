package org.flowgate.api.flowtable;

import java.util.Map;

/**
 * Counters of one flow table; the maps keep the order the table lists its reasons in.
 *
 * @param hits        packets forwarded by the fast path
 * @param misses      IP packets on the table's devices with no flow
 * @param handedBack  packets of a flow given back to the classic path, by reason label
 * @param added       flows added
 * @param removed     flows removed, for any reason
 * @param gcEvictions flows the garbage collector removed, by reason label (idle, teardown, ct-dying, route, ...)
 */
public record FlowTableStats(long hits, long misses, Map<String, Long> handedBack, long added, long removed,
        Map<String, Long> gcEvictions) {
    public FlowTableStats {
        handedBack = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(handedBack));
        gcEvictions = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(gcEvictions));
    }
}
