package org.flowgate.flowtable.bench;

import java.util.ArrayList;
import java.util.List;

import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.packet.Packet;
import org.flowgate.flowtable.support.FakeConn;
import org.flowgate.flowtable.table.FlowHashTable;
import org.flowgate.flowtable.support.TestWorld;

/**
 * Heap used per flow by a table holding N flows (default 1M): the slot array, the flows and both
 * tuples, excluding the conntrack entries (which conntrack owns). Two tables: one sized for N
 * ({@code expected.flows = N}) and one grown from 16; both measured in steady state, after the
 * garbage collector's epochs harvested the arrays that growth rebuilt away. Run with the test
 * classpath: {@code java -Xmx4g -cp <test classpath> org.flowgate.flowtable.bench.FlowMemory [N]}.
 */
public final class FlowMemory {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        measure(n, n);
        measure(n, 16);
    }

    private static void measure(int n, int expected) throws Exception {
        List<FakeConn> conns = new ArrayList<>(n);
        for (int i = 0; i < n; i++) conns.add(FastPathBench.conn(i, 4));
        long before = used();
        TestWorld w = new TestWorld(true, expected);
        Packet p = w.forwarded(FastPathBench.flow(0, 4), conns.get(0), FlowEntry.ORIGINAL, w.lan, w.wan);
        for (int i = 0; i < n; i++) {
            p.setConn(conns.get(i));
            w.table.offer(p);
        }
        w.added.clear(); // the test world keeps events; a real table does not
        for (int k = 0; k < 3; k++) { // what the worker does: epochs, at least a second apart in total
            w.table.gcStep(1);
            Thread.sleep(600);
        }
        long after = used();
        long slotBytes = (long) w.table.gcSlots() * FlowHashTable.SLOT * 8;
        System.out.printf("%d flows, expected.flows=%d, %d slots (%.1f bytes per flow in the slot array): %.1f bytes per flow%n",
                w.table.count(), expected, w.table.gcSlots(), slotBytes / (double) n, (after - before) / (double) n);
        if (w.table.count() != n) throw new IllegalStateException("only " + w.table.count() + " flows");
        java.lang.ref.Reference.reachabilityFence(w);
        java.lang.ref.Reference.reachabilityFence(p);
        java.lang.ref.Reference.reachabilityFence(conns);
    }

    private static long used() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 4; i++) { System.gc(); Thread.sleep(100); }
        return rt.totalMemory() - rt.freeMemory();
    }
}
