package org.flowgate.offload.manager.core;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.flowgate.api.flowtable.FlowEntry.HwState;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.flowtable.FlowTableService;
import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.offload.manager.support.FakeFlow;
import org.flowgate.offload.manager.support.FakeTable;
import org.flowgate.offload.manager.support.ScriptedDriver;
import org.junit.jupiter.api.Test;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentContext;

/**
 * The component's life cycle as SCR runs it: the flow table service (which references this
 * component as a listener) is bound by reference only and fetched later by the ticker, never
 * while activating, so SCR cannot run into a getService cycle.
 */
class OffloadComponentTest {
    final FakeTable table = new FakeTable(true);
    final Set<Thread> lookupThreads = ConcurrentHashMap.newKeySet();
    final AtomicInteger lookups = new AtomicInteger();

    final FlowTableService service = new FlowTableService() {
        @Override public void configure(List<FlowTableSpec> specs) { }
        @Override public FlowTable table(String family, String t, String name) { return null; }
        @Override public List<FlowTable> tables() { return List.of(table); }
    };

    @SuppressWarnings("unchecked")
    final ServiceReference<FlowTableService> ref = (ServiceReference<FlowTableService>) Proxy.newProxyInstance(
            getClass().getClassLoader(), new Class<?>[] { ServiceReference.class }, (proxy, m, args) -> switch (m.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> null;
            });

    final ComponentContext context = (ComponentContext) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] { ComponentContext.class }, (proxy, m, args) -> {
                if (m.getName().equals("locateService") && args.length == 2) {
                    lookupThreads.add(Thread.currentThread());
                    lookups.incrementAndGet();
                    assertEquals(OffloadComponent.TABLES, args[0]);
                    return args[1] == ref ? service : null;
                }
                if (m.getName().equals("hashCode")) return System.identityHashCode(proxy);
                if (m.getName().equals("equals")) return proxy == args[0];
                return null;
            });

    static OffloadConfig config(Map<String, Object> values) {
        return (OffloadConfig) Proxy.newProxyInstance(OffloadConfig.class.getClassLoader(), new Class<?>[] { OffloadConfig.class },
                (proxy, m, args) -> values.containsKey(m.getName()) ? values.get(m.getName()) : m.getDefaultValue());
    }

    @Test
    void flowTablesAreFetchedByTheTickerNotWhileActivating() throws Exception {
        OffloadComponent c = new OffloadComponent();
        c.bindTables(ref);
        c.activate(config(Map.of("stats_interval_ms", 10)), context);
        try {
            assertFalse(lookupThreads.contains(Thread.currentThread()), "fetched during activation");
            ScriptedDriver nic = new ScriptedDriver("nic", "v0", "v1");
            FakeFlow f = table.add(1, 10001);   // never announced: only the ticker's resync finds it
            c.bindDriver(nic);
            for (int i = 0; i < 500 && f.hwState() != HwState.HW; i++) Thread.sleep(10);
            assertEquals(HwState.HW, f.hwState(), "the ticker found the table through the service reference");
            assertEquals(2, nic.installed.size());
            assertEquals(1L, c.driverCounters().get("nic").get("flows-in-hardware"));
            assertFalse(lookupThreads.contains(Thread.currentThread()));
            assertTrue(lookups.get() > 0);

            c.unbindTables(ref);   // the table service left: its tables are gone, the driver unbinds them
            for (int i = 0; i < 500 && nic.unbinds.get() == 0; i++) Thread.sleep(10);
            assertEquals(1, nic.unbinds.get());
        } finally {
            c.deactivate();
        }
    }
}
