package org.flowgate.tc.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.instance.RoutingInstance;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tc.CtFlow;
import org.flowgate.api.tc.TcException;
import org.flowgate.api.tc.TcFilter;
import org.flowgate.api.tc.TcService;
import org.flowgate.tc.action.Devices;
import org.flowgate.tc.ct.CtEngine;
import org.flowgate.tc.ct.CtFlowTables;
import org.flowgate.tc.ct.ZoneFlowTable;
import org.flowgate.tc.flowtable.ZoneTableView;
import org.flowgate.tc.hook.TcIngressHook;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tc classifier of the default routing instance: the {@link TcService}, its INGRESS
 * {@link PacketHook} ({@code flowgate.hook.name=tc-ingress}); the {@code ct} action drives the
 * instance's {@link ConnTracker} (see {@link CtEngine}).
 */
@Component(service = TcService.class, configurationPid = TcComponent.PID, property = RoutingInstance.DEFAULT_SERVICE_PROPERTY, immediate = true)
@Designate(ocd = TcConfig.class)
public final class TcComponent implements TcService {
    public static final String PID = "org.flowgate.tc";
    /** Service property naming a zone's {@link FlowTable} ({@code tc zone N}). */
    public static final String FLOW_TABLE_NAME = "flowgate.flowtable.name";
    private static final Logger LOG = LoggerFactory.getLogger(TcComponent.class);

    private final CtEngine ct = new CtEngine();
    private CtFlowTables flowTables;
    private java.util.concurrent.ScheduledExecutorService gc;
    private final Devices devices = new Devices();
    private final TcEngine engine = new TcEngine(ct, devices);
    private static final int PENDING_SECONDS = 30;
    private final List<String> pending = new ArrayList<>();
    /** The configured commands (file, then filters) and the filters they added, to replace them when the configuration changes. */
    private List<String> configured = List.of();
    private final List<TcFilter> configuredFilters = new ArrayList<>();
    private long pendingSince;
    private volatile ConnTracker tracker;
    private BundleContext context;
    private ServiceRegistration<PacketHook> hook;
    /** One {@link FlowTable} service per zone table, registered by the gc thread (never on the packet path). */
    private final Map<Integer, ServiceRegistration<FlowTable>> zoneTables = new HashMap<>();
    private int priority;

    @Activate
    void activate(BundleContext ctx, TcConfig cfg) {
        context = ctx;
        flowTables = new CtFlowTables(System::nanoTime, cfg.ct_flow_buckets(), TimeUnit.SECONDS.toNanos(cfg.ct_flow_timeout()));
        flowTables.setTracker(tracker);
        ct.setFlowTables(flowTables);
        gc = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tc-ct-flow-gc");
            t.setDaemon(true);
            return t;
        });
        gc.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
        applyCommands(commands(cfg));
        register(cfg.hook_priority());
    }

    /**
     * Adds the configured commands not added yet. Devices (a vxlan device, a port) may register
     * after this component: a command that fails is retried every second for
     * {@value #PENDING_SECONDS} s, then reported and dropped.
     */
    private void addPending(boolean last) {
        for (var it = pending.iterator(); it.hasNext(); ) {
            String cmd = it.next();
            try {
                configuredFilters.add(engine.add(cmd));
                it.remove();
            } catch (TcException e) {
                if (last) LOG.error("tc: configured filter not added: {}: {}", e.getMessage(), cmd);
                else LOG.debug("tc: configured filter not added yet: {}: {}", e.getMessage(), cmd);
            }
        }
        if (last) pending.clear();
    }

    /** Replaces the filters added from the previous configuration by {@code cmds} (unchanged commands: nothing happens). */
    private void applyCommands(List<String> cmds) {
        synchronized (pending) {
            if (cmds.equals(configured)) return;
            for (TcFilter f : configuredFilters) engine.delete(f.device(), f.chain(), f.prio(), f.handle());
            configuredFilters.clear();
            pending.clear();
            configured = List.copyOf(cmds);
            pending.addAll(cmds);
            pendingSince = System.nanoTime();
            addPending(false);
        }
    }

    private void sweep() {
        synchronized (pending) {
            if (!pending.isEmpty()) addPending(System.nanoTime() - pendingSince > TimeUnit.SECONDS.toNanos(PENDING_SECONDS));
        }
        try {
            flowTables.sweep();
            publishZoneTables();
        } catch (RuntimeException e) {
            LOG.error("tc ct flow table sweep failed", e);
        }
    }

    /** Registers the zone tables created since the last pass (a zone's table is made on its first flow). */
    synchronized void publishZoneTables() {
        if (context == null || gc.isShutdown()) return;
        for (ZoneFlowTable t : flowTables.tables()) {
            if (zoneTables.containsKey(t.zone())) continue;
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(RoutingInstance.PROPERTY, RoutingInstance.DEFAULT);
            props.put(FLOW_TABLE_NAME, "tc zone " + t.zone());
            props.put("flowgate.tc.zone", t.zone());
            zoneTables.put(t.zone(), context.registerService(FlowTable.class, new ZoneTableView(flowTables, t), props));
        }
    }

    @Modified
    synchronized void modified(TcConfig cfg) {
        flowTables.setIdleTimeoutNanos(TimeUnit.SECONDS.toNanos(cfg.ct_flow_timeout()));
        applyCommands(commands(cfg));
        if (cfg.hook_priority() != priority) {
            unregister();
            register(cfg.hook_priority());
        }
    }

    @Deactivate
    synchronized void deactivate() {
        unregister();
        gc.shutdownNow();
        for (ServiceRegistration<FlowTable> r : zoneTables.values()) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // bundle stopping
            }
        }
        zoneTables.clear();
        ct.setFlowTables(null);
        flowTables.flush(); // the connections go back to conntrack
    }

    private synchronized void register(int prio) {
        priority = prio;
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(PacketHook.HOOK, "ingress");
        props.put(PacketHook.PRIORITY, prio);
        props.put(RoutingInstance.PROPERTY, RoutingInstance.DEFAULT);
        props.put(CtEngine.HOOK_NAME, TcIngressHook.NAME);
        hook = context.registerService(PacketHook.class, new TcIngressHook(engine), props);
    }

    private void unregister() {
        if (hook == null) return;
        try {
            hook.unregister();
        } catch (IllegalStateException alreadyGone) {
            // bundle stopping
        }
        hook = null;
    }

    /** The configured commands: the file's (with continuations and comments), then {@code filters}. */
    static List<String> commands(TcConfig cfg) {
        List<String> l = new ArrayList<>();
        if (!cfg.file().isBlank()) {
            try {
                l.addAll(splitCommands(Files.readString(Path.of(cfg.file()))));
            } catch (IOException e) {
                LOG.error("tc: cannot read {}: {}", cfg.file(), e.toString());
            }
        }
        for (String f : cfg.filters()) if (!f.isBlank()) l.add(f);
        return l;
    }

    /** One command per logical line: {@code \} at the end continues it, {@code #} starts a comment line. */
    public static List<String> splitCommands(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : text.split("\r?\n")) {
            String t = line.strip();
            if (cur.isEmpty() && (t.isEmpty() || t.startsWith("#"))) continue;
            if (t.endsWith("\\")) {
                cur.append(t, 0, t.length() - 1).append(' ');
                continue;
            }
            cur.append(t);
            out.add(cur.toString().strip());
            cur.setLength(0);
        }
        if (!cur.isEmpty()) out.add(cur.toString().strip());
        return out;
    }

    // ---- references ----

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = RoutingInstance.DEFAULT_FILTER)
    void bindDevices(NetDevices d) { devices.set(d); }

    void unbindDevices(NetDevices d) { devices.unset(d); }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = RoutingInstance.DEFAULT_FILTER)
    void bindTracker(ConnTracker t) {
        synchronized (ct) {
            tracker = t;
            ct.setTracker(t);
            engine.trackers().set(t);
            if (flowTables != null) flowTables.setTracker(t);
        }
    }

    void unbindTracker(ConnTracker t) {
        synchronized (ct) {
            if (tracker != t) return;
            tracker = null;
            ct.unsetTracker(t);
            engine.trackers().unset(t);
            if (flowTables != null) {
                flowTables.flush();
                flowTables.setTracker(null);
            }
        }
    }

    // ---- TcService ----

    @Override public TcFilter add(String command) throws TcException { return engine.add(command); }
    @Override public int delete(String device, int chain, int prio, int handle) { return engine.delete(device, chain, prio, handle); }
    @Override public List<TcFilter> filters(String device) { return engine.filters(device); }
    @Override public List<Integer> chains(String device) { return engine.chains(device); }
    @Override public Map<String, Long> stats() { return engine.stats(); }
    @Override public List<CtFlow> ctFlows() { return engine.ctFlows(); }
    @Override public Verdict resume(Packet p, int chain) { return engine.resume(p, chain); }
}
