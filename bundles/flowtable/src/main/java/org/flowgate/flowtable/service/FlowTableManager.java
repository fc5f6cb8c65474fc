package org.flowgate.flowtable.service;

import java.util.ArrayList;
import java.util.Collection;
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
import org.flowgate.api.instance.RoutingInstance;
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
        property = RoutingInstance.DEFAULT_SERVICE_PROPERTY)
@Designate(ocd = FlowTableConfig.class)
public class FlowTableManager implements FlowTableService, Environment {
    private static final Logger LOG = LoggerFactory.getLogger(FlowTableManager.class);

    // services of the default instance; a factory configuration sets the .targets.
    // package-private, not private: DS injects them into the factory subclass too
    @Reference(target = RoutingInstance.DEFAULT_MEMBERS) ConnTracker conntrack;
    @Reference(target = RoutingInstance.DEFAULT_MEMBERS) RoutingTable routes;
    @Reference(target = RoutingInstance.DEFAULT_MEMBERS) NeighbourTable neighbours;
    @Reference(target = RoutingInstance.DEFAULT_MEMBERS) NetDevices devices;

    private final List<FlowTableListener> listeners = new CopyOnWriteArrayList<>();
    /** Listeners bound but not yet given the flows that exist: the worker replays them first thing in its next round. */
    private final ConcurrentLinkedQueue<FlowTableListener> subscribing = new ConcurrentLinkedQueue<>();
    /**
     * Per subscribed listener, per table, the ids of the flows its replay gave it whose added
     * event may still come (queued before, or racing with, the replay): that event is not given
     * to it a second time. Touched only under {@link #delivery}.
     */
    private final Map<FlowTableListener, Map<FlowTable, java.util.Set<Long>>> replayed = new java.util.HashMap<>();
    private final Object delivery = new Object();
    private final FlowClock.Coarse clock = new FlowClock.Coarse();
    private final Map<String, Installed> tables = new LinkedHashMap<>();
    private final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();

    private HookRegistry hooks;
    private String instance = RoutingInstance.DEFAULT;
    private volatile Settings settings = Settings.DEFAULTS;
    private volatile boolean running;
    private Thread worker;

    private record Installed(FlowTableImpl table, HookRegistry.Registration hook) {}

    private enum Kind { ADDED, DYING, REMOVED }

    private record Event(Kind kind, FlowTableImpl table, Flow flow) {}

    /** A table no longer declared, kept collected until hardware let go of its flows. */
    private record Retiring(FlowTableImpl table, long deadlineNanos) {}

    private static final long RETIRE_GRACE_NANOS = TimeUnit.SECONDS.toNanos(10);
    private final List<Retiring> retiring = new ArrayList<>();

    public FlowTableManager() {}

    /** Wiring without a framework (tests, benchmarks): call {@link #start()} then, at the end, {@link #stop()}. */
    public FlowTableManager(ConnTracker conntrack, RoutingTable routes, NeighbourTable neighbours, NetDevices devices,
            Settings settings, HookRegistry hooks) {
        this.conntrack = conntrack;
        this.routes = routes;
        this.neighbours = neighbours;
        this.devices = devices;
        this.settings = settings;
        this.hooks = hooks;
    }

    @Activate
    void activate(BundleContext context, FlowTableConfig config, Map<String, Object> props) {
        settings = Settings.of(config);
        instance = RoutingInstance.of(props);
        hooks = (hook, properties) -> {
            ServiceRegistration<PacketHook> r = context.registerService(PacketHook.class, hook, new Hashtable<>(properties));
            return r::unregister;
        };
        start();
    }

    @Modified
    void modified(FlowTableConfig config) { update(Settings.of(config)); }

    @Deactivate
    void deactivate() throws InterruptedException { stop(); }

    public void start() {
        running = true;
        worker = Thread.ofPlatform().daemon().name("flowtable-gc-" + instance).start(this::work);
    }

    /** Removes every table (flows go back to conntrack) and stops the worker. */
    public void stop() throws InterruptedException {
        running = false;
        if (worker != null) {
            worker.interrupt();
            worker.join(5000);
        }
        configure(List.of());
        for (int i = 0; i < 100 && hasRetiring(); i++) {
            runWorkerOnce();
            Thread.sleep(20);
        }
        synchronized (this) {
            for (Retiring r : retiring) r.table.removeAll();
            retiring.clear();
        }
        deliverEvents();
    }

    private synchronized boolean hasRetiring() { return !retiring.isEmpty(); }

    public void update(Settings s) {
        settings = s;
        synchronized (this) {
            for (Installed i : tables.values()) applyTimeouts(i.table);
        }
    }

    /** Runs one worker round now (tick, GC step on every table, events): for in-process tests that do not {@link #start()}. */
    public void runWorkerOnce() {
        clock.tick();
        for (FlowTableImpl t : snapshot()) t.gcStep(settings.gcBudget());
        deliverEvents();
    }

    /**
     * Subscribes {@code l}. Before any other event, on the worker's next round, {@code l} gets
     * {@code flowAdded} for every flow the tables hold then (a replay), so a listener that comes
     * after flows exist (an offload manager started late, a driver bundle deployed under
     * traffic) learns about them. Guarantees, for events delivered to {@code l}:
     * <ul>
     * <li>all come from the one worker thread, in the order the tables raised them; the replay
     *     comes before every later event;</li>
     * <li>a flow present at the replay, or added at any time after it, is given to {@code l} by
     *     {@code flowAdded} exactly once (a flow added concurrently with the replay is not given twice);</li>
     * <li>{@code flowDying}/{@code flowRemoved} follow the {@code flowAdded} of their flow, except for
     *     a flow removed while the replay ran or queued before it: {@code l} may then get
     *     {@code flowRemoved} (or {@code flowDying}) for a flow it was never given. Ignore unknown flows.</li>
     * </ul>
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, target = RoutingInstance.DEFAULT_MEMBERS)
    public void addListener(FlowTableListener l) { subscribing.add(l); }

    public void removeListener(FlowTableListener l) {
        subscribing.remove(l);
        listeners.remove(l);
        synchronized (delivery) { replayed.remove(l); }
    }

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
            e.getValue().hook.unregister();
            FlowTableImpl old = e.getValue().table;
            int n = old.flush();
            if (old.count() > 0) retiring.add(new Retiring(old, System.nanoTime() + RETIRE_GRACE_NANOS));
            it.remove();
            LOG.info("flow table {} removed ({} flows given back)", e.getKey(), n);
        }
        for (var e : wanted.entrySet()) {
            if (tables.containsKey(e.getKey())) continue;
            FlowTableImpl t = new FlowTableImpl(e.getValue(), this, settings.expectedFlows());
            applyTimeouts(t);
            tables.put(e.getKey(), new Installed(t, hooks.register(new FastPath(t), hookProperties(e.getValue()))));
            LOG.info("flow table {} on {} at ingress priority {}", e.getKey(), e.getValue().devices(), e.getValue().priority());
        }
    }

    private Map<String, Object> hookProperties(FlowTableSpec s) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(PacketHook.HOOK, Hook.INGRESS.label());
        p.put(PacketHook.PRIORITY, s.priority());
        p.put(RoutingInstance.PROPERTY, instance);
        p.put("flowgate.flowtable", key(s.family(), s.table(), s.name()));
        return p;
    }

    private void applyTimeouts(FlowTableImpl t) {
        long ns = TimeUnit.SECONDS.toNanos(settings.timeoutSeconds());
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

    /** The tables to collect: the declared ones and those retiring (dropped once empty or past their grace period). */
    private synchronized Collection<FlowTableImpl> snapshot() {
        List<FlowTableImpl> l = new ArrayList<>(tables.size() + retiring.size());
        for (Installed i : tables.values()) l.add(i.table);
        long now = System.nanoTime();
        for (var it = retiring.iterator(); it.hasNext(); ) {
            Retiring r = it.next();
            if (r.table.count() == 0) it.remove();
            else if (now - r.deadlineNanos > 0) {
                LOG.warn("flow table {} removed with {} flows still held by hardware", r.table, r.table.removeAll());
                it.remove();
            } else l.add(r.table);
        }
        return l;
    }

    // ---- the worker ----

    private void work() {
        while (running) {
            Settings c = settings;
            clock.tick();
            try {
                for (FlowTableImpl t : snapshot()) t.gcStep(c.stepBudget(t.gcSlots()));
            } catch (RuntimeException e) {
                LOG.warn("flow table garbage collection failed", e);
            }
            deliverEvents();
            try {
                Thread.sleep(c.gcIntervalMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void deliverEvents() {
        synchronized (delivery) {
            for (FlowTableListener l; (l = subscribing.poll()) != null; ) replay(l);
            for (Event e; (e = events.poll()) != null; ) {
                for (FlowTableListener l : listeners) {
                    // an added or removed event ends the replay's record of its flow; an added one was given already
                    boolean replayedFlow = e.kind != Kind.DYING && seenInReplay(l, e);
                    if (replayedFlow && e.kind == Kind.ADDED) continue;
                    try {
                        switch (e.kind) {
                            case ADDED -> l.flowAdded(e.table, e.flow);
                            case DYING -> l.flowDying(e.table, e.flow);
                            case REMOVED -> l.flowRemoved(e.table, e.flow);
                        }
                    } catch (RuntimeException ex) {
                        LOG.warn("flow table listener {} failed", l, ex);
                    }
                }
            }
        }
    }

    /**
     * Gives {@code l} the flows of every table. {@code l} joins the listeners first: a flow added
     * from then on raises an event (with no listener none is raised), and one added before is in
     * the tables' lists. Flows in both are given once: their ids are kept until that event comes.
     */
    private void replay(FlowTableListener l) {
        if (listeners.contains(l)) return;
        listeners.add(l);
        Map<FlowTable, java.util.Set<Long>> given = new java.util.HashMap<>();
        int n = 0;
        for (FlowTable t : tables()) {
            java.util.Set<Long> ids = new java.util.HashSet<>();
            for (org.flowgate.api.flowtable.FlowEntry f : t.list()) {
                ids.add(f.id());
                n++;
                try {
                    l.flowAdded(t, f);
                } catch (RuntimeException ex) {
                    LOG.warn("flow table listener {} failed", l, ex);
                }
            }
            if (!ids.isEmpty()) given.put(t, ids);
        }
        if (!given.isEmpty()) replayed.put(l, given);
        if (n > 0) LOG.info("flow table listener {} subscribed: {} existing flows replayed", l, n);
    }

    /** Whether {@code e}'s flow was given to {@code l} by its replay; its added or removed event ends that. */
    private boolean seenInReplay(FlowTableListener l, Event e) {
        Map<FlowTable, java.util.Set<Long>> given = replayed.get(l);
        if (given == null) return false;
        java.util.Set<Long> ids = given.get(e.table);
        if (ids == null || !ids.remove(e.flow.id())) return false;
        if (ids.isEmpty()) {
            given.remove(e.table);
            if (given.isEmpty()) replayed.remove(l);
        }
        return true;
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
        if (!listeners.isEmpty()) events.add(new Event(Kind.ADDED, table, flow));
    }

    @Override
    public void flowDying(FlowTableImpl table, Flow flow) {
        // with no listener nobody drives the hardware state: the flow is not in hardware
        if (listeners.isEmpty()) flow.compareAndSetHwState(org.flowgate.api.flowtable.FlowEntry.HwState.DYING, org.flowgate.api.flowtable.FlowEntry.HwState.DEAD);
        else events.add(new Event(Kind.DYING, table, flow));
    }

    @Override
    public void flowRemoved(FlowTableImpl table, Flow flow) {
        if (!listeners.isEmpty()) events.add(new Event(Kind.REMOVED, table, flow));
    }
}
