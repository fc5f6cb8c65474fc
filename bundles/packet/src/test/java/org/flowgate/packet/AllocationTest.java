package org.flowgate.packet;

import static org.flowgate.packet.TestFrames.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.Verdict;
import org.junit.jupiter.api.Test;

/** The forwarding hot path allocates nothing per packet (measured by the JVM's per-thread allocation counter). */
class AllocationTest extends RouterFixture {

    @Test
    void forwardingDoesNotAllocate() { measure(() -> { }); }

    @Test
    void forwardingWithACaptureTapDoesNotAllocateInThePath() {
        long[] seen = new long[1];
        measure(() -> router.devices().addTap((d, tx, p) -> seen[0]++, null));
        assertEquals(4L * 150_000, seen[0], "rx and tx of every packet tapped");
    }

    private void measure(Runnable beforeTraffic) {
        var mx = ManagementFactory.getThreadMXBean();
        assumeTrue(mx instanceof com.sun.management.ThreadMXBean, "needs HotSpot's per-thread allocation counter");
        var hs = (com.sun.management.ThreadMXBean) mx;
        learnHosts();
        beforeTraffic.run();
        router.hooks().add((h, p) -> Verdict.ACCEPT, 0, Hook.PREROUTING, Hook.FORWARD, Hook.POSTROUTING);
        p0.setCapture(false);
        p1.setCapture(false);
        long sentBefore = p1.sentCount();
        byte[] v4 = eth(R0, H1, 0x0800, ipv4(H1_IP, H2_IP, 17, 64, udp4(H1_IP, H2_IP, 1, 2, new byte[64])));
        byte[] v6 = eth(R0, H1, 0x86DD, ipv6(H1_6, H2_6, 17, 64, udp6(H1_6, H2_6, 1, 2, new byte[64])));
        for (int i = 0; i < 50_000; i++) { p0.inject(v4); p0.inject(v6); } // warm up (JIT, escape analysis)
        long tid = Thread.currentThread().threadId();
        long before = hs.getThreadAllocatedBytes(tid);
        int n = 100_000;
        for (int i = 0; i < n; i++) { p0.inject(v4); p0.inject(v6); }
        long allocated = hs.getThreadAllocatedBytes(tid) - before;
        assertEquals(2L * (50_000 + n), p1.sentCount() - sentBefore);
        assertTrue(allocated < 64 * 1024, "allocated " + allocated + " bytes for " + 2 * n + " packets");
    }
}
