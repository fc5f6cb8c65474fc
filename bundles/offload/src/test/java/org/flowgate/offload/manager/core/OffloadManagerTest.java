package org.flowgate.offload.manager.core;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.flowgate.api.flowtable.FlowEntry.HwState;
import org.flowgate.offload.FlowRule;
import org.flowgate.offload.FlowStats;
import org.flowgate.offload.manager.command.OffloadCommands;
import org.flowgate.offload.manager.support.FakeFlow;
import org.flowgate.offload.manager.support.FakeTable;
import org.flowgate.offload.manager.support.ScriptedDriver;
import org.junit.jupiter.api.Test;

/** The manager against scripted drivers; without threads unless a test needs concurrency. */
class OffloadManagerTest extends ManagerFixture {
    @Test
    void bothDirectionsGoToTheDriverFromTheQueue() {
        manager();
        ScriptedDriver d = nic();
        FakeFlow f = added(1);
        assertEquals(HwState.PENDING, f.hwState(), "queued, not called on the event thread");
        assertTrue(d.log.isEmpty());
        m.drain();
        assertEquals(HwState.HW, f.hwState(), diag(d));
        assertEquals(2, d.installed.size());
        FlowRule orig = d.rule(1, 0);
        FlowRule reply = d.rule(1, 1);
        assertEquals("v0", orig.inDevice());
        assertEquals("v1", orig.outDevice());
        assertTrue(orig.snat() && !orig.dnat(), "masquerade as a source mangle: " + orig);
        assertEquals(40001, orig.rewrite().srcPort);
        assertTrue(reply.dnat() && !reply.snat(), "the reply is de-NATed: " + reply);
        assertEquals("v1", reply.inDevice());
        assertEquals(0x0200000000b2L, orig.dstMac());
        assertTrue(orig.decrementTtl() && orig.established());
        assertEquals(1L, (long) orig.flowId());
        assertNotEquals(orig.cookie(), reply.cookie());
        assertEquals(2, m.counter(Counter.ADDED));
        assertTrue(new OffloadCommands(m).drivers().contains("nic: devices [v0, v1] tables [inet x ft] flows 1"), new OffloadCommands(m).drivers());
    }

    @Test
    void flowsOutsideTheDriverDevicesOrTablesWithoutOffloadStayInSoftware() {
        manager();
        ScriptedDriver d = new ScriptedDriver("nic", "v0");
        m.addDriver(d);
        FakeFlow f = added(1);
        m.drain();
        assertEquals(HwState.SOFTWARE, f.hwState());
        assertEquals(1, m.counter(Counter.NO_DRIVER));
        FakeTable plain = new FakeTable(false);
        FakeFlow g = plain.add(2, 2);
        m.flowAdded(plain, g);
        assertEquals(HwState.SOFTWARE, g.hwState());
        assertTrue(d.log.isEmpty());
    }

    @Test
    void batchesTakeUpToTheBatchSize() {
        manager();
        ScriptedDriver d = nic();
        for (int i = 1; i <= 10; i++) added(i);
        m.drain();
        assertEquals(3, m.counter(Counter.BATCHES), "10 requests in batches of 4");
        assertEquals(20, d.installed.size());
    }

    @Test
    void capacityRefusalLeavesTheFlowInSoftwareAndItIsRetried() {
        manager();
        ScriptedDriver d = new ScriptedDriver("nic", "v0", "v1");
        d.capacity = 3;
        m.addDriver(d);
        FakeFlow a = added(1), b = added(2);
        m.drain();
        assertEquals(HwState.HW, a.hwState());
        assertEquals(HwState.HW_REFRESH, b.hwState(), diag(d));
        assertEquals(2, d.installed.size(), "the direction that fitted was taken back");
        assertEquals(1, m.counter(Counter.REFUSED_CAPACITY));
        // room again: flow a ends
        a.compareAndSetHwState(HwState.HW, HwState.DYING);
        m.flowDying(table, a);
        m.drain();
        assertEquals(HwState.DEAD, a.hwState(), "the table may now free it");
        tickAndDrain();
        assertEquals(HwState.HW_REFRESH, b.hwState(), "not before the retry interval");
        tickAfter(5000);
        assertEquals(HwState.HW, b.hwState(), diag(d));
        assertEquals(1, m.counter(Counter.RETRIES));
    }

    @Test
    void aThrowingDriverCostsNothingButACounter() {
        manager();
        ScriptedDriver d = new ScriptedDriver("nic", "v0", "v1");
        d.failWith = new IllegalStateException("firmware");
        m.addDriver(d);
        FakeFlow f = added(1);
        m.drain();
        assertEquals(HwState.HW_REFRESH, f.hwState());
        assertEquals(1, m.counter(Counter.DRIVER_ERRORS));
        assertTrue(d.installed.isEmpty());
        d.failWith = null;
        tickAfter(5000);
        assertEquals(HwState.HW, f.hwState());
    }

    @Test
    void aFullQueueLeavesFlowsInSoftwareUntilARetry() {
        manager(new Settings(2, 1, 64, 1000, 100, 10_000));
        ScriptedDriver d = nic();
        FakeFlow a = added(1), b = added(2), c = added(3);
        assertEquals(HwState.HW_REFRESH, c.hwState());
        assertEquals(1, m.counter(Counter.QUEUE_FULL));
        m.drain();
        assertEquals(HwState.HW, a.hwState());
        assertEquals(HwState.HW, b.hwState());
        tickAfter(100);
        assertEquals(HwState.HW, c.hwState(), diag(d));
    }

    @Test
    void statsPullsRefreshLastUsedAndAddDeltas() {
        manager();
        ScriptedDriver d = nic();
        FakeFlow f = added(1);
        m.drain();
        long orig = d.cookie(1, 0);
        tickAndDrain();
        assertTrue(table.used.isEmpty(), "no hardware packet: nothing refreshed");
        table.now = 77;
        d.counters.put(orig, new FlowStats(10, 1000, 1));
        tickAndDrain();
        assertEquals(List.of("1/0:10/1000"), table.used);
        assertEquals(77, f.lastUsedNanos(), "the flow counts as used, the GC keeps it");
        d.counters.put(orig, new FlowStats(15, 1500, 2));
        tickAndDrain();
        assertEquals(List.of("1/0:10/1000", "1/0:5/500"), table.used, "deltas of the cumulative counters");
        assertEquals(15, m.flow(f).hwPackets());
        assertEquals(2, m.counter(Counter.REFRESHES));
        assertTrue(new OffloadCommands(m).flows().contains("#1 driver nic hw hw hw-packets=15 hw-bytes=1500"), new OffloadCommands(m).flows());
    }

    @Test
    void removalWaitsForTheDriverThenSaysDead() {
        manager();
        ScriptedDriver d = nic();
        FakeFlow a = added(1), b = added(2);
        m.drain();
        // the table's GC: a dying flow is kept until dead
        assertTrue(a.compareAndSetHwState(HwState.HW, HwState.DYING));
        m.flowDying(table, a);
        assertEquals(HwState.DYING, a.hwState(), "not dead before the driver removed it");
        m.drain();
        assertEquals(HwState.DEAD, a.hwState());
        assertEquals(2, d.installed.size(), "only b is left");
        // a table that removes at once (no dying): removed event, then dead
        table.flows.remove(b);
        m.flowRemoved(table, b);
        m.drain();
        assertEquals(HwState.DEAD, b.hwState());
        assertTrue(d.installed.isEmpty());
        assertEquals(4, m.counter(Counter.DELETED));
        assertTrue(m.flows().isEmpty());
    }

    @Test
    void aDriverArrivingTakesExistingFlowsAndOneLeavingGivesThemBack() {
        manager();
        FakeFlow a = added(1), b = added(2);
        assertEquals(2, m.counter(Counter.NO_DRIVER));
        ScriptedDriver d = nic();
        tickAndDrain();
        assertEquals(HwState.HW, a.hwState());
        assertEquals(HwState.HW, b.hwState());
        m.removeDriver(d);
        assertEquals(HwState.SOFTWARE, a.hwState());
        assertEquals(HwState.SOFTWARE, b.hwState());
        assertEquals(1, d.unbinds.get(), "its block was unbound");
        assertTrue(d.installed.isEmpty());
        assertEquals(2, m.counter(Counter.DRIVER_GONE));
        assertTrue(table.flows.contains(a), "the flows never left the software table");
        // another driver for the same devices takes over
        ScriptedDriver e = new ScriptedDriver("nic2", "v0", "v1");
        m.addDriver(e);
        tickAndDrain();
        assertEquals(HwState.HW, a.hwState());
        assertEquals(4, e.installed.size());
    }

    @Test
    void aSlowDriverNeverBlocksTheEventThread() throws Exception {
        manager(new Settings(64, 2, 4, 60_000, 5000, 1));
        ScriptedDriver d = new ScriptedDriver("slow", "v0", "v1");
        d.entered = new CountDownLatch(1);
        d.release = new CountDownLatch(1);
        d.sleepMillis = 5;
        m.addDriver(d);
        m.start();
        FakeFlow f = added(1);
        assertTrue(d.entered.await(10, TimeUnit.SECONDS));
        FakeFlow g = added(2); // returns although the driver is stuck
        assertEquals(HwState.PENDING, f.hwState());
        assertNotEquals(HwState.HW, g.hwState());
        d.release.countDown();
        awaitIdle();
        assertEquals(HwState.HW, f.hwState());
        assertEquals(HwState.HW, g.hwState());
        assertTrue(m.counter(Counter.SLOW_CALLS) >= 4, "each add slept past the 1 ms threshold: " + diag(d));
    }

    @Test
    void aDriverRemovedMidBatchGivesEveryFlowBackToSoftware() throws Exception {
        manager(new Settings(64, 1, 64, 60_000, 5000, 10_000));
        ScriptedDriver d = new ScriptedDriver("nic", "v0", "v1");
        d.entered = new CountDownLatch(1);
        d.release = new CountDownLatch(1);
        m.addDriver(d);
        FakeFlow[] f = new FakeFlow[8];
        for (int i = 0; i < f.length; i++) f[i] = added(i + 1);
        m.start(); // one worker takes all 8 in one batch and blocks in the first add
        assertTrue(d.entered.await(10, TimeUnit.SECONDS));
        Thread remover = Thread.ofPlatform().start(() -> m.removeDriver(d));
        while (m.hasDriver(d)) Thread.onSpinWait();
        d.release.countDown();
        remover.join(10_000);
        assertFalse(remover.isAlive());
        awaitIdle();
        for (FakeFlow x : f) assertEquals(HwState.SOFTWARE, x.hwState(), x + " " + diag(d));
        assertTrue(d.installed.isEmpty(), "unbind came after the add in flight: " + d.installed);
        assertEquals(1, d.log.stream().filter(s -> s.startsWith("add")).count(), "no call after it left: " + d.log);
        assertTrue(m.flows().isEmpty());
    }
}
