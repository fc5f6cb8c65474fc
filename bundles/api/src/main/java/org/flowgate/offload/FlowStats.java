package org.flowgate.offload;

/** Hardware counters of a flow since the last pull. */
public record FlowStats(long packets, long bytes, long lastUsedMillis) {
}
