package org.flowgate.conntrack.table;

import static org.flowgate.conntrack.testing.Frames.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.ConntrackListener;
import org.flowgate.api.conntrack.CtState;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.conntrack.proto.Timeouts;
import org.flowgate.conntrack.testing.Router;
import org.junit.jupiter.api.Test;

/** Table limit with early drop, listener events and concurrent use. */
class TableTest {
    static final IpAddress S = IpAddress.parse("198.51.100.7");

    static Packet udp(IpAddress src, int sport, IpAddress dst, int dport) {
        return packet(ip(src, dst, Packet.PROTO_UDP, org.flowgate.conntrack.testing.Frames.udp(sport, dport, new byte[4])));
    }

    static IpAddress host(int i) { return IpAddress.v4(0x0A000000 | i); }

    @Test
    void fullTableEarlyDropsANonAssuredEntry() {
        Router r = new Router(16, 4, Timeouts.linuxDefaults());
        // two assured UDP streams and two unreplied flows
        for (int i = 1; i <= 2; i++) {
            assertTrue(r.forward(udp(host(i), 1000, S, 53)));
            assertTrue(r.forward(udp(S, 53, host(i), 1000)));
        }
        r.clock.advanceSeconds(3);
        for (int i = 1; i <= 2; i++) assertTrue(r.forward(udp(host(i), 1000, S, 53)));
        for (int i = 3; i <= 4; i++) assertTrue(r.forward(udp(host(i), 1000, S, 53)));
        assertEquals(4, r.ct.count());

        Packet fifth = udp(host(5), 1000, S, 53);
        assertTrue(r.forward(fifth));
        assertEquals(CtState.NEW, fifth.ctState());
        assertEquals(4, r.ct.count());
        assertEquals(1L, r.ct.stats().get("early_drop"));
        for (int i = 1; i <= 2; i++) assertNotNull(r.ct.find(0, FiveTuple.of(host(i), 1000, S, 53, Packet.PROTO_UDP)), "assured entries survive");
        int unrepliedLeft = 0;
        for (int i = 3; i <= 4; i++) if (r.ct.find(0, FiveTuple.of(host(i), 1000, S, 53, Packet.PROTO_UDP)) != null) unrepliedLeft++;
        assertEquals(1, unrepliedLeft);
    }

    @Test
    void fullTableOfAssuredEntriesDropsTheNewPacket() {
        Router r = new Router(16, 2, Timeouts.linuxDefaults());
        for (int i = 1; i <= 2; i++) {
            assertTrue(r.forward(udp(host(i), 1000, S, 53)));
            assertTrue(r.forward(udp(S, 53, host(i), 1000)));
        }
        r.clock.advanceSeconds(3);
        for (int i = 1; i <= 2; i++) assertTrue(r.forward(udp(host(i), 1000, S, 53)));
        assertFalse(r.forward(udp(host(3), 1000, S, 53)), "nothing to evict: the new packet is dropped");
        assertEquals(1L, r.ct.stats().get("drop"));
        assertEquals(2, r.ct.count());
        // existing connections still pass
        assertTrue(r.forward(udp(S, 53, host(1), 1000)));
    }

    @Test
    void listenersGetNewUpdateDestroy() throws Exception {
        Router r = new Router();
        List<String> seen = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(4);
        r.ct.addListener((event, entry) -> {
            synchronized (seen) { seen.add(event + " " + entry.original().srcPort + " " + entry.protoState()); }
            done.countDown();
        });
        IpAddress c = host(2);
        assertTrue(r.forward(packet(ip(c, S, Packet.PROTO_TCP, tcp(4000, 80, 1, 0, SYN, 1000)))));
        assertTrue(r.forward(packet(ip(S, c, Packet.PROTO_TCP, tcp(80, 4000, 9, 2, SYN | ACK, 1000)))));
        assertTrue(r.forward(packet(ip(c, S, Packet.PROTO_TCP, tcp(4000, 80, 2, 10, ACK, 1000)))));
        ConnEntry e = r.ct.find(0, FiveTuple.of(c, 4000, S, 80, Packet.PROTO_TCP));
        assertTrue(r.ct.delete(e));
        assertTrue(done.await(5, TimeUnit.SECONDS), "events delivered: " + seen);
        synchronized (seen) {
            assertEquals("NEW 4000", seen.get(0).substring(0, 8));
            assertTrue(seen.get(1).startsWith("UPDATE"));
            assertTrue(seen.get(2).startsWith("UPDATE"));
            assertTrue(seen.get(3).startsWith("DESTROY"));
            assertEquals(4, seen.size());
        }
    }

    @Test
    void aSlowListenerNeverBlocksThePacketPathAndOverflowIsCounted() throws Exception {
        Router r = new Router(1024, 100_000, Timeouts.linuxDefaults());
        CountDownLatch release = new CountDownLatch(1);
        r.ct.addListener((event, entry) -> {
            try { release.await(); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
        });
        // the queue holds 1024 events (Router's size): 3000 new connections overflow it
        for (int i = 1; i <= 3000; i++) assertTrue(r.forward(udp(host(i), 1000, S, 53)));
        assertEquals(3000, r.ct.count());
        assertTrue(r.ct.stats().get("events_dropped") > 0);
        release.countDown();
    }

    @Test
    void destroyEventOnExpiry() throws Exception {
        Router r = new Router();
        AtomicReference<ConntrackListener.Event> last = new AtomicReference<>();
        CountDownLatch destroyed = new CountDownLatch(1);
        r.ct.addListener((event, entry) -> {
            last.set(event);
            if (event == ConntrackListener.Event.DESTROY) destroyed.countDown();
        });
        assertTrue(r.forward(udp(host(1), 1000, S, 53)));
        r.clock.advanceSeconds(31);
        r.ct.gcStep(0, r.ct.table().bucketCount());
        assertTrue(destroyed.await(5, TimeUnit.SECONDS));
        assertEquals(0, r.ct.count());
    }

    @Test
    void twoThreadsHammeringTheTableKeepItConsistent() throws Exception {
        Router r = new Router(256, 1_000_000, Timeouts.linuxDefaults());
        int perThread = 20_000;
        CyclicBarrier start = new CyclicBarrier(2);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] threads = new Thread[2];
        for (int t = 0; t < 2; t++) {
            int id = t;
            threads[t] = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        // each thread: its own flows, plus flows both threads create at once
                        IpAddress own = IpAddress.v4(0x0A000000 | (id << 20) | i);
                        Packet p = udp(own, 1000, S, 53);
                        if (!r.forward(p) || p.ctState() != CtState.NEW) throw new AssertionError("own flow " + i);
                        Packet reply = udp(S, 53, own, 1000);
                        if (!r.forward(reply) || reply.ctState() != CtState.ESTABLISHED) throw new AssertionError("reply " + i);
                        Packet shared = udp(IpAddress.v4(0x0B000000 | i), 2000, S, 53);
                        if (!r.forward(shared)) throw new AssertionError("shared flow " + i);
                        if (i % 3 == 0) {
                            ConnEntry e = r.ct.find(0, FiveTuple.of(own, 1000, S, 53, Packet.PROTO_UDP));
                            if (e == null || !r.ct.delete(e)) throw new AssertionError("delete " + i);
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) t.join();
        if (failure.get() != null) throw new AssertionError(failure.get());
        int ownLeft = 2 * (perThread - (perThread + 2) / 3);
        assertEquals(ownLeft + perThread, r.ct.count(), "own flows left plus one entry per shared flow");
        assertEquals(r.ct.count(), r.ct.list().size());
        for (ConnEntry e : r.ct.list()) assertSame(e, r.ct.find(0, e.reply()), "reply tuple leads to the same entry");
        assertEquals(0L, r.ct.stats().get("insert_failed"));
    }
}
