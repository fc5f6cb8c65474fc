package org.flowgate.flowtable.command;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.flowtable.FlowTableService;
import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.api.hook.Hook;
import org.flowgate.flowtable.support.Frames;
import org.flowgate.flowtable.support.Scenario;
import org.flowgate.flowtable.support.TestWorld;
import org.junit.jupiter.api.Test;

class FlowCommandsTest {
    final TestWorld w = new TestWorld();
    final FlowCommands cmd = new FlowCommands(new FlowTableService() {
        @Override public void configure(List<FlowTableSpec> specs) {}
        @Override public FlowTable table(String family, String table, String name) { return w.table; }
        @Override public List<FlowTable> tables() { return List.of(w.table); }
    });

    @Test
    void listShowsBothTuplesNatDevicesAgeCountersAndHwState() {
        Scenario.offload(w, Frames.TCP);
        w.fastPath.process(Hook.INGRESS, w.arriving(Scenario.outbound(Frames.TCP), w.lan));
        String out = cmd.list();
        assertTrue(out.startsWith("flowtable inet filter ft devices "), out);
        assertTrue(out.contains("counter: 1 flows"), out);
        assertTrue(out.contains("#1 tcp age "), out);
        assertTrue(out.contains("hw software"), out);
        assertTrue(out.contains("original src=10.0.1.2 dst=198.51.100.7 sport=40000 dport=80 snat 192.0.2.1:40000 dev lan -> wan lladdr 02:00:00:00:00:fe mtu 1500 packets=1 bytes=46"), out);
        assertTrue(out.contains("reply    src=198.51.100.7 dst=192.0.2.1 sport=80 dport=40000 dnat 10.0.1.2:40000 dev wan -> lan lladdr 02:00:00:00:00:10 mtu 1500 packets=0 bytes=0"), out);
        assertEquals(cmd.list("ft"), cmd.list("inet filter ft"));
        assertThrows(IllegalArgumentException.class, () -> cmd.list("nope"));
    }

    @Test
    void countDeleteFlushStats() {
        Scenario.offload(w, Frames.TCP);
        assertTrue(cmd.count().contains("inet filter ft: 1"), cmd.count());
        FlowEntry f = w.table.list().get(0);
        assertEquals("flow " + f.id() + " removed\n", cmd.delete("ft", f.id()));
        assertThrows(IllegalArgumentException.class, () -> cmd.delete("ft", f.id()));
        Scenario.offload(w, Frames.UDP);
        assertEquals("1 flows removed\n", cmd.flush());
        w.fastPath.process(Hook.INGRESS, w.arriving(Scenario.outbound(Frames.TCP), w.lan));
        String stats = cmd.stats();
        assertTrue(stats.startsWith("inet filter ft: flows=0 hits=0 misses=1 added=2 removed=2"), stats);
        assertTrue(stats.contains("handed back: ttl=0 mtu=0"), stats);
        assertTrue(stats.contains("gc evictions: idle=0 tcp-fin-rst=0 ct-dying=0 route=0 neighbour=0 device=0 admin=2"), stats);
    }
}
