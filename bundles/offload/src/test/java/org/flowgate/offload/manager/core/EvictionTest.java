package org.flowgate.offload.manager.core;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.flowgate.api.flowtable.FlowEntry.HwState;
import org.flowgate.offload.EvictionReason;
import org.flowgate.offload.FlowRule;
import org.flowgate.offload.FlowStats;
import org.flowgate.offload.OffloadCallback;
import org.flowgate.offload.manager.command.OffloadCommands;
import org.flowgate.offload.manager.support.FakeFlow;
import org.flowgate.offload.manager.support.ScriptedDriver;
import org.junit.jupiter.api.Test;

/**
 * Rules a driver drops on its own ({@link OffloadCallback#evicted}): the flow goes back to software
 * as hw-refresh, its other direction leaves the driver, it is offered again after the retry
 * interval, and the evictions are counted by reason; stale reports change nothing.
 */
class EvictionTest extends ManagerFixture {
    @Test
    void anEvictedFlowGoesBackToSoftwareAndIsOfferedAgainAfterTheRetryInterval() {
        manager();
        ScriptedDriver d = nic();
        FakeFlow f = added(1);
        m.drain();
        assertEquals(HwState.HW, f.hwState());
        assertEquals(1, d.callbacks.size(), "the block was bound with a callback");
        long orig = d.cookie(1, 0), reply = d.cookie(1, 1);

        d.evict(orig, EvictionReason.CAPACITY);
        assertEquals(HwState.HW, f.hwState(), "the report is only queued on the reporting thread");
        m.drain();
        assertEquals(HwState.HW_REFRESH, f.hwState(), diag(d));
        assertTrue(d.installed.isEmpty(), "the direction the driver still held was deleted: " + d.log);
        assertEquals(List.of("add " + orig, "add " + reply, "evict " + orig, "del " + reply), d.log);
        assertEquals(1, m.counter(Counter.EVICTED_CAPACITY));
        assertEquals(0, driverCounter("nic", "flows-in-hardware"));
        assertEquals(1, driverCounter("nic", "evicted-capacity"));
        assertTrue(new OffloadCommands(m).stats().contains("evicted-capacity=1\n"), new OffloadCommands(m).stats());
        assertTrue(new OffloadCommands(m).flows().contains("#1 driver nic hw hw-refresh"), new OffloadCommands(m).flows());
        assertTrue(new OffloadCommands(m).drivers().contains("flows 0"), new OffloadCommands(m).drivers());

        tickAfter(4999);
        assertEquals(HwState.HW_REFRESH, f.hwState(), "not offered again before the retry interval");
        assertEquals(4, d.log.size());

        clock.addAndGet(1);
        m.tick();
        assertEquals(HwState.PENDING, f.hwState());
        m.drain();
        assertEquals(HwState.HW, f.hwState(), diag(d));
        assertEquals(2, d.installed.size());
        assertEquals(Set.of(orig, reply), d.installed.keySet(), "the same cookies again");
        assertEquals(1, m.counter(Counter.RETRIES));
        assertEquals(1, driverCounter("nic", "flows-in-hardware"));
        assertEquals(4, m.counter(Counter.ADDED));
    }

    @Test
    void bothDirectionsReportedCountOneFlowAndDeleteNothingTwice() {
        manager();
        ScriptedDriver d = nic();
        FakeFlow f = added(1);
        m.drain();
        long orig = d.cookie(1, 0), reply = d.cookie(1, 1);
        d.evict(reply, EvictionReason.AGED);
        d.evict(orig, EvictionReason.AGED);
        m.drain();
        assertEquals(HwState.HW_REFRESH, f.hwState());
        assertEquals(1, m.counter(Counter.EVICTED_AGED), diag(d));
        assertEquals(1, d.log.stream().filter(s -> s.startsWith("del")).count(), "one del of the surviving direction: " + d.log);
        assertEquals(0, m.counter(Counter.EVICTED_CAPACITY));
    }

    @Test
    void aDriverMayEvictFromInsideAddToMakeRoom() {
        manager();
        ScriptedDriver d = nic();
        FakeFlow a = added(1);
        m.drain();
        long a0 = d.cookie(1, 0), a1 = d.cookie(1, 1);
        // an LRU table of two rules: the next add replaces the oldest flow, reported from inside add
        d.onAdd = r -> {
            if (r.flowId() == 2 && d.installed.containsKey(a0)) {
                d.evict(a0, EvictionReason.CAPACITY);
                d.evict(a1, EvictionReason.CAPACITY);
            }
        };
        FakeFlow b = added(2);
        m.drain();
        assertEquals(HwState.HW, b.hwState(), diag(d));
        assertEquals(HwState.HW_REFRESH, a.hwState(), diag(d));
        assertEquals(1, m.counter(Counter.EVICTED_CAPACITY));
        assertEquals(2, d.installed.size());
        assertEquals(1, driverCounter("nic", "flows-in-hardware"));
    }

    @Test
    void anEvictionReportedWhileTheFlowIsBeingAddedTakesEffectAfterTheAdd() {
        manager();
        ScriptedDriver d = nic();
        // the driver drops the original direction while the reply is being added
        List<Long> firstAdds = new ArrayList<>();
        d.onAdd = r -> {
            if (r.direction() == 1 && firstAdds.isEmpty()) {
                long c = r.cookie() - 1;
                firstAdds.add(c);
                d.evict(c, EvictionReason.RESET);
            }
        };
        FakeFlow f = added(1);
        m.drain();
        assertEquals(HwState.HW_REFRESH, f.hwState(), diag(d));
        assertEquals(1, m.counter(Counter.EVICTED_RESET));
        assertTrue(d.installed.isEmpty(), d.log.toString());
        assertEquals(0, driverCounter("nic", "flows-in-hardware"));
    }

    @Test
    void theSurvivingDirectionsLastCountersAreKeptAndCountingRestartsAfterTheReAdd() {
        manager();
        ScriptedDriver d = nic();
        FakeFlow f = added(1);
        m.drain();
        long orig = d.cookie(1, 0), reply = d.cookie(1, 1);
        d.counters.put(orig, new FlowStats(10, 1000, 1));
        tickAndDrain();
        assertEquals(List.of("1/0:10/1000"), table.used);
        d.counters.put(reply, new FlowStats(4, 400, 1));
        d.evict(orig, EvictionReason.CAPACITY);
        m.drain();
        assertEquals(List.of("1/0:10/1000", "1/1:4/400"), table.used, "the reply's counts pulled before its delete");
        d.counters.clear();
        tickAfter(5000);
        assertEquals(HwState.HW, f.hwState());
        d.counters.put(orig, new FlowStats(3, 300, 2)); // a new hardware entry counts from zero
        tickAndDrain();
        assertEquals(List.of("1/0:10/1000", "1/1:4/400", "1/0:3/300"), table.used);
        assertEquals(17, m.flow(f).hwPackets());
    }

    @Test
    void aDyingFlowEvictedBecomesDeadThroughItsDeletion() {
        manager();
        ScriptedDriver d = nic();
        FakeFlow f = added(1);
        m.drain();
        long orig = d.cookie(1, 0);
        assertTrue(f.compareAndSetHwState(HwState.HW, HwState.DYING));
        d.evict(orig, EvictionReason.AGED); // reported before the manager's delete
        m.flowDying(table, f);
        m.drain();
        assertEquals(HwState.DEAD, f.hwState(), diag(d));
        assertTrue(d.installed.isEmpty());
        assertTrue(m.flows().isEmpty());
        assertEquals(1, m.counter(Counter.EVICTED_AGED));
    }

    @Test
    void staleReportsChangeNothing() {
        manager();
        ScriptedDriver d = nic();
        FakeFlow a = added(1), b = added(2);
        m.drain();
        long a0 = d.cookie(1, 0), b0 = d.cookie(2, 0);
        OffloadCallback first = d.callbacks.get(0);
        first.evicted(0, EvictionReason.OTHER);
        first.evicted(-5, EvictionReason.OTHER);
        first.evicted(1L << 40, EvictionReason.OTHER);
        first.evicted(a0, null); // no reason: counted as other
        m.drain();
        assertEquals(HwState.HW_REFRESH, a.hwState());
        assertEquals(1, m.counter(Counter.EVICTED_OTHER));
        // a flow that ended: the report comes after the manager deleted it
        assertTrue(b.compareAndSetHwState(HwState.HW, HwState.DYING));
        m.flowDying(table, b);
        m.drain();
        assertEquals(HwState.DEAD, b.hwState());
        first.evicted(b0, EvictionReason.AGED);
        m.drain();
        assertEquals(0, m.counter(Counter.EVICTED_AGED));
        // the driver leaves and comes back: a report through the old block's callback touches nothing
        m.removeDriver(d);
        assertEquals(HwState.SOFTWARE, a.hwState());
        m.addDriver(d);
        tickAndDrain();
        assertEquals(HwState.HW, a.hwState(), diag(d));
        assertEquals(2, d.callbacks.size(), "bound again with a new callback");
        first.evicted(d.cookie(1, 0), EvictionReason.DEVICE);
        m.drain();
        assertEquals(HwState.HW, a.hwState(), "a retired callback");
        assertEquals(0, m.counter(Counter.EVICTED_DEVICE));
        assertEquals(1, driverCounter("nic", "flows-in-hardware"));
    }

    @Test
    void aFlowNoDriverServesAnyMoreWaitsInHwRefreshUntilOneDoes() {
        manager();
        ScriptedDriver d = nic();
        FakeFlow f = added(1);
        m.drain();
        // port v1 leaves the NIC: the driver drops what used it
        d.lost = Set.of("v1");
        d.evict(d.cookie(1, 1), EvictionReason.DEVICE);
        m.drain();
        assertEquals(HwState.HW_REFRESH, f.hwState());
        assertEquals(1, m.counter(Counter.EVICTED_DEVICE));
        tickAfter(5000);
        assertEquals(HwState.HW_REFRESH, f.hwState(), "nobody can take it");
        assertEquals(0, m.counter(Counter.RETRIES));
        assertEquals(4, d.log.size(), "no add offered: " + d.log);
        d.lost = Set.of(); // the port is back
        tickAfter(5000);
        assertEquals(HwState.HW, f.hwState(), diag(d));
        assertEquals(1, m.counter(Counter.RETRIES));
    }

    @Test
    void evictionsFromAnotherThreadWhileWorkersRun() throws Exception {
        manager(new Settings(4096, 2, 16, 60_000, 1, 10_000));
        ScriptedDriver d = nic();
        m.start();
        int n = 200;
        FakeFlow[] f = new FakeFlow[n];
        for (int i = 0; i < n; i++) f[i] = added(i + 1);
        awaitIdle();
        // a hardware aging thread drops every other flow's original direction while new flows arrive
        Thread ager = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < n; i += 2) {
                long id = f[i].id();
                FlowRule r = d.installed.values().stream().filter(x -> x.flowId() == id && x.direction() == 0).findFirst().orElse(null);
                if (r != null) d.evict(r.cookie(), EvictionReason.AGED);
            }
        });
        FakeFlow[] g = new FakeFlow[50];
        for (int i = 0; i < g.length; i++) g[i] = added(1000 + i);
        ager.join(10_000);
        assertFalse(ager.isAlive());
        awaitIdle();
        long refresh = 0, hw = 0;
        for (FakeFlow x : f) {
            if (x.hwState() == HwState.HW_REFRESH) refresh++;
            else if (x.hwState() == HwState.HW) hw++;
        }
        for (FakeFlow x : g) assertEquals(HwState.HW, x.hwState(), x + " " + diag(d));
        assertEquals(n / 2, refresh, diag(d));
        assertEquals(n / 2, hw);
        assertEquals(n / 2, m.counter(Counter.EVICTED_AGED));
        assertEquals(n / 2 + g.length, driverCounter("nic", "flows-in-hardware"));
        assertEquals(2 * (n / 2 + g.length), d.installed.size(), "each evicted flow's other direction was deleted");
        // with the (1 ms) retry interval passed, the next tick offers them again
        clock.addAndGet(1);
        m.tick();
        awaitIdle();
        for (FakeFlow x : f) assertEquals(HwState.HW, x.hwState(), x + " " + diag(d));
        assertEquals(2 * (n + g.length), d.installed.size());
    }
}
