package org.flowgate.offload.manager.core;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;

import org.flowgate.api.flowtable.FlowEntry.HwState;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.offload.OffloadStats;
import org.flowgate.offload.manager.support.FakeFlow;
import org.flowgate.offload.manager.support.FakeTable;
import org.flowgate.offload.manager.support.ScriptedDriver;
import org.junit.jupiter.api.Test;

/** {@link OffloadStats} as the component registers it: the manager's counters and each driver's share. */
class OffloadStatsTest {
    final FakeTable table = new FakeTable(true);
    final OffloadComponent component = new OffloadComponent();
    final OffloadManager m = component.manager();

    {
        m.setTableSource(() -> List.<FlowTable>of(table));
    }

    FakeFlow added(long id) {
        FakeFlow f = table.add(id, 10000 + (int) id);
        m.flowAdded(table, f);
        return f;
    }

    @Test
    void managerAndPerDriverCounters() {
        OffloadStats stats = component;
        ScriptedDriver nic = new ScriptedDriver("nic", "v0", "v1");
        m.addDriver(nic);
        m.addDriver(new ScriptedDriver("nic", "v7"));   // same name, other devices: never used
        assertEquals(List.of("nic", "nic#2"), List.copyOf(stats.driverCounters().keySet()));

        FakeFlow a = added(1);
        m.drain();
        assertEquals(HwState.HW, a.hwState());
        nic.failWith = new IllegalStateException("firmware");
        FakeFlow b = added(2);
        m.drain();
        assertEquals(HwState.HW_REFRESH, b.hwState());
        nic.failWith = null;
        m.flowDying(table, a);
        m.drain();

        Map<String, Long> manager = stats.counters();
        assertEquals(Counter.values().length, manager.size());
        assertEquals(2L, manager.get("added"));
        assertEquals(2L, manager.get("deleted"));
        assertEquals(1L, manager.get("driver-errors"));
        assertEquals(List.of("added", "deleted"), List.copyOf(manager.keySet()).subList(0, 2), "stable order");

        Map<String, Long> n = stats.driverCounters().get("nic");
        assertEquals(0L, n.get("flows-in-hardware"));
        assertEquals(2L, n.get("added"));
        assertEquals(2L, n.get("deleted"));
        assertEquals(1L, n.get("driver-errors"));
        assertEquals("flows-in-hardware", n.keySet().iterator().next());
        Map<String, Long> other = stats.driverCounters().get("nic#2");
        assertTrue(other.values().stream().allMatch(v -> v == 0L), other.toString());
    }

    @Test
    void flowsInHardwareFollowTheDriverAndItsCountersLeaveWithIt() {
        ScriptedDriver nic = new ScriptedDriver("nic", "v0", "v1");
        m.addDriver(nic);
        added(1);
        added(2);
        m.drain();
        assertEquals(2L, component.driverCounters().get("nic").get("flows-in-hardware"));
        m.removeDriver(nic);
        assertTrue(component.driverCounters().isEmpty());
        assertEquals(2L, component.counters().get("driver-gone"));
    }

}
