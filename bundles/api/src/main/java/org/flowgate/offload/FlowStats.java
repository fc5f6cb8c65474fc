package org.flowgate.offload;

/**
 * Hardware counters of one flow direction, cumulative since {@link FlowBlock#add}.
 *
 * @param packets        packets the hardware forwarded
 * @param bytes          their bytes (as received, layer 2 included)
 * @param lastUsedMillis wall-clock time ({@code System.currentTimeMillis()}) of the last hit, 0 when none
 */
public record FlowStats(long packets, long bytes, long lastUsedMillis) {
}
