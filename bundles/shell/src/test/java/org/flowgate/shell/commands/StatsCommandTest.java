package org.flowgate.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Proxy;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.HookCounters;
import org.flowgate.api.hook.HookStats;
import org.flowgate.api.packet.DropReason;
import org.flowgate.shell.jmx.JmxConfig;
import org.flowgate.shell.jmx.StatsMBeans;
import org.flowgate.shell.stats.StatsCollector;
import org.junit.jupiter.api.Test;

/** router:stats and the MBeans show the counters the services report, and follow them. */
class StatsCommandTest {
    private final Fakes.Devices devices = new Fakes.Devices();
    private final StatsCollector collector = new StatsCollector();

    StatsCommandTest() {
        Fakes.Device lan = devices.add("lan0", 0x0200_0000_0001L);
        lan.rxPackets = 10; lan.rxBytes = 1000; lan.txPackets = 7; lan.txBytes = 700;
        lan.drops.put(DropReason.NO_ROUTE, 3L);
        devices.add("wan0", 0x0200_0000_0002L).up = false;
        collector.addForTest(devices, "default");
        collector.addForTest((HookStats) point -> point == Hook.PREROUTING ? new HookCounters(9, 6, 2, 1, 0) : new HookCounters(0, 0, 0, 0, 0), "default");
        Map<String, Long> ct = new LinkedHashMap<>();
        ct.put("found", 5L); ct.put("insert", 4L); ct.put("entries", 2L); ct.put("max", 65536L);
        collector.addForTest(proxy(ConnTracker.class, "stats", ct), "default");
    }

    @Test
    void statsShowsEveryServicesCountersAndLeavesOutZeroDrops() {
        String out = new StatsCommand(collector).stats("default", false);
        assertTrue(out.contains("interface lan0:\n    up 1 mtu 1500 rx_packets 10 rx_bytes 1000 tx_packets 7 tx_bytes 700\n    dropped 3 drops[no-route] 3\n"), out);
        assertTrue(out.contains("interface wan0:\n    up 0"), out);
        assertFalse(out.contains("drops[ttl-exceeded]"), out);
        assertTrue(out.contains("hook prerouting:\n    hooks 0 packets 9 accepted 6 dropped 2 stolen 1 errors 0"), out);
        assertTrue(out.contains("conntrack conntrack:\n    found 5 insert 4 entries 2 max 65536"), out);
        assertTrue(out.indexOf("interface lan0") < out.indexOf("hook ingress") && out.indexOf("hook ingress") < out.indexOf("hook prerouting")
                && out.indexOf("hook prerouting") < out.indexOf("hook input") && out.indexOf("hook postrouting") < out.indexOf("conntrack"), out);
    }

    @Test
    void offloadManagerAndDriverCountersAreShownPerDriver() {
        collector.addForTest(new org.flowgate.offload.OffloadStats() {
            @Override public Map<String, Long> counters() { return Map.of("added", 4L); }
            @Override public Map<String, Map<String, Long>> driverCounters() {
                return Map.of("emu0", Map.of("flows_in_hardware", 3L), "gone0", Map.of("flows_in_hardware", 0L));
            }
        }, "default");
        collector.addForTest(proxy(org.flowgate.offload.OffloadDriver.class, "name", "emu0"), "default");
        String out = new StatsCommand(collector).stats("default", false);
        assertTrue(out.contains("offload offload:\n    added 4\n"), out);
        assertTrue(out.contains("driver emu0:\n    registered 1 flows_in_hardware 3\n"), out);
        assertTrue(out.contains("driver gone0:\n    registered 0 flows_in_hardware 0\n"), out);
        assertTrue(out.indexOf("conntrack conntrack") < out.indexOf("offload offload") && out.indexOf("offload offload") < out.indexOf("driver emu0"), out);
    }

    @Test
    void statsFiltersByKindOrName() {
        StatsCommand cmd = new StatsCommand(collector);
        assertTrue(cmd.stats("default", false, "conntrack").startsWith("conntrack conntrack:"));
        String lan = cmd.stats("default", false, "lan0");
        assertTrue(lan.startsWith("interface lan0:") && !lan.contains("wan0"), lan);
        assertEquals("no flowtable\n", cmd.stats("default", false, "flowtable"));
        assertEquals("stats: nothing called \"eth9\" (kinds: interface, hook, conntrack, flowtable, tc, offload, driver)",
                assertThrows(IllegalArgumentException.class, () -> cmd.stats("default", false, "eth9")).getMessage());
    }

    @Test
    void mbeansReadLiveCountersAndGoAwayWithTheComponentAndTheirDevice() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        StatsMBeans jmx = new StatsMBeans(collector, config(true));
        ObjectName lan = new ObjectName("org.flowgate:type=interface,instance=default,name=lan0");
        ObjectName ct = new ObjectName("org.flowgate:type=conntrack,instance=default,name=conntrack");
        try {
            assertEquals(10L, server.getAttribute(lan, "rx_packets"));
            assertEquals(3L, server.getAttribute(lan, "drops_no_route"));
            assertEquals(0L, server.getAttribute(lan, "drops_ttl_exceeded"));
            assertEquals(65536L, server.getAttribute(ct, "max"));
            assertEquals(6L, server.getAttribute(new ObjectName("org.flowgate:type=hook,instance=default,name=prerouting"), "accepted"));

            devices.devices.get(0).rxPackets = 11;
            assertEquals(11L, server.getAttribute(lan, "rx_packets"), "read live");

            devices.devices.remove(1);
            jmx.sync();
            assertFalse(server.isRegistered(new ObjectName("org.flowgate:type=interface,instance=default,name=wan0")));
        } finally {
            invokeDeactivate(jmx);
        }
        assertFalse(server.isRegistered(lan));
        assertTrue(server.queryNames(new ObjectName("org.flowgate:*"), null).isEmpty());
    }

    @Test
    void disabledJmxRegistersNothing() throws Exception {
        StatsMBeans jmx = new StatsMBeans(collector, config(false));
        try {
            assertTrue(ManagementFactory.getPlatformMBeanServer().queryNames(new ObjectName("org.flowgate:*"), null).isEmpty());
        } finally {
            invokeDeactivate(jmx);
        }
    }

    private static void invokeDeactivate(StatsMBeans jmx) throws Exception {
        var m = StatsMBeans.class.getDeclaredMethod("deactivate");
        m.setAccessible(true);
        m.invoke(jmx);
    }

    private static JmxConfig config(boolean enabled) {
        return (JmxConfig) Proxy.newProxyInstance(StatsCommandTest.class.getClassLoader(), new Class<?>[] {JmxConfig.class},
                (p, m, a) -> switch (m.getName()) {
                    case "enabled" -> enabled;
                    case "refresh_seconds" -> 3600;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, String method, Object result) {
        return (T) Proxy.newProxyInstance(StatsCommandTest.class.getClassLoader(), new Class<?>[] {type},
                (p, m, a) -> {
                    if (m.getName().equals(method)) return result;
                    if (m.getName().equals("hashCode")) return System.identityHashCode(p);
                    if (m.getName().equals("equals")) return p == a[0];
                    throw new UnsupportedOperationException(m.getName());
                });
    }
}
