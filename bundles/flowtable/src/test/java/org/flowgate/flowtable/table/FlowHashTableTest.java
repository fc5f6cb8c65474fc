package org.flowgate.flowtable.table;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;

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

    /** IPv6 flow number {@code i}: fd00::(i) port -> 2001:db8::7:443, source NATed to 2001:db8:2::(i) (replies keyed on b). */
    private Flow flow6(int i) {
        FlowTuple.Spec o = new FlowTuple.Spec(), r = new FlowTuple.Spec();
        o.family = r.family = 6;
        o.proto = r.proto = 17;
        o.srcHi = 0xFD00_0000_0000_0000L; o.srcLo = 0x1_0000L | (i >>> 8); o.srcPort = 1024 + (i & 0xFF);
        o.dstHi = 0x2001_0DB8_0000_0000L; o.dstLo = 7; o.dstPort = 443;
        o.newSrcHi = 0x2001_0DB8_0002_0000L; o.newSrcLo = 0x1_0000L | i; o.newSrcPort = o.srcPort;
        o.newDstHi = o.dstHi; o.newDstLo = o.dstLo; o.newDstPort = o.dstPort;
        r.srcHi = o.dstHi; r.srcLo = o.dstLo; r.srcPort = 443; r.dstHi = o.newSrcHi; r.dstLo = o.newSrcLo; r.dstPort = o.srcPort;
        r.newSrcHi = o.dstHi; r.newSrcLo = o.dstLo; r.newSrcPort = 443; r.newDstHi = o.srcHi; r.newDstLo = o.srcLo; r.newDstPort = o.srcPort;
        o.inDevice = a; o.outDevice = b; r.inDevice = b; r.outDevice = a;
        FakeConn c = FakeConn.of(17, "fd00::1", 1, "2001:db8::7", 443, "2001:db8::7", 443, "2001:db8:2::1", 1);
        return new Flow(i, c, o, r, 0);
    }

    /**
     * What the fast path does for an IPv6 key: probe with the side array of the slot array it read
     * (null when there is none for it) and take the new addresses from there (or from the tuple);
     * null when not found, else {new source hi, lo, new destination hi, lo, flow index}.
     */
    private static long[] fastLookup6(FlowHashTable t, FlowTuple k) {
        long[] s = t.slots(), w = t.wideFor(s);
        long hit = t.probe6(s, w, k.srcHi, k.srcLo, k.dstHi, k.dstLo, FlowHashTable.ports(k.srcPort, k.dstPort, k.inIfIndex),
                FlowHashTable.misc(6, k.proto, k.inVlan));
        if (hit == FlowHashTable.MISS) return null;
        int b = (int) hit, i = b / FlowHashTable.SLOT * FlowHashTable.WIDE;
        long index = s[b + FlowHashTable.MISC] & 0x7FFF_FFFF;
        FlowTuple e = t.tupleOf(s[b + FlowHashTable.MISC]);
        long[] r = w != null
                ? new long[] {w[i + FlowHashTable.W_NEW_SRC], w[i + FlowHashTable.W_NEW_SRC + 1], w[i + FlowHashTable.W_NEW_DST], w[i + FlowHashTable.W_NEW_DST + 1], index}
                : e == null ? null : new long[] {e.newSrcHi, e.newSrcLo, e.newDstHi, e.newDstLo, index};
        return FlowHashTable.stable(s, hit) == FlowHashTable.MISS ? null : r;
    }

    private static void assertRewrites(FlowTuple k, long[] found) {
        assertNotNull(found, "found");
        assertArrayEquals(new long[] {k.newSrcHi, k.newSrcLo, k.newDstHi, k.newDstLo, k.index()}, found);
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
        AtomicLong misses = new AtomicLong();
        long lookups = readWhileChurning(t, this::flow, i -> {
            Flow f = stable.get(i % stable.size());
            if (find(t, f.tuple((i + 1) & 1)) != f.tuple((i + 1) & 1)) misses.incrementAndGet();
        });
        assertTrue(lookups > 0);
        assertEquals(0, misses.get(), "lookups of flows that were never removed");
        assertEquals(1000, t.size());
    }

    @Test
    void ipv6FlowsKeepTheirAddressesInTheSideArrayThroughGrowthChurnAndRebuilds() {
        FlowHashTable t = new FlowHashTable(16);
        assertNull(t.wideFor(t.slots()), "no side array before the first IPv6 flow");
        List<Flow> v4 = new ArrayList<>(), v6 = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            Flow f4 = flow(i), f6 = flow6(i);
            assertTrue(t.insert(f4, true));
            assertTrue(t.insert(f6, true));
            v4.add(f4);
            v6.add(f6);
        }
        assertNotNull(t.wideFor(t.slots()));
        for (int i = 0; i < 3000; i += 2) assertTrue(t.remove(v6.get(i)));
        for (int round = 0; round < 10; round++) { // tombstone rebuilds
            for (int i = 0; i < 3000; i += 2) assertTrue(t.insert(v6.get(i), true));
            for (int i = 0; i < 3000; i += 2) assertTrue(t.remove(v6.get(i)));
        }
        assertNotNull(t.wideFor(t.slots()), "rebuilds keep the side array paired with the slots");
        for (int i = 0; i < 3000; i++) {
            Flow f = v6.get(i);
            for (int d = 0; d < 2; d++) {
                if (i % 2 == 0) assertNull(fastLookup6(t, f.tuple(d)), "removed flow " + i);
                else assertRewrites(f.tuple(d), fastLookup6(t, f.tuple(d)));
            }
            assertSame(v4.get(i).tuple(1), find(t, v4.get(i).tuple(1)), "IPv4 flows untouched");
        }
    }

    @Test
    void ipv6ReadersAlwaysGetTheirFlowsRewriteWhileWritersChurnAndResize() throws Exception {
        FlowHashTable t = new FlowHashTable(16);
        List<Flow> stable = new ArrayList<>();
        for (int i = 0; i < 1000; i++) { Flow f = flow6(i); t.insert(f, true); stable.add(f); }
        AtomicLong wrong = new AtomicLong();
        long lookups = readWhileChurning(t, this::flow6, i -> {
            FlowTuple k = stable.get(i % stable.size()).tuple((i + 1) & 1);
            long[] found = fastLookup6(t, k);
            // a reader may lose a hit to a concurrent rewrite of its slot (it then takes the classic path), never get another flow's data
            if (found != null && (found[4] != k.index() || found[0] != k.newSrcHi || found[1] != k.newSrcLo
                    || found[2] != k.newDstHi || found[3] != k.newDstLo)) wrong.incrementAndGet();
        });
        assertTrue(lookups > 0);
        assertEquals(0, wrong.get(), "hits with another flow's rewrite");
        for (Flow f : stable) for (int d = 0; d < 2; d++) assertRewrites(f.tuple(d), fastLookup6(t, f.tuple(d)));
    }

    /**
     * Three reader threads call {@code read} with their own running count (0, 1, 2, ...) while this
     * thread inserts and removes 30 rounds of 3000 flows made by {@code make} (growth, tombstones,
     * rebuilds); returns the reads made.
     */
    private static long readWhileChurning(FlowHashTable t, IntFunction<Flow> make, IntConsumer read) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            readers.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; !stop.get(); i++) {
                    read.accept(i);
                    reads.incrementAndGet();
                }
            }));
        }
        for (int round = 0; round < 30; round++) {
            List<Flow> churn = new ArrayList<>();
            for (int i = 0; i < 3000; i++) { Flow f = make.apply(100_000 + round * 3000 + i); t.insert(f, true); churn.add(f); }
            for (Flow f : churn) t.remove(f);
        }
        stop.set(true);
        for (Thread th : readers) th.join();
        return reads.get();
    }
}
