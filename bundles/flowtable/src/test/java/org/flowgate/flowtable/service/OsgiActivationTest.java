package org.flowgate.flowtable.service;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.flowtable.fastpath.FastPath;
import org.flowgate.flowtable.support.TestWorld;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/** The DS life cycle with a recording BundleContext: config read, hooks registered as services and unregistered. */
class OsgiActivationTest {
    final List<Object[]> registered = new ArrayList<>();
    final List<Object> unregistered = new ArrayList<>();

    @SuppressWarnings("unchecked")
    BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { BundleContext.class }, (proxy, m, args) -> {
            if (!m.getName().equals("registerService")) throw new UnsupportedOperationException(m.getName());
            Object service = args[1];
            registered.add(new Object[] { args[0], service, args[2] });
            return (ServiceRegistration<?>) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { ServiceRegistration.class }, (p, mm, a) -> {
                if (mm.getName().equals("unregister")) { unregistered.add(service); return null; }
                throw new UnsupportedOperationException(mm.getName());
            });
        });
    }

    static FlowTableConfig config(int timeout) {
        return (FlowTableConfig) Proxy.newProxyInstance(OsgiActivationTest.class.getClassLoader(), new Class<?>[] { FlowTableConfig.class }, (p, m, a) -> switch (m.getName()) {
            case "timeout" -> timeout;
            case "gc_interval_ms" -> 10;
            case "gc_budget" -> 4096;
            case "expected_flows" -> 64;
            case "gc_pass_ms" -> 1000;
            default -> throw new UnsupportedOperationException(m.getName());
        });
    }

    @Test
    void activateRegistersOneHookServicePerTableAndDeactivateRemovesThem() throws Exception {
        TestWorld w = new TestWorld();
        FlowTableManager m = new FlowTableManager();
        for (var f : Map.of("conntrack", w.conntrack, "routes", w.routes(), "neighbours", w.neighbours(), "devices", w.devices()).entrySet()) {
            var field = FlowTableManager.class.getDeclaredField(f.getKey());
            field.setAccessible(true);
            field.set(m, f.getValue());
        }
        m.activate(context(), config(7), Map.of("flowgate.instance", "default"));
        try {
            m.configure(List.of(new FlowTableSpec("inet", "x", "ft", 10, Set.of("lan", "wan"), false, true)));
            assertEquals(1, registered.size());
            assertEquals(PacketHook.class.getName(), ((Class<?>) registered.get(0)[0]).getName());
            assertInstanceOf(FastPath.class, registered.get(0)[1]);
            Dictionary<?, ?> props = (Dictionary<?, ?>) registered.get(0)[2];
            assertEquals("ingress", props.get(PacketHook.HOOK));
            assertEquals(10, props.get(PacketHook.PRIORITY));
            assertEquals("inet x ft", props.get("flowgate.flowtable"));
            m.modified(config(1));
        } finally {
            m.deactivate();
        }
        assertEquals(1, unregistered.size());
        assertTrue(m.tables().isEmpty());
    }
}
