package org.flowgate.offload.manager.core;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.flowgate.api.flowtable.FlowEntry.HwState;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.net.IpAddress;
import org.flowgate.offload.FlowRule;
import org.flowgate.offload.FlowStats;
import org.flowgate.offload.manager.support.FakeTable;
import org.flowgate.offload.manager.support.FakeZoneTable;
import org.flowgate.offload.manager.support.ScriptedDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** tc ct zone tables (FlowTable services) offered to drivers as ct-only rules with the ct metadata. */
class ZoneTablesTest {
    final AtomicLong clock = new AtomicLong(1000);
    final FakeTable nft = new FakeTable(true);
    final FakeZoneTable zone5 = new FakeZoneTable(5);
    OffloadManager m;

    @BeforeEach
    void manager() {
        m = new OffloadManager(new Settings(64, 1, 4, 1000, 5000, 10_000), clock::get);
        m.setTableSource(() -> List.<FlowTable>of(nft));
    }

    @AfterEach
    void stop() throws InterruptedException { m.stop(); }

    ScriptedDriver ctDriver() {
        ScriptedDriver d = new ScriptedDriver("nic", "p0", "p1");
        d.ctZones = true;
        m.addDriver(d);
        return d;
    }

    @Test
    void aZoneTableIsSubscribedToAndUnsubscribedFrom() {
        m.addTable(zone5);
        assertEquals(List.of(m), zone5.listeners);
        m.addTable(zone5);
        assertEquals(1, zone5.listeners.size(), "subscribed once");
        m.removeTable(zone5);
        assertTrue(zone5.listeners.isEmpty());
    }

    @Test
    void anEvictedZoneFlowIsBackInSoftwareAndOfferedAgain() {
        ScriptedDriver d = ctDriver();
        m.addTable(zone5);
        FakeZoneTable.Flow f = zone5.add(1, 1234);
        m.flowAdded(zone5, f);
        m.drain();
        assertEquals(HwState.HW, f.hwState());
        long orig = d.installed.values().stream().filter(r -> r.direction() == 0).findFirst().orElseThrow().cookie();
        d.evict(orig, org.flowgate.offload.EvictionReason.CAPACITY);
        m.drain();
        assertEquals(HwState.HW_REFRESH, f.hwState());
        assertTrue(d.installed.isEmpty());
        assertEquals(1, m.counter(Counter.EVICTED_CAPACITY));
        clock.addAndGet(5000);
        m.tick();
        m.drain();
        assertEquals(HwState.HW, f.hwState(), d.log.toString());
        assertTrue(d.installed.values().stream().allMatch(FlowRule::ctOnly));
    }

    @Test
    void aReportThroughTheCallbackOfAnUnboundBlockChangesNothing() {
        ScriptedDriver d = ctDriver();
        m.addTable(zone5);
        FakeZoneTable.Flow f = zone5.add(1, 1234);
        m.flowAdded(zone5, f);
        m.drain();
        var old = d.callbacks.get(0);
        m.removeTable(zone5); // tc restarts: the block is unbound, the flow back in software
        assertEquals(HwState.SOFTWARE, f.hwState());
        m.addTable(zone5);
        m.tick();
        m.drain();
        assertEquals(HwState.HW, f.hwState(), d.log.toString());
        assertEquals(2, d.callbacks.size(), "the same driver bound the table again with a new callback");
        long orig = d.installed.values().stream().filter(r -> r.direction() == 0).findFirst().orElseThrow().cookie();
        old.evicted(orig, org.flowgate.offload.EvictionReason.RESET);
        m.drain();
        assertEquals(HwState.HW, f.hwState(), "a late report of the old block");
        assertEquals(0, m.counter(Counter.EVICTED_RESET));
        d.callbacks.get(1).evicted(orig, org.flowgate.offload.EvictionReason.RESET);
        m.drain();
        assertEquals(HwState.HW_REFRESH, f.hwState(), "the current block's report counts");
        assertEquals(1, m.counter(Counter.EVICTED_RESET));
    }

    @Test
    void zoneFlowsBecomeCtOnlyRulesWithTheCtMetadata() {
        ScriptedDriver d = ctDriver();
        m.addTable(zone5);
        FakeZoneTable.Flow f = zone5.add(1, 1234);
        m.flowAdded(zone5, f);
        m.drain();
        assertEquals(HwState.HW, f.hwState(), new org.flowgate.offload.manager.command.OffloadCommands(m).stats() + d.log);
        FlowRule orig = d.installed.values().stream().filter(r -> r.direction() == 0).findFirst().orElseThrow();
        FlowRule reply = d.installed.values().stream().filter(r -> r.direction() == 1).findFirst().orElseThrow();
        for (FlowRule r : List.of(orig, reply)) {
            assertTrue(r.ctOnly(), r.toString());
            assertNull(r.inDevice());
            assertNull(r.outDevice());
            assertEquals(5, r.zone());
            assertEquals(0x42, r.mark());
            assertEquals(1L, r.labelsHi());
            assertEquals(2L, r.labelsLo());
            assertTrue(r.established());
            assertFalse(r.decrementTtl(), "tc forwards: no routing in the rule");
            assertEquals(0, r.dstMac());
        }
        assertFalse(orig.reply());
        assertTrue(reply.reply(), "+rpl for the reply direction");
        assertTrue(orig.snat() && !orig.dnat(), orig.toString());
        assertEquals(IpAddress.parse("192.0.2.1").lo(), orig.rewrite().srcLo);
        assertEquals(21234, orig.rewrite().srcPort);
        assertTrue(reply.dnat() && !reply.snat(), reply.toString());
        assertEquals(IpAddress.parse("10.0.1.2").lo(), reply.rewrite().dstLo);
        assertTrue(orig.toString().contains("ct zone 5"), orig.toString());
    }

    @Test
    void driversThatDoNotTakeCtZonesNeverSeeThem() {
        ScriptedDriver plain = new ScriptedDriver("ebpf", "p0", "p1", "*");
        m.addDriver(plain);
        m.addTable(zone5);
        FakeZoneTable.Flow f = zone5.add(1, 1234);
        m.flowAdded(zone5, f);
        m.drain();
        assertEquals(HwState.SOFTWARE, f.hwState());
        assertTrue(plain.log.isEmpty(), plain.log.toString());
        assertEquals(0, plain.binds.get());
        assertEquals(1, m.counter(Counter.NO_DRIVER));
    }

    @Test
    void existingZoneFlowsGoToADriverThatArrivesAndTheTickKeepsTheBlock() {
        m.addTable(zone5);
        FakeZoneTable.Flow f = zone5.add(1, 1234);
        m.flowAdded(zone5, f);
        assertEquals(HwState.SOFTWARE, f.hwState());
        ScriptedDriver d = ctDriver();
        m.tick(); // resync: the zone table is a known table
        m.drain();
        assertEquals(HwState.HW, f.hwState());
        assertEquals(2, d.installed.size());
        m.tick(); // the vanished-table check must not take the zone table for gone
        m.drain();
        assertEquals(0, d.unbinds.get());
        assertEquals(2, d.installed.size());
    }

    @Test
    void hardwareCountersRefreshTheZoneFlow() {
        ScriptedDriver d = ctDriver();
        m.addTable(zone5);
        FakeZoneTable.Flow f = zone5.add(1, 1234);
        m.flowAdded(zone5, f);
        m.drain();
        long cookie = d.installed.values().stream().filter(r -> r.direction() == 1).findFirst().orElseThrow().cookie();
        d.counters.put(cookie, new FlowStats(7, 700, 1));
        m.tick();
        m.drain();
        assertEquals(List.of("1/1:7/700"), zone5.used);
    }

    @Test
    void dyingZoneFlowIsDeletedThenDead() {
        ScriptedDriver d = ctDriver();
        m.addTable(zone5);
        FakeZoneTable.Flow f = zone5.add(1, 1234);
        m.flowAdded(zone5, f);
        m.drain();
        assertTrue(f.compareAndSetHwState(HwState.HW, HwState.DYING));
        m.flowDying(zone5, f);
        assertEquals(HwState.DYING, f.hwState(), "waits for the driver");
        m.drain();
        assertEquals(HwState.DEAD, f.hwState());
        assertTrue(d.installed.isEmpty());
    }

    @Test
    void aZoneTableLeavingUnbindsItsBlockAndGivesFlowsBack() {
        ScriptedDriver d = ctDriver();
        m.addTable(zone5);
        FakeZoneTable.Flow f = zone5.add(1, 1234);
        m.flowAdded(zone5, f);
        m.drain();
        assertEquals(2, d.installed.size());
        m.removeTable(zone5);
        assertEquals(1, d.unbinds.get());
        assertTrue(d.installed.isEmpty());
        assertEquals(HwState.SOFTWARE, f.hwState());
        assertTrue(m.flows().isEmpty(), m.flows().toString());
        assertEquals(0, m.driverCounters().get("nic").get("flows-in-hardware"));
        FakeZoneTable.Flow late = zone5.add(2, 1235);
        m.flowAdded(zone5, late); // an event the table's notifier had queued before the unsubscription
        m.drain();
        assertEquals(HwState.SOFTWARE, late.hwState(), "a table that left is not offloaded again");
        assertTrue(d.installed.isEmpty());
    }
}
