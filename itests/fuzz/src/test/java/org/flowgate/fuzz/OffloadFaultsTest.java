package org.flowgate.fuzz;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.fuzz.support.RouterWorld;
import org.flowgate.offload.FlowBlock;
import org.flowgate.offload.FlowRule;
import org.flowgate.offload.FlowStats;
import org.flowgate.offload.OffloadDriver;
import org.flowgate.offload.manager.core.Counter;
import org.flowgate.offload.manager.core.OffloadManager;
import org.flowgate.offload.manager.core.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A faulty offload driver behind the real packet path, flow table and offload manager: one that
 * throws, one that hangs in the middle of a batch, one removed while it installs. Traffic keeps
 * flowing in software (the fast path and the classic path never wait for a driver), every packet
 * arrives, the flow table's worker is never blocked, and flows a driver lost are back in software.
 */
class OffloadFaultsTest {
    static final String RULESET = RouterWorld.RULESET.replace("devices = { v0, v1 }; counter;", "devices = { v0, v1 }; counter; flags offload;");
    RouterWorld w;
    OffloadManager m;
    FlowTable ft;

    /** A driver for v0 and v1 whose {@code add} can throw, block or be slow. */
    static final class FaultyDriver implements OffloadDriver, FlowBlock {
        final Map<Long, FlowRule> installed = new ConcurrentHashMap<>();
        final AtomicInteger adds = new AtomicInteger();
        volatile RuntimeException failWith;
        volatile CountDownLatch hang;
        final CountDownLatch entered = new CountDownLatch(1);
        volatile long sleepMillis;

        @Override public String name() { return "faulty"; }
        @Override public Set<String> devices() { return Set.of("v0", "v1"); }
        @Override public FlowBlock bind(FlowTableSpec table) { return this; }

        @Override
        public void add(FlowRule rule) {
            adds.incrementAndGet();
            entered.countDown();
            try {
                CountDownLatch h = hang;
                if (h != null) h.await();
                if (sleepMillis > 0) Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            RuntimeException f = failWith;
            if (f != null) throw f;
            installed.put(rule.cookie(), rule);
        }

        @Override public void del(FlowRule rule) { installed.remove(rule.cookie()); }
        @Override public FlowStats stats(FlowRule rule) { return installed.containsKey(rule.cookie()) ? new FlowStats(0, 0, 0) : null; }
        @Override public void unbind() { installed.clear(); }
    }

    @BeforeEach
    void setUp() throws Exception {
        w = new RouterWorld(4096, 4096, RULESET);
        ft = w.flows.table("inet", "x", "ft");
        m = new OffloadManager(new Settings(1024, 1, 8, 1000, 100_000, 200));
        m.setTableSource(() -> new ArrayList<>(w.flows.tables()));
        w.flows.addListener(m);
    }

    @AfterEach
    void tearDown() throws Exception {
        m.stop();
        w.close();
    }

    List<FiveTuple> establish(int n, int base) {
        List<FiveTuple> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add(w.establishUdp(base + i));
        return l;
    }

    /** Sends one packet on each flow; asserts each arrived. */
    void traffic(List<FiveTuple> atH2, int base) {
        for (int i = 0; i < atH2.size(); i++) {
            long before = w.h2.flowPackets(atH2.get(i));
            assertTrue(w.h1.sendUdp(RouterWorld.H2, base + i, 5001, 18));
            assertEquals(before + 1, w.h2.flowPackets(atH2.get(i)), "flow " + i + " forwarded in software");
        }
    }

    long inHw() {
        long n = 0;
        for (FlowEntry f : ft.list()) if (f.hwState() == FlowEntry.HwState.HW) n++;
        return n;
    }

    @Test
    void throwingDriverLeavesFlowsInSoftware() {
        FaultyDriver d = new FaultyDriver();
        d.failWith = new IllegalStateException("firmware crashed");
        m.addDriver(d);
        List<FiveTuple> flows = establish(20, 20000);
        w.flows.runWorkerOnce(); // delivers flowAdded events to the manager
        m.drain();
        assertTrue(d.adds.get() > 0, "the driver was asked");
        assertTrue(m.counter(Counter.DRIVER_ERRORS) > 0, m.counters().toString());
        assertEquals(0, inHw());
        assertEquals(20, ft.count(), "all flows still in the software flow table");
        traffic(flows, 20000);
        PacketPathFuzzTest.check(w);
    }

    @Test
    void hangingDriverBlocksNeitherPacketsNorTheFlowTable() throws Exception {
        FaultyDriver d = new FaultyDriver();
        d.hang = new CountDownLatch(1);
        m.addDriver(d);
        m.start();
        List<FiveTuple> flows = establish(20, 20000);
        w.flows.runWorkerOnce();
        assertTrue(d.entered.await(30, java.util.concurrent.TimeUnit.SECONDS), "the manager called the driver");
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int round = 0; round < 20; round++) {
                traffic(flows, 20000);
                w.flows.runWorkerOnce(); // the flow table's worker delivers events to the manager: never waits for the driver
            }
            establish(20, 30000);
            w.flows.runWorkerOnce();
        }, "a hung driver blocked the packet path or the flow table");
        assertEquals(40, ft.count());
        assertEquals(0, inHw());
        d.hang.countDown(); // the firmware wakes up: the queued work completes
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (inHw() < 40 && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(40, inHw(), () -> "queued offloads done once the driver returned: " + m.counters());
        traffic(flows, 20000);
        PacketPathFuzzTest.check(w);
    }

    @Test
    void driverRemovedWhileInstallingGivesFlowsBack() throws Exception {
        FaultyDriver d = new FaultyDriver();
        d.sleepMillis = 5;
        m.addDriver(d);
        m.start();
        List<FiveTuple> flows = establish(60, 20000);
        w.flows.runWorkerOnce();
        assertTrue(d.entered.await(30, java.util.concurrent.TimeUnit.SECONDS));
        traffic(flows, 20000);
        m.removeDriver(d); // mid-batch: some flows installed, some queued
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!m.idle() && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(m.idle());
        assertEquals(0, inHw(), "nothing left marked as in hardware");
        assertTrue(d.installed.isEmpty(), "the driver was unbound");
        assertEquals(60, ft.count(), "all flows in software");
        traffic(flows, 20000);
        PacketPathFuzzTest.check(w);
    }
}
