package org.flowgate.flowtable.bench;

import java.util.ArrayList;
import java.util.List;

import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.packet.Packet;
import org.flowgate.flowtable.support.FakeConn;
import org.flowgate.flowtable.support.TestWorld;

/**
 * Heap used per flow by a table holding N flows (default 1M): entries, both tuples and the hash
 * slots, excluding the conntrack entries (which conntrack owns). Run with the test classpath:
 * {@code java -Xmx4g -cp <test classpath> org.flowgate.flowtable.bench.FlowMemory [N]}.
 */
public final class FlowMemory {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        TestWorld w = new TestWorld(true);
        List<FakeConn> conns = new ArrayList<>(n);
        List<Packet> packets = new ArrayList<>(1);
        for (int i = 0; i < n; i++) conns.add(FastPathBench.conn(i));
        Packet p = w.forwarded(FastPathBench.flow(0), conns.get(0), FlowEntry.ORIGINAL, w.lan, w.wan);
        packets.add(p);
        long before = used();
        for (int i = 0; i < n; i++) {
            p.setConn(conns.get(i));
            w.table.offer(p);
        }
        w.added.clear(); // the test world keeps events; a real table does not
        long after = used();
        System.out.printf("%d flows, %d hash slots: %.1f bytes per flow%n", w.table.count(), w.table.gcSlots(), (after - before) / (double) n);
        if (w.table.count() != n) throw new IllegalStateException("only " + w.table.count() + " flows");
        java.lang.ref.Reference.reachabilityFence(conns);
        java.lang.ref.Reference.reachabilityFence(packets);
    }

    private static long used() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 4; i++) { System.gc(); Thread.sleep(100); }
        return rt.totalMemory() - rt.freeMemory();
    }
}
