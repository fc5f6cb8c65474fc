package org.flowgate.flowtable.table;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.flowgate.flowtable.support.FakeConn;
import org.flowgate.flowtable.support.FakeDevice;
import org.junit.jupiter.api.Test;

class FlowHashTableTest {
    private final FakeDevice a = new FakeDevice("a", 1, 1), b = new FakeDevice("b", 2, 2);

    /** Flow number {@code i}: 10.(i)/ port -> 192.0.2.1:80, replies keyed on device b. */
    private Flow flow(int i) {
        FlowTuple.Spec o = new FlowTuple.Spec(), r = new FlowTuple.Spec();
        o.family = r.family = 4;
        o.proto = r.proto = 6;
        o.srcLo = 0x0A00_0000L | (i >>> 8); o.srcPort = 1024 + (i & 0xFF); o.dstLo = 0xC000_0201L; o.dstPort = 80;
        r.srcLo = o.dstLo; r.srcPort = 80; r.dstLo = o.srcLo; r.dstPort = o.srcPort;
        o.inDevice = a; o.outDevice = b; r.inDevice = b; r.outDevice = a;
        FakeConn c = FakeConn.of(6, "10.0.0.1", 1, "10.0.0.2", 2, "10.0.0.2", 2, "10.0.0.1", 1);
        return new Flow(i, c, o, r, 0);
    }

    private static FlowTuple find(FlowHashTable t, FlowTuple k) {
        return t.lookup(k.family, k.srcHi, k.srcLo, k.dstHi, k.dstLo, k.proto, k.srcPort, k.dstPort, k.inIfIndex, k.inVlan);
    }

    @Test
    void growsRemovesAndRebuildsKeepingEveryLiveFlow() {
        FlowHashTable t = new FlowHashTable(16);
        List<Flow> flows = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            Flow f = flow(i);
            assertTrue(t.insert(f, true));
            flows.add(f);
        }
        assertFalse(t.insert(flow(17), true), "the same key twice");
        assertEquals(5000, t.size());
        assertTrue(t.capacity() >= 4 * 5000 / 2);
        for (int i = 0; i < 5000; i += 2) assertTrue(t.remove(flows.get(i)));
        assertFalse(t.remove(flows.get(0)));
        assertEquals(2500, t.size());
        for (int i = 0; i < 5000; i++) {
            Flow f = flows.get(i);
            FlowTuple o = find(t, f.tuple(0)), r = find(t, f.tuple(1));
            if (i % 2 == 0) { assertNull(o); assertNull(r); }
            else { assertSame(f.tuple(0), o); assertSame(f.tuple(1), r); }
        }
        // churn: tombstones never fill the table
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < 5000; i += 2) assertTrue(t.insert(flows.get(i), true));
            for (int i = 0; i < 5000; i += 2) assertTrue(t.remove(flows.get(i)));
        }
        assertEquals(2500, t.size());
        assertSame(flows.get(4999).tuple(1), find(t, flows.get(4999).tuple(1)));
    }

    @Test
    void readersNeverMissAFlowThatStaysWhileWritersChurnAndResize() throws Exception {
        FlowHashTable t = new FlowHashTable(16);
        List<Flow> stable = new ArrayList<>();
        for (int i = 0; i < 1000; i++) { Flow f = flow(i); t.insert(f, true); stable.add(f); }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong misses = new AtomicLong(), lookups = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            readers.add(Thread.ofPlatform().start(() -> {
                int i = 0;
                while (!stop.get()) {
                    Flow f = stable.get(i++ % stable.size());
                    if (find(t, f.tuple(i & 1)) != f.tuple(i & 1)) misses.incrementAndGet();
                    lookups.incrementAndGet();
                }
            }));
        }
        for (int round = 0; round < 30; round++) {
            List<Flow> churn = new ArrayList<>();
            for (int i = 0; i < 3000; i++) { Flow f = flow(100_000 + round * 3000 + i); t.insert(f, true); churn.add(f); }
            for (Flow f : churn) t.remove(f);
        }
        stop.set(true);
        for (Thread th : readers) th.join();
        assertTrue(lookups.get() > 0);
        assertEquals(0, misses.get(), "lookups of flows that were never removed");
        assertEquals(1000, t.size());
    }
}
