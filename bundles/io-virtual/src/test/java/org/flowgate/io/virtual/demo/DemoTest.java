package org.flowgate.io.virtual.demo;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;

import org.flowgate.api.netdev.Port;
import org.flowgate.io.virtual.command.VirtualCommands;
import org.flowgate.io.virtual.traffic.TrafficSource;
import org.flowgate.packet.router.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The demo as DS would run it, with the real router of bundles/packet standing in for the
 * framework: every Port the demo registers is attached to the router, as RouterComponent does.
 * Threaded ports and the router's timers run, so this waits (bounded) for traffic to arrive.
 */
class DemoTest {
    final Router router = new Router();
    final List<Port> registered = new ArrayList<>();
    final List<Port> unregistered = new ArrayList<>();
    Demo demo;

    @AfterEach
    void tearDown() {
        if (demo != null) demo.deactivate();
        router.close();
    }

    /** A BundleContext whose registerService attaches ports to the router; nothing else is called. */
    BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class}, (proxy, m, args) -> {
            if (!m.getName().equals("registerService")) throw new UnsupportedOperationException(m.getName());
            Port port = (Port) args[1];
            @SuppressWarnings("unchecked")
            Dictionary<String, Object> props = (Dictionary<String, Object>) args[2];
            assertEquals(port.name(), props.get(Port.NAME));
            assertEquals("default", props.get("flowgate.instance"));
            registered.add(port);
            router.attach(port);
            return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ServiceRegistration.class}, (p2, m2, a2) -> {
                if (m2.getName().equals("unregister")) { unregistered.add(port); router.detach(port); return null; }
                throw new UnsupportedOperationException(m2.getName());
            });
        });
    }

    /** A DemoConfig with defaults except the given values, as DS's annotation proxy would. */
    static DemoConfig config(Map<String, Object> values) {
        return (DemoConfig) Proxy.newProxyInstance(DemoTest.class.getClassLoader(), new Class<?>[] {DemoConfig.class}, (p, m, a) -> {
            if (m.getName().equals("annotationType")) return DemoConfig.class;
            if (values.containsKey(m.getName())) return values.get(m.getName());
            return m.getDefaultValue();
        });
    }

    void start(Map<String, Object> values) {
        router.startTimers();
        demo = new Demo();
        demo.devices = router.devices();
        demo.activate(config(values), context());
    }

    static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    @Test
    void defaultDemoRoutesTrafficFromH1ToH2() throws Exception {
        start(Map.of("pps", 20_000L, "summaryInterval", 0));
        assertEquals(List.of("v0", "v1"), registered.stream().map(Port::name).toList());
        assertTrue(router.devices().byName("v0").orElseThrow().addresses().toString().contains("10.0.1.1/24"));
        await(() -> demo.trafficStatus().received() >= 1000, "1000 packets at h2");
        TrafficSource.Status s = demo.trafficStatus();
        assertEquals(TrafficSource.State.RUNNING, s.state());
        assertEquals(4, demo.hosts().get(1).flows().size(), "four UDP flows arrive at h2");
        String summary = demo.summary();
        assertTrue(summary.matches("demo: udp/ipv4 running sent \\d+ received at h2 \\d+ \\| v0 rx \\d+ tx \\d+ drop \\d+ \\| v1 rx \\d+ tx \\d+ drop \\d+"), summary);

        VirtualCommands commands = new VirtualCommands(demo);
        String ping = commands.ping("h1", "10.0.2.2", 2);
        assertTrue(ping.contains("64 bytes from 10.0.2.2: icmp_seq=1 ttl=63"), ping);
        assertTrue(ping.contains("2 packets transmitted, 2 received, 0% packet loss"), ping);
        String ping6 = commands.ping("h2", "fd00:1::2", 1);
        assertTrue(ping6.contains("bytes from fd00:1::2: icmp_seq=1 ttl=63"), ping6);
        String unreachable = commands.ping("h1", "10.7.7.7", 1);
        assertTrue(unreachable.contains("From 10.0.1.1 icmp_seq=1 Destination"), unreachable);
        String hosts = commands.hosts();
        assertTrue(hosts.contains("h1 on v0: 02:66:67:00:00:02 10.0.1.2/24 via 10.0.1.1, fd00:1::2/64 via fd00:1::1"), hosts);
        assertTrue(hosts.contains("h2 on v1"), hosts);

        String started = commands.traffic("start", 2, 20_000, "tcp", 6);
        assertTrue(started.contains("2 tcp/ipv6 flow(s)"), started);
        await(() -> demo.trafficStatus().received() >= 500, "500 TCP segments over IPv6 at h2");
        String status = commands.traffic("status");
        assertTrue(status.startsWith("running: 2 tcp/ipv6"), status);
        String stopped = commands.traffic("stop");
        assertTrue(stopped.startsWith("stopped; stopped: "), stopped);
        assertEquals(TrafficSource.State.STOPPED, demo.trafficStatus().state());
        assertThrows(IllegalArgumentException.class, () -> commands.traffic("jump"));

        demo.deactivate();
        demo = null;
        assertEquals(registered, unregistered);
        assertTrue(router.devices().list().isEmpty());
    }

    @Test
    void disabledDemoCreatesNothing() {
        start(Map.of("enabled", false));
        assertTrue(registered.isEmpty());
        assertFalse(demo.enabled());
        assertTrue(demo.hosts().isEmpty());
        assertEquals("no emulated hosts (demo networks disabled)", new VirtualCommands(demo).hosts());
        assertThrows(IllegalStateException.class, () -> new VirtualCommands(demo).traffic("start"));
    }
}
