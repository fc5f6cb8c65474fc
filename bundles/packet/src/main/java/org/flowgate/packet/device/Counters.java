package org.flowgate.packet.device;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import org.flowgate.api.netdev.DeviceCounters;
import org.flowgate.api.packet.DropReason;

/** Per-device counters: striped adders, so packet threads never contend or allocate on update. */
public final class Counters {
    private final LongAdder rxPackets = new LongAdder();
    private final LongAdder rxBytes = new LongAdder();
    private final LongAdder txPackets = new LongAdder();
    private final LongAdder txBytes = new LongAdder();
    private final LongAdder[] drops = new LongAdder[DropReason.count()];

    public Counters() {
        for (int i = 0; i < drops.length; i++) drops[i] = new LongAdder();
    }

    public void rx(int bytes) { rxPackets.increment(); rxBytes.add(bytes); }

    public void tx(int bytes) { txPackets.increment(); txBytes.add(bytes); }

    public void drop(DropReason r) { drops[r.ordinal()].increment(); }

    public long drops(DropReason r) { return drops[r.ordinal()].sum(); }

    public DeviceCounters snapshot() {
        Map<DropReason, Long> m = new EnumMap<>(DropReason.class);
        for (int i = 0; i < drops.length; i++) {
            long v = drops[i].sum();
            if (v != 0) m.put(DropReason.ofOrdinal(i), v);
        }
        return new DeviceCounters(rxPackets.sum(), rxBytes.sum(), txPackets.sum(), txBytes.sum(), Map.copyOf(m));
    }
}
