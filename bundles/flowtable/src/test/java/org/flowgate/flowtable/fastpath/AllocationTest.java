package org.flowgate.flowtable.fastpath;

import static org.flowgate.flowtable.support.Scenario.*;
import static org.junit.jupiter.api.Assertions.*;

import java.lang.management.ManagementFactory;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.packet.Packet;
import org.flowgate.flowtable.support.FakeConn;
import org.flowgate.flowtable.support.Frames;
import org.flowgate.flowtable.support.TestWorld;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The per-packet work allocates nothing: fast-path hits, misses, hand-backs and offers of a known flow. */
class AllocationTest {
    @Test
    void thePacketPathAllocatesNothing() {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(mx.isThreadAllocatedMemorySupported(), "JVM cannot count allocated bytes per thread");
        TestWorld w = new TestWorld();
        w.wan.keepFrames = false;
        w.lan.keepFrames = false;
        FakeConn c = offload(w, Frames.TCP);
        byte[] hit = outbound(Frames.TCP).build(), miss = Frames.tcp(TestWorld.LAN_MAC, TestWorld.H1_MAC, H1, 1, SERVER, 2).build();
        Frames ttl = outbound(Frames.TCP);
        ttl.ttl = 1;
        byte[] handBack = ttl.build();
        Packet p = new Packet();
        Packet offered = w.forwarded(outbound(Frames.TCP), c, 0, w.lan, w.wan);
        run(w, p, hit, hit, miss, handBack, offered, 20_000); // warm up: class loading, LongAdder cells, JIT
        long before = mx.getCurrentThreadAllocatedBytes();
        run(w, p, hit, hit, miss, handBack, offered, 100_000);
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertEquals(200_000 + 20_000 * 2, w.table.stats().hits());
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes for 400k packets");
    }

    private static void run(TestWorld w, Packet p, byte[] a, byte[] b, byte[] miss, byte[] handBack, Packet offered, int n) {
        for (int i = 0; i < n; i++) {
            send(w, p, a, Verdict.STOLEN);
            send(w, p, b, Verdict.STOLEN);
            send(w, p, miss, Verdict.ACCEPT);
            send(w, p, handBack, Verdict.ACCEPT);
            w.table.offer(offered);
        }
    }

    private static void send(TestWorld w, Packet p, byte[] frame, Verdict expected) {
        p.setFrame(frame, 0, frame.length);
        p.parse();
        p.setInDevice(w.lan);
        if (w.fastPath.process(Hook.INGRESS, p) != expected) throw new AssertionError("verdict");
    }
}
