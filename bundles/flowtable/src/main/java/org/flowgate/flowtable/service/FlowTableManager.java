package org.flowgate.flowtable.service;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.flowtable.FlowTableListener;
import org.flowgate.api.flowtable.FlowTableService;
import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.api.route.NeighbourTable;
import org.flowgate.api.route.RoutingTable;
import org.flowgate.flowtable.fastpath.FastPath;
import org.flowgate.flowtable.table.Environment;
import org.flowgate.flowtable.table.Flow;
import org.flowgate.flowtable.table.FlowClock;
import org.flowgate.flowtable.table.FlowTableImpl;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flow tables of the routing instance: made to match the ruleset's {@code flowtable}
 * declarations, each with its fast path registered as an ingress {@link PacketHook}, and one worker
 * thread that ticks the clock, runs the garbage collectors and delivers events to
 * {@link FlowTableListener}s.
 */
@Component(service = FlowTableService.class, configurationPid = FlowTableConfig.PID,
        property = "flowgate.instance=default")
@Designate(ocd = FlowTableConfig.class)
public final class FlowTableManager implements FlowTableService, Environment {
    private static final Logger LOG = LoggerFactory.getLogger(FlowTableManager.class);

    @Reference private ConnTracker conntrack;
    @Reference private RoutingTable routes;
    @Reference private NeighbourTable neighbours;
    @Reference private NetDevices devices;

    private final List<FlowTableListener> listeners = new CopyOnWriteArrayList<>();
    private final FlowClock.Coarse clock = new FlowClock.Coarse();
    private final Map<String, Installed> tables = new LinkedHashMap<>();
    private final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();

    private BundleContext context;
    private String instance = "default";
    private volatile FlowTableConfig config;
    private volatile boolean running;
    private Thread worker;

    private record Installed(FlowTableImpl table, ServiceRegistration<PacketHook> hook) {}

    private record Event(boolean added, FlowTableImpl table, Flow flow) {}

    public FlowTableManager() {}

    @Activate
    void activate(BundleContext context, FlowTableConfig config, Map<String, Object> props) {
        this.context = context;
        this.config = config;
        Object inst = props.get("flowgate.instance");
        if (inst != null) instance = inst.toString();
        running = true;
        worker = Thread.ofPlatform().daemon().name("flowtable-gc-" + instance).start(this::work);
    }

    @Modified
    void modified(FlowTableConfig config) {
        this.config = config;
        synchronized (this) {
            for (Installed i : tables.values()) applyTimeouts(i.table);
        }
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        running = false;
        worker.interrupt();
        worker.join(5000);
        configure(List.of());
        deliverEvents();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(FlowTableListener l) { listeners.add(l); }

    void removeListener(FlowTableListener l) { listeners.remove(l); }

    // ---- FlowTableService ----

    @Override
    public synchronized void configure(List<FlowTableSpec> specs) {
        Map<String, FlowTableSpec> wanted = new LinkedHashMap<>();
        for (FlowTableSpec s : specs) wanted.put(key(s.family(), s.table(), s.name()), s);
        for (var it = tables.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            FlowTableSpec now = wanted.get(e.getKey());
            if (now != null && now.equals(e.getValue().table.spec())) continue;
            // gone, or declared differently: the old table gives its connections back to conntrack
            int n = e.getValue().table.flush();
            e.getValue().hook.unregister();
            it.remove();
            LOG.info("flow table {} removed ({} flows given back)", e.getKey(), n);
        }
        for (var e : wanted.entrySet()) {
            if (tables.containsKey(e.getKey())) continue;
            FlowTableImpl t = new FlowTableImpl(e.getValue(), this, config.expected_flows());
            applyTimeouts(t);
            tables.put(e.getKey(), new Installed(t, context.registerService(PacketHook.class, new FastPath(t), hookProperties(e.getValue()))));
            LOG.info("flow table {} on {} at ingress priority {}", e.getKey(), e.getValue().devices(), e.getValue().priority());
        }
    }

    private Dictionary<String, Object> hookProperties(FlowTableSpec s) {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(PacketHook.HOOK, Hook.INGRESS.label());
        p.put(PacketHook.PRIORITY, s.priority());
        p.put("flowgate.instance", instance);
        p.put("flowgate.flowtable", key(s.family(), s.table(), s.name()));
        return p;
    }

    private void applyTimeouts(FlowTableImpl t) {
        long ns = TimeUnit.SECONDS.toNanos(config.timeout());
        t.setTimeouts(ns, ns);
    }

    private static String key(String family, String table, String name) { return family + " " + table + " " + name; }

    @Override
    public synchronized FlowTable table(String family, String table, String name) {
        Installed i = tables.get(key(family, table, name));
        return i == null ? null : i.table;
    }

    @Override
    public synchronized List<FlowTable> tables() {
        List<FlowTable> l = new ArrayList<>();
        for (Installed i : tables.values()) l.add(i.table);
        return l;
    }

    private synchronized Collection<FlowTableImpl> snapshot() {
        List<FlowTableImpl> l = new ArrayList<>(tables.size());
        for (Installed i : tables.values()) l.add(i.table);
        return l;
    }

    // ---- the worker ----

    private void work() {
        while (running) {
            FlowTableConfig c = config;
            clock.tick();
            try {
                for (FlowTableImpl t : snapshot()) t.gcStep(c.gc_budget());
            } catch (RuntimeException e) {
                LOG.warn("flow table garbage collection failed", e);
            }
            deliverEvents();
            try {
                Thread.sleep(c.gc_interval_ms());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void deliverEvents() {
        for (Event e; (e = events.poll()) != null; ) {
            for (FlowTableListener l : listeners) {
                try {
                    if (e.added) l.flowAdded(e.table, e.flow);
                    else l.flowRemoved(e.table, e.flow);
                } catch (RuntimeException ex) {
                    LOG.warn("flow table listener {} failed", l, ex);
                }
            }
        }
    }

    // ---- Environment ----

    @Override
    public FlowClock clock() { return clock; }

    @Override
    public ConnTracker conntrack() { return conntrack; }

    @Override
    public RoutingTable routes() { return routes; }

    @Override
    public NeighbourTable neighbours() { return neighbours; }

    @Override
    public NetDevices devices() { return devices; }

    @Override
    public void flowAdded(FlowTableImpl table, Flow flow) {
        if (!listeners.isEmpty()) events.add(new Event(true, table, flow));
    }

    @Override
    public void flowRemoved(FlowTableImpl table, Flow flow) {
        if (!listeners.isEmpty()) events.add(new Event(false, table, flow));
    }
}
