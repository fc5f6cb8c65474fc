package org.flowgate.api.netdev;

import java.util.Map;

import org.flowgate.api.packet.DropReason;

/** A snapshot of a device's counters. */
public record DeviceCounters(long rxPackets, long rxBytes, long txPackets, long txBytes, Map<DropReason, Long> drops) {
    public long dropped() {
        long s = 0;
        for (long v : drops.values()) s += v;
        return s;
    }
}
