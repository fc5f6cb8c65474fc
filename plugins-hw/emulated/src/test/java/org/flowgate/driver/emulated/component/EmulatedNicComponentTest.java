package org.flowgate.driver.emulated.component;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.Port;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.driver.emulated.eswitch.Eswitch;
import org.flowgate.io.virtual.port.VirtualPort;
import org.flowgate.offload.EvictionReason;
import org.flowgate.offload.FlowBlock;
import org.flowgate.offload.FlowRule;
import org.flowgate.offload.OffloadCallback;
import org.flowgate.offload.OffloadDriver;
import org.flowgate.offload.OffloadException;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The component's runtime changes, against a recording BundleContext: wires taken and released, resize, rename. */
class EmulatedNicComponentTest {
    /** A registered service as the fake framework holds it. */
    record Reg(Object service, Map<String, Object> props) {}

    final List<Reg> live = Collections.synchronizedList(new ArrayList<>());
    final BundleContext context = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { BundleContext.class },
            (proxy, m, args) -> {
                if (!m.getName().equals("registerService")) throw new UnsupportedOperationException(m.getName());
                Map<String, Object> props = new HashMap<>();
                Dictionary<?, ?> d = (Dictionary<?, ?>) args[2];
                for (var k = d.keys(); k.hasMoreElements(); ) {
                    Object key = k.nextElement();
                    props.put((String) key, d.get(key));
                }
                Reg r = new Reg(args[1], props);
                live.add(r);
                return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { ServiceRegistration.class }, (p2, m2, a2) -> {
                    if (m2.getName().equals("unregister")) {
                        if (!live.remove(r)) throw new IllegalStateException("already unregistered");
                        return null;
                    }
                    throw new UnsupportedOperationException(m2.getName());
                });
            });

    static EmulatedNicConfig config(String name, int capacity, boolean offload, String... ctZones) {
        return (EmulatedNicConfig) Proxy.newProxyInstance(EmulatedNicConfig.class.getClassLoader(), new Class<?>[] { EmulatedNicConfig.class },
                (proxy, m, args) -> switch (m.getName()) {
                    case "name" -> name;
                    case "capacity" -> capacity;
                    case "offload" -> offload;
                    case "insert_latency_ms", "fail_every" -> 0;
                    case "fail_mode" -> "REFUSE";
                    case "ct_zones" -> ctZones;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    final VirtualPort w0 = new VirtualPort("p0", MacAddress.parse("02:00:00:00:00:01"), 1500),
            w1 = new VirtualPort("p1", MacAddress.parse("02:00:00:00:00:02"), 1500),
            w2 = new VirtualPort("p2", MacAddress.parse("02:00:00:00:00:03"), 1500);
    EmulatedNicComponent c;
    final RecordingCallback evictions = new RecordingCallback();

    /** The manager's side of a bound block: records each eviction report as "cookie reason". */
    static final class RecordingCallback implements OffloadCallback {
        final List<String> reports = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void evicted(long cookie, EvictionReason reason) { reports.add(cookie + " " + reason.label()); }
    }

    static List<String> sorted(List<String> l) {
        List<String> c = new ArrayList<>(l);
        Collections.sort(c);
        return c;
    }

    @BeforeEach
    void setUp() {
        c = new EmulatedNicComponent();
        c.bindWire(w0, Map.of(EmulatedNicComponent.NIC, "nic0"));
        c.bindWire(w1, Map.of(EmulatedNicComponent.NIC, "nic0"));
        c.bindWire(w2, Map.of(EmulatedNicComponent.NIC, "nic1"));
        c.activate(context, config("nic0", 8, true));
    }

    List<String> nicPorts() {
        List<String> l = new ArrayList<>();
        synchronized (live) {
            for (Reg r : live) if (r.service instanceof Port p) l.add(r.props.get("flowgate.nic.port") + ":" + p.name());
        }
        Collections.sort(l);
        return l;
    }

    OffloadDriver driver() {
        synchronized (live) {
            for (Reg r : live) if (r.service instanceof OffloadDriver d) return d;
        }
        return null;
    }

    Object driverNic() {
        synchronized (live) {
            for (Reg r : live) if (r.service instanceof OffloadDriver) return r.props.get(EmulatedNicComponent.NIC);
        }
        return null;
    }

    static FlowRule rule(long cookie, long flowId, int dir, String in, String out, int sport) {
        IpAddress a = IpAddress.parse("10.0.1.2"), b = IpAddress.parse("10.0.2.2");
        FiveTuple m = dir == 0 ? FiveTuple.of(a, sport, b, 80, 6) : FiveTuple.of(b, 80, a, sport, 6);
        return new FlowRule(cookie, flowId, dir, in, -1, m, 0, 0, 0, 0, true, m, 1, 2, true, out, -1, 1500);
    }

    @Test
    void aWireWhoseNicPropertyChangesIsTakenOverOrReleasedInPlace() throws OffloadException {
        assertEquals(List.of("nic0:p0", "nic0:p1"), nicPorts());
        Eswitch sw = c.eswitch();
        FlowBlock block = driver().bind(new FlowTableSpec("inet", "x", "ft", 0, Set.of("p0", "p1"), true, false), evictions);
        block.add(rule(1, 1, 0, "p0", "p1", 1000));
        block.add(rule(2, 1, 1, "p1", "p0", 1000));

        c.updatedWire(w2, Map.of(EmulatedNicComponent.NIC, "nic0"));
        assertEquals(List.of("nic0:p0", "nic0:p1", "nic0:p2"), nicPorts(), "p2 taken over");
        assertSame(sw, c.eswitch(), "no restart");
        assertEquals(2, sw.entries(), "flows of the other ports kept");

        c.updatedWire(w1, Map.of(EmulatedNicComponent.NIC, "nic9"));
        assertEquals(List.of("nic0:p0", "nic0:p2"), nicPorts(), "p1 released");
        assertNull(sw.port("p1"));
        assertEquals(0, sw.entries(), "rules entering or leaving by p1 went with it");
        assertEquals(List.of("1 device", "2 device"), sorted(evictions.reports), "reported to the manager's callback");
        assertEquals(2, sw.evicted(EvictionReason.DEVICE));
        block.del(rule(1, 1, 0, "p0", "p1", 1000)); // the manager deletes the surviving direction: unknown now, harmless
        assertEquals(2, evictions.reports.size());

        c.updatedWire(w1, Map.of(EmulatedNicComponent.NIC, "nic0"));
        assertEquals(List.of("nic0:p0", "nic0:p1", "nic0:p2"), nicPorts(), "taken back");
        c.updatedWire(w1, Map.of(EmulatedNicComponent.NIC, "nic0"));
        assertEquals(3, nicPorts().size(), "an update that changes nothing registers nothing twice");
        c.unbindWire(w0);
        assertEquals(List.of("nic0:p1", "nic0:p2"), nicPorts());
    }

    @Test
    void capacityChangesApplyAtRuntimeKeepingWhatFits() throws OffloadException {
        Eswitch sw = c.eswitch();
        OffloadDriver d = driver();
        FlowBlock block = d.bind(new FlowTableSpec("inet", "x", "ft", 0, Set.of("p0", "p1"), true, false), evictions);
        for (int f = 1; f <= 3; f++) {
            block.add(rule(2 * f - 1, f, 0, "p0", "p1", 1000 + f));
            block.add(rule(2 * f, f, 1, "p1", "p0", 1000 + f));
        }
        c.modified(config("nic0", 32, true));
        assertSame(sw, c.eswitch());
        assertSame(d, driver(), "the driver stays registered: its flows stay in hardware");
        assertEquals(32, sw.capacity());
        assertEquals(6, sw.entries());
        c.modified(config("nic0", 4, true));
        assertEquals(4, sw.capacity());
        assertEquals(4, sw.entries(), "the newest flow was evicted to software");
        assertEquals(2, sw.evicted());
        assertFalse(sw.installed(5) || sw.installed(6));
        assertTrue(sw.installed(1) && sw.installed(4));
        assertEquals(List.of("5 capacity", "6 capacity"), sorted(evictions.reports), "each evicted rule reported once");
        assertNull(block.stats(rule(5, 3, 0, "p0", "p1", 1003)));
        block.unbind();
        assertEquals(0, sw.entries());
        c.modified(config("nic0", 1, true));
        assertEquals(2, evictions.reports.size(), "rules the manager removed are not evictions");
    }

    @Test
    void aBlockBoundWithoutCallbackIsSilentAndAWithdrawnDriverReportsNothing() throws OffloadException {
        Eswitch sw = c.eswitch();
        // as a manager built against offload 1.2 binds (the same table, so the same chain and pre_ct rules)
        FlowBlock silent = driver().bind(new FlowTableSpec("inet", "x", "ft", 0, Set.of("p0", "p1"), true, false));
        silent.add(rule(21, 21, 0, "p0", "p1", 2000));
        silent.add(rule(22, 21, 1, "p1", "p0", 2000));
        FlowBlock block = driver().bind(new FlowTableSpec("inet", "x", "ft", 0, Set.of("p0", "p1"), true, false), evictions);
        block.add(rule(1, 1, 0, "p0", "p1", 1000));
        block.add(rule(2, 1, 1, "p1", "p0", 1000));
        c.modified(config("nic0", 2, true));
        assertFalse(sw.installed(21) || sw.installed(22), "the newest flow (highest cookies) left");
        assertTrue(evictions.reports.isEmpty(), "its block has nobody to tell: " + evictions.reports);
        assertEquals(2, sw.evicted(EvictionReason.CAPACITY));
        assertThrows(OffloadException.class, () -> block.add(rule(3, 2, 0, "p0", "p1", 1001)), "full");

        c.modified(config("nic0", 2, false)); // the driver is withdrawn (the manager would unbind; here nobody does)
        assertNull(driver());
        c.updatedWire(w1, Map.of(EmulatedNicComponent.NIC, "nic9"));
        assertEquals(0, sw.entries(), "p1's rules went with it");
        assertEquals(2, sw.evicted(EvictionReason.DEVICE));
        assertTrue(evictions.reports.isEmpty(), "a withdrawn driver's callbacks hear nothing: " + evictions.reports);
    }

    @Test
    void ctZoneRulesAndTheOffloadSwitchApplyAtRuntime() {
        c.modified(config("nic0", 8, true, "p0 3 2", "p1 nonsense", "p1 4 7"));
        String t = c.eswitch().dumpTables();
        assertTrue(t.contains("port p0 ct zone 3 goto ct; hit -> nat, miss to software chain=2"), t);
        assertTrue(t.contains("port p1 ct zone 4 goto ct; hit -> nat, miss to software chain=7"), t);
        c.modified(config("nic0", 8, true, "p1 4 7"));
        t = c.eswitch().dumpTables();
        assertFalse(t.contains("port p0 ct zone"), t);
        assertTrue(driver().offloadsCtZones());
        c.modified(config("nic0", 8, false));
        assertNull(driver(), "driver withdrawn");
        assertEquals(2, nicPorts().size(), "ports stay");
        c.modified(config("nic0", 8, true));
        assertNotNull(driver());
    }

    @Test
    void aRenamedNicReleasesItsPortsAndTakesTheNewNamesPorts() {
        Eswitch old = c.eswitch();
        c.modified(config("nic1", 8, true));
        assertEquals(List.of("nic1:p2"), nicPorts());
        assertNotSame(old, c.eswitch());
        assertEquals("nic1", c.eswitch().name());
        assertEquals("nic1", driverNic());
        assertEquals("emulated:nic1", driver().name());
        long commands;
        synchronized (live) { commands = live.stream().filter(r -> r.service instanceof HwCommands).count(); }
        assertEquals(1, commands, "one set of hw commands");
        c.deactivate();
        assertTrue(live.isEmpty(), "everything unregistered: " + live);
    }
}
