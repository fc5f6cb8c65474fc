package org.flowgate.offload.manager.core;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.flowgate.api.flowtable.FlowEntry.HwState;
import org.flowgate.api.net.IpAddress;
import org.flowgate.offload.EvictionReason;
import org.flowgate.offload.FlowRule;
import org.flowgate.offload.FlowStats;
import org.flowgate.offload.manager.support.FakeZoneTable;
import org.flowgate.offload.manager.support.ScriptedDriver;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** tc ct zone tables (FlowTable services) offered to drivers as ct-only rules with the ct metadata. */
class ZoneTablesTest extends ManagerFixture {
    final FakeZoneTable zone5 = new FakeZoneTable(5);

    @BeforeEach
    void start() { manager(); }

    ScriptedDriver ctDriver() {
        ScriptedDriver d = new ScriptedDriver("nic", "p0", "p1");
        d.ctZones = true;
        m.addDriver(d);
        return d;
    }

    /** A flow of ct zone 5, announced to the manager. */
    FakeZoneTable.Flow zoneAdded(long id, int port) {
        FakeZoneTable.Flow f = zone5.add(id, port);
        m.flowAdded(zone5, f);
        return f;
    }

    /** Zone 5's table subscribed to, and its flow 1 announced and handed to the drivers. */
    FakeZoneTable.Flow offeredZoneFlow() {
        m.addTable(zone5);
        FakeZoneTable.Flow f = zoneAdded(1, 1234);
        m.drain();
        return f;
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
        FakeZoneTable.Flow f = offeredZoneFlow();
        assertEquals(HwState.HW, f.hwState());
        long orig = d.cookie(1, 0);
        d.evict(orig, EvictionReason.CAPACITY);
        m.drain();
        assertEquals(HwState.HW_REFRESH, f.hwState());
        assertTrue(d.installed.isEmpty());
        assertEquals(1, m.counter(Counter.EVICTED_CAPACITY));
        tickAfter(5000);
        assertEquals(HwState.HW, f.hwState(), d.log.toString());
        assertTrue(d.installed.values().stream().allMatch(FlowRule::ctOnly));
    }

    @Test
    void aReportThroughTheCallbackOfAnUnboundBlockChangesNothing() {
        ScriptedDriver d = ctDriver();
        FakeZoneTable.Flow f = offeredZoneFlow();
        var old = d.callbacks.get(0);
        m.removeTable(zone5); // tc restarts: the block is unbound, the flow back in software
        assertEquals(HwState.SOFTWARE, f.hwState());
        m.addTable(zone5);
        tickAndDrain();
        assertEquals(HwState.HW, f.hwState(), d.log.toString());
        assertEquals(2, d.callbacks.size(), "the same driver bound the table again with a new callback");
        long orig = d.cookie(1, 0);
        old.evicted(orig, EvictionReason.RESET);
        m.drain();
        assertEquals(HwState.HW, f.hwState(), "a late report of the old block");
        assertEquals(0, m.counter(Counter.EVICTED_RESET));
        d.callbacks.get(1).evicted(orig, EvictionReason.RESET);
        m.drain();
        assertEquals(HwState.HW_REFRESH, f.hwState(), "the current block's report counts");
        assertEquals(1, m.counter(Counter.EVICTED_RESET));
    }

    @Test
    void zoneFlowsBecomeCtOnlyRulesWithTheCtMetadata() {
        ScriptedDriver d = ctDriver();
        FakeZoneTable.Flow f = offeredZoneFlow();
        assertEquals(HwState.HW, f.hwState(), diag(d));
        FlowRule orig = d.rule(1, 0);
        FlowRule reply = d.rule(1, 1);
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
        FakeZoneTable.Flow f = offeredZoneFlow();
        assertEquals(HwState.SOFTWARE, f.hwState());
        assertTrue(plain.log.isEmpty(), plain.log.toString());
        assertEquals(0, plain.binds.get());
        assertEquals(1, m.counter(Counter.NO_DRIVER));
    }

    @Test
    void existingZoneFlowsGoToADriverThatArrivesAndTheTickKeepsTheBlock() {
        m.addTable(zone5);
        FakeZoneTable.Flow f = zoneAdded(1, 1234);
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
        FakeZoneTable.Flow f = offeredZoneFlow();
        long cookie = d.cookie(1, 1);
        d.counters.put(cookie, new FlowStats(7, 700, 1));
        tickAndDrain();
        assertEquals(List.of("1/1:7/700"), zone5.used);
    }

    @Test
    void dyingZoneFlowIsDeletedThenDead() {
        ScriptedDriver d = ctDriver();
        FakeZoneTable.Flow f = offeredZoneFlow();
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
        FakeZoneTable.Flow f = offeredZoneFlow();
        assertEquals(2, d.installed.size());
        m.removeTable(zone5);
        assertEquals(1, d.unbinds.get());
        assertTrue(d.installed.isEmpty());
        assertEquals(HwState.SOFTWARE, f.hwState());
        assertTrue(m.flows().isEmpty(), m.flows().toString());
        assertEquals(0, m.driverCounters().get("nic").get("flows-in-hardware"));
        FakeZoneTable.Flow late = zoneAdded(2, 1235); // an event the table's notifier had queued before the unsubscription
        m.drain();
        assertEquals(HwState.SOFTWARE, late.hwState(), "a table that left is not offloaded again");
        assertTrue(d.installed.isEmpty());
    }
}
