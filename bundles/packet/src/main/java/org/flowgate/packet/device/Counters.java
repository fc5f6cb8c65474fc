package org.flowgate.packet.device;

import java.util.EnumMap;
import java.util.Map;

import org.flowgate.api.netdev.DeviceCounters;
import org.flowgate.api.packet.DropReason;
import org.flowgate.packet.stats.LaneCounters;
import org.flowgate.packet.stats.Lanes;

/**
 * Per-device counters in per-thread {@link Lanes lanes}: a port thread's update is a plain store
 * to cells only it writes (other threads add atomically to the shared lane); reads sum the lanes.
 */
public final class Counters {
    private static final int RX_PACKETS = 0, RX_BYTES = 1, TX_PACKETS = 2, TX_BYTES = 3, DROPS = 4;

    private final LaneCounters cells = new LaneCounters(DROPS + DropReason.count());

    /** A frame received, counted in this thread's lane. */
    public void rx(int bytes) { rx(Lanes.current(), bytes); }

    /** A frame received, counted in {@code lane} (this thread's). */
    public void rx(int lane, int bytes) { cells.add2(lane, RX_PACKETS, 1, RX_BYTES, bytes); }

    public void tx(int bytes) { tx(Lanes.current(), bytes); }

    public void tx(int lane, int bytes) { cells.add2(lane, TX_PACKETS, 1, TX_BYTES, bytes); }

    public void drop(DropReason r) { cells.increment(Lanes.current(), DROPS + r.ordinal()); }

    public long drops(DropReason r) { return cells.sum(DROPS + r.ordinal()); }

    public DeviceCounters snapshot() {
        Map<DropReason, Long> m = new EnumMap<>(DropReason.class);
        for (int i = 0; i < DropReason.count(); i++) {
            long v = cells.sum(DROPS + i);
            if (v != 0) m.put(DropReason.ofOrdinal(i), v);
        }
        return new DeviceCounters(cells.sum(RX_PACKETS), cells.sum(RX_BYTES), cells.sum(TX_PACKETS), cells.sum(TX_BYTES), Map.copyOf(m));
    }
}
