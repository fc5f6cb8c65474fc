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
        assertEquals("flow " + f.id() + " removed\n", cmd.delete("ft", Long.toString(f.id())));
        assertThrows(IllegalArgumentException.class, () -> cmd.delete("ft", Long.toString(f.id())));
        Scenario.offload(w, Frames.UDP);
        assertEquals("1 flows removed\n", cmd.flush());
        w.fastPath.process(Hook.INGRESS, w.arriving(Scenario.outbound(Frames.TCP), w.lan));
        String stats = cmd.stats();
        assertTrue(stats.startsWith("inet filter ft: flows=0 hits=0 misses=1 added=2 removed=2"), stats);
        assertTrue(stats.contains("handed back: ttl=0 mtu=0"), stats);
        assertTrue(stats.contains("gc evictions: idle=0 tcp-fin-rst=0 ct-dying=0 route=0 neighbour=0 device=0 admin=2"), stats);
    }

    @Test
    void theInstanceOptionPicksThatInstancesTables() {
        TestWorld blueWorld = new TestWorld();
        FlowCommands c = new FlowCommands();
        c.bindService(service(w), java.util.Map.of());
        c.bindService(service(blueWorld), java.util.Map.of("flowgate.instance", "blue"));
        Scenario.offload(blueWorld, Frames.TCP);
        Scenario.offload(blueWorld, Frames.UDP);
        assertTrue(c.count().contains("inet filter ft: 0"), c.count());
        assertTrue(c.count("-i", "blue").contains("inet filter ft: 2"), c.count("-i", "blue"));
        assertTrue(c.list("ft", "--instance", "blue").contains("2 flows"));
        assertTrue(c.stats("--instance=blue").contains("flows=2"));
        FlowEntry f = blueWorld.table.list().get(0);
        assertThrows(IllegalArgumentException.class, () -> c.delete("ft", Long.toString(f.id())), "not in default");
        assertEquals("flow " + f.id() + " removed\n", c.delete("-i", "blue", "ft", Long.toString(f.id())));
        assertEquals("1 flows removed\n", c.flush("-i", "blue"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.list("-i", "red"));
        assertEquals("flow:list: no flow tables in routing instance red (instances with flow tables: blue, default)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.count("-i"));
        assertThrows(IllegalArgumentException.class, () -> c.delete("ft"));
        assertThrows(IllegalArgumentException.class, () -> c.delete("ft", "x"));
    }

    private static FlowTableService service(TestWorld world) {
        return new FlowTableService() {
            @Override public void configure(List<FlowTableSpec> specs) {}
            @Override public FlowTable table(String family, String table, String name) { return world.table; }
            @Override public List<FlowTable> tables() { return List.of(world.table); }
        };
    }

    /** A table registered as a service by another bundle (as tc's ct zone tables): read side only. */
    static final class OtherTable implements FlowTable {
        final FlowTableSpec spec = new FlowTableSpec("tc", "ct", "zone 7", 0, java.util.Set.of(), false, true);
        int flushed;
        @Override public String name() { return spec.name(); }
        @Override public java.util.Set<String> devices() { return spec.devices(); }
        @Override public boolean hardwareOffload() { return false; }
        @Override public int count() { return 3; }
        @Override public List<FlowEntry> list() { return List.of(); }
        @Override public int flush() { flushed++; return 3; }
        @Override public void offer(org.flowgate.api.packet.Packet p) {}
        @Override public FlowTableSpec spec() { return spec; }
        @Override public boolean delete(FlowEntry flow) { return false; }
        @Override public org.flowgate.api.flowtable.FlowTableStats stats() {
            return new org.flowgate.api.flowtable.FlowTableStats(11, 2, java.util.Map.of(), 4, 1, java.util.Map.of("idle", 1L));
        }
    }

    @Test
    void flowTableServicesAreListedCountedAndFlushedBesidesTheNftOnes() {
        OtherTable zone = new OtherTable();
        cmd.addTable(zone);
        cmd.addTable(w.table); // a table the service already lists is shown once
        Scenario.offload(w, Frames.TCP);
        String count = cmd.count();
        assertTrue(count.contains("inet filter ft: 1\n"), count);
        assertTrue(count.contains("tc ct zone 7: 3\n"), count);
        assertTrue(count.endsWith("total: 4\n"), count);
        assertTrue(cmd.list().contains("flowtable tc ct zone 7 devices [] counter: 0 flows\n"), cmd.list());
        assertEquals(1, cmd.list().split("flowtable inet filter ft ", -1).length - 1, "nft table listed once");
        assertEquals(cmd.list("zone 7"), cmd.list("tc ct zone 7"));
        assertTrue(cmd.stats().contains("tc ct zone 7: flows=3 hits=11 misses=2 added=4 removed=1\n  handed back:\n  gc evictions: idle=1\n"), cmd.stats());
        assertEquals("4 flows removed\n", cmd.flush());
        assertEquals(1, zone.flushed);
        cmd.removeTable(zone);
        assertFalse(cmd.count().contains("zone 7"), cmd.count());
    }
}
