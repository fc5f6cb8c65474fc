package org.flowgate.flowtable.fastpath;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.packet.Packet;
import org.flowgate.flowtable.support.FakeConn;
import org.flowgate.flowtable.support.FakeDevice;
import org.flowgate.flowtable.support.Frames;
import org.flowgate.flowtable.support.TestWorld;
import org.junit.jupiter.api.Test;

/**
 * Two port threads forward their flows through the fast path while a third keeps adding and
 * removing other flows (growing, tombstoning and rebuilding the hash array) and the garbage
 * collector walks the table: every packet of a stable flow is forwarded, none is lost or corrupted.
 */
class ConcurrencyTest {
    @Test
    void packetThreadsWriterAndCollectorAtOnce() throws Exception {
        TestWorld w = new TestWorld();
        // the devices only count here: FakeDevice's frame list is not thread-safe
        FakeDevice lan = w.lan, wan = w.wan;
        lan.keepFrames = false;
        wan.keepFrames = false;
        FakeConn a = FakeConn.of(Frames.UDP, "10.0.1.2", 1000, "198.51.100.7", 53, "198.51.100.7", 53, "192.0.2.1", 1000).established();
        w.table.offer(w.forwarded(Frames.tcp(TestWorld.LAN_MAC, TestWorld.H1_MAC, "10.0.1.2", 1000, "198.51.100.7", 53).udp(), a, 0, lan, wan));
        assertEquals(1, w.table.count());
        byte[] out = Frames.tcp(TestWorld.LAN_MAC, TestWorld.H1_MAC, "10.0.1.2", 1000, "198.51.100.7", 53).udp().build();
        byte[] back = Frames.tcp(TestWorld.WAN_MAC, TestWorld.GW_MAC, "198.51.100.7", 53, "192.0.2.1", 1000).udp().build();

        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int n = 200_000;
        List<Thread> threads = new ArrayList<>();
        long[] stolen = new long[2];
        for (int k = 0; k < 2; k++) {
            int id = k;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    Packet p = new Packet();
                    byte[] f = id == 0 ? out : back;
                    for (int i = 0; i < n; i++) {
                        p.setFrame(f, 0, f.length);
                        p.parse();
                        p.setInDevice(id == 0 ? lan : wan);
                        if (w.fastPath.process(Hook.INGRESS, p) == Verdict.STOLEN) stolen[id]++;
                        if (!Frames.l4Ok(p.array(), p.l3(), p.l4()) || !Frames.ipv4HeaderOk(p.array(), p.l3())) throw new AssertionError("bad checksum");
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }));
        }
        Thread churn = Thread.ofPlatform().start(() -> {
            try {
                Packet p = new Packet();
                for (int round = 0; !stop.get(); round++) {
                    List<FlowEntry> mine = new ArrayList<>();
                    for (int i = 0; i < 300; i++) {
                        int port = 2000 + i;
                        FakeConn c = FakeConn.of(Frames.TCP, "10.0.1.2", port, "198.51.100.7", 80, "198.51.100.7", 80, "192.0.2.1", port).established();
                        p.copyFrom(w.forwarded(Frames.tcp(TestWorld.LAN_MAC, TestWorld.H1_MAC, "10.0.1.2", port, "198.51.100.7", 80), c, 0, lan, wan));
                        w.table.offer(p);
                    }
                    for (FlowEntry e : w.table.list()) if (e.original().proto == Frames.TCP) mine.add(e);
                    for (FlowEntry e : mine) w.table.delete(e);
                    w.table.gcStep(256);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        for (Thread t : threads) t.join();
        stop.set(true);
        churn.join();
        if (failure.get() != null) throw new AssertionError(failure.get());
        assertEquals(n, stolen[0], "every packet of h1's flow took the fast path");
        assertEquals(n, stolen[1]);
        assertEquals(2L * n, w.table.stats().hits());
        assertEquals(2L * n, lan.transmitted + wan.transmitted);
        assertEquals(1, w.table.count(), "only the stable flow is left");
        assertTrue(w.table.stats().added() > 300, "the writer churned");
    }
}
