package org.flowgate.shell.stats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.flowtable.FlowTableService;
import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.api.flowtable.FlowTableStats;
import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.HookCounters;
import org.flowgate.api.hook.HookStats;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.instance.RoutingInstance;
import org.flowgate.api.netdev.DeviceCounters;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.api.packet.DropReason;
import org.flowgate.api.tc.TcService;
import org.flowgate.offload.OffloadDriver;
import org.flowgate.offload.OffloadStats;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Reads the counters of whatever router services are registered (devices, hook points,
 * conntrack, flow tables, tc, offload drivers), each optional and dynamic, into one list of
 * {@link StatGroup}s. {@code router:stats}, the JMX MBeans and the metrics endpoint all show
 * this list, so they always agree. Reads happen on the caller's thread, never on the packet path.
 */
@Component(service = StatsCollector.class)
public class StatsCollector {
    private final Map<NetDevices, String> devices = new ConcurrentHashMap<>();
    private final Map<HookStats, String> hookStats = new ConcurrentHashMap<>();
    private final Map<ServiceReference<PacketHook>, Boolean> hooks = new ConcurrentHashMap<>();
    private final Map<ConnTracker, String> conntrack = new ConcurrentHashMap<>();
    private final Map<FlowTableService, String> flowTables = new ConcurrentHashMap<>();
    private final Map<TcService, String> tc = new ConcurrentHashMap<>();
    private final Map<OffloadDriver, String> drivers = new ConcurrentHashMap<>();
    private final Map<OffloadStats, String> offload = new ConcurrentHashMap<>();

    /** A registered packet hook, for listings. */
    public record HookInfo(Hook point, int priority, String name, String instance) {}

    /** Every group, by type (interfaces, hooks, conntrack, flow tables, tc, drivers), then instance and name. */
    public List<StatGroup> collect() {
        List<StatGroup> out = new ArrayList<>();
        devices.forEach((d, inst) -> { for (NetDevice dev : d.list()) out.add(device(inst, dev)); });
        hookGroups(out);
        conntrack.forEach((ct, inst) -> out.add(mapGroup(StatGroup.CONNTRACK, inst, "conntrack", ct.stats(),
                "entries", "max", "buckets")));
        flowTables.forEach((s, inst) -> { for (FlowTable t : s.tables()) out.add(flowTable(inst, t)); });
        tc.forEach((t, inst) -> out.add(mapGroup(StatGroup.TC, inst, "tc", t.stats())));
        driverGroups(out);
        out.sort(Comparator.comparingInt((StatGroup g) -> typeOrder(g.type())).thenComparing(StatGroup::instance)
                .thenComparingInt(StatsCollector::hookOrder).thenComparing(StatGroup::name));
        return out;
    }

    /** The registered packet hooks in the order they run: by point, then priority. */
    public List<HookInfo> hooks() {
        List<HookInfo> l = new ArrayList<>();
        for (ServiceReference<PacketHook> r : hooks.keySet()) {
            String name = name(r);
            for (Hook h : points(r.getProperty(PacketHook.HOOK))) l.add(new HookInfo(h, priority(r.getProperty(PacketHook.PRIORITY)), name, instance(r)));
        }
        l.sort(Comparator.comparing(HookInfo::point).thenComparingInt(HookInfo::priority).thenComparing(HookInfo::name));
        return l;
    }

    private static StatGroup device(String inst, NetDevice d) {
        DeviceCounters c = d.counters();
        List<Stat> s = new ArrayList<>();
        s.add(Stat.gauge("up", d.isUp() ? 1 : 0));
        s.add(Stat.gauge("mtu", d.mtu()));
        s.add(Stat.counter("rx_packets", c.rxPackets()));
        s.add(Stat.counter("rx_bytes", c.rxBytes()));
        s.add(Stat.counter("tx_packets", c.txPackets()));
        s.add(Stat.counter("tx_bytes", c.txBytes()));
        s.add(Stat.counter("dropped", c.dropped()));
        // every reason, zero or not, so that JMX attributes and metric series stay the same set
        for (DropReason r : DropReason.values()) s.add(Stat.counter("drops", "reason", r.label(), c.drops().getOrDefault(r, 0L)));
        return new StatGroup(StatGroup.INTERFACE, inst, d.name(), s);
    }

    private void hookGroups(List<StatGroup> out) {
        Map<String, int[]> registered = new TreeMap<>(); // instance/point -> hook count
        for (HookInfo h : hooks()) registered.computeIfAbsent(h.instance() + "/" + h.point().label(), k -> new int[1])[0]++;
        Map<String, HookStats> statsByInstance = new TreeMap<>();
        hookStats.forEach((s, inst) -> statsByInstance.putIfAbsent(inst, s));
        java.util.Set<String> instances = new java.util.TreeSet<>(statsByInstance.keySet());
        for (String k : registered.keySet()) instances.add(k.substring(0, k.indexOf('/')));
        for (String inst : instances) {
            HookStats hs = statsByInstance.get(inst);
            for (Hook h : Hook.values()) {
                int[] n = registered.get(inst + "/" + h.label());
                if (n == null && hs == null) continue;
                List<Stat> s = new ArrayList<>();
                s.add(Stat.gauge("hooks", n == null ? 0 : n[0]));
                if (hs != null) {
                    HookCounters c = hs.counters(h);
                    s.add(Stat.counter("packets", c.packets()));
                    s.add(Stat.counter("accepted", c.accepted()));
                    s.add(Stat.counter("dropped", c.dropped()));
                    s.add(Stat.counter("stolen", c.stolen()));
                    s.add(Stat.counter("errors", c.errors()));
                }
                out.add(new StatGroup(StatGroup.HOOK, inst, h.label(), s));
            }
        }
    }

    /** The offload manager's counters, and per driver its own (or only that it is registered, without a manager). */
    private void driverGroups(List<StatGroup> out) {
        Map<String, Map<String, Long>> perDriver = new TreeMap<>(); // instance/name -> counters
        offload.forEach((o, inst) -> {
            out.add(mapGroup(StatGroup.OFFLOAD, inst, "offload", o.counters(), "queued", "flows", "flows_in_hardware"));
            o.driverCounters().forEach((name, c) -> perDriver.put(inst + "/" + name, c));
        });
        drivers.forEach((d, inst) -> perDriver.putIfAbsent(inst + "/" + d.name(), Map.of()));
        perDriver.forEach((k, c) -> {
            int slash = k.indexOf('/');
            StatGroup g = mapGroup(StatGroup.DRIVER, k.substring(0, slash), k.substring(slash + 1), c, "flows", "flows_in_hardware");
            List<Stat> s = new ArrayList<>(g.stats());
            s.add(0, Stat.gauge("registered", registered(k.substring(0, slash), k.substring(slash + 1)) ? 1 : 0));
            out.add(new StatGroup(g.type(), g.instance(), g.name(), s));
        });
    }

    private boolean registered(String inst, String name) {
        for (Map.Entry<OffloadDriver, String> e : drivers.entrySet()) if (e.getValue().equals(inst) && e.getKey().name().equals(name)) return true;
        return false;
    }

    private static StatGroup flowTable(String inst, FlowTable t) {
        FlowTableSpec spec = t.spec();
        String name = spec == null ? t.name() : spec.family() + "/" + spec.table() + "/" + spec.name();
        FlowTableStats st = t.stats();
        List<Stat> s = new ArrayList<>();
        s.add(Stat.gauge("flows", t.count()));
        s.add(Stat.counter("hits", st.hits()));
        s.add(Stat.counter("misses", st.misses()));
        s.add(Stat.counter("added", st.added()));
        s.add(Stat.counter("removed", st.removed()));
        new TreeMap<>(st.handedBack()).forEach((k, v) -> s.add(Stat.counter("handed_back", "reason", k, v)));
        new TreeMap<>(st.gcEvictions()).forEach((k, v) -> s.add(Stat.counter("gc_evictions", "reason", k, v)));
        return new StatGroup(StatGroup.FLOWTABLE, inst, name, s);
    }

    private static StatGroup mapGroup(String type, String inst, String name, Map<String, Long> m, String... gauges) {
        List<Stat> s = new ArrayList<>();
        for (Map.Entry<String, Long> e : m.entrySet()) {
            String k = Names.identifier(e.getKey());
            long v = e.getValue() == null ? 0 : e.getValue();
            s.add(List.of(gauges).contains(k) ? Stat.gauge(k, v) : Stat.counter(k, v));
        }
        return new StatGroup(type, inst, name, s);
    }

    /** Hook points in the order a packet meets them, not alphabetically. */
    private static int hookOrder(StatGroup g) {
        return g.type().equals(StatGroup.HOOK) ? Hook.parse(g.name()).ordinal() : 0;
    }

    private static int typeOrder(String type) {
        return switch (type) {
            case StatGroup.INTERFACE -> 0;
            case StatGroup.HOOK -> 1;
            case StatGroup.CONNTRACK -> 2;
            case StatGroup.FLOWTABLE -> 3;
            case StatGroup.TC -> 4;
            case StatGroup.OFFLOAD -> 5;
            default -> 6;
        };
    }

    private static String instance(Map<String, ?> props) { return RoutingInstance.of(props); }

    private static String instance(ServiceReference<?> r) { return RoutingInstance.name(r.getProperty(RoutingInstance.PROPERTY)); }

    private static String name(ServiceReference<?> r) {
        for (String k : new String[] {"flowgate.hook.name", "component.name"}) {
            Object v = r.getProperty(k);
            if (v != null) return String.valueOf(v);
        }
        return r.getBundle() == null ? "service " + r.getProperty(Constants.SERVICE_ID) : r.getBundle().getSymbolicName();
    }

    static List<Hook> points(Object v) {
        List<Hook> l = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        if (v instanceof String s) parts.addAll(List.of(s.split(",")));
        else if (v instanceof String[] a) parts.addAll(List.of(a));
        else if (v instanceof Iterable<?> it) for (Object o : it) parts.add(String.valueOf(o));
        for (String p : parts) {
            if (p.isBlank()) continue;
            try {
                Hook h = Hook.parse(p);
                if (!l.contains(h)) l.add(h);
            } catch (IllegalArgumentException unknown) { /* the packet path logs and ignores it too */ }
        }
        return l;
    }

    static int priority(Object v) {
        if (v instanceof Number n) return n.intValue();
        if (v instanceof String s) {
            try { return Integer.parseInt(s.trim()); } catch (NumberFormatException e) { /* as the packet path: filter */ }
        }
        return PacketHook.PRIORITY_FILTER;
    }

    // ---------------------------------------------------------------- references (all optional, dynamic)

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindNetDevices(NetDevices s, Map<String, Object> p) { devices.put(s, instance(p)); }

    void unbindNetDevices(NetDevices s) { devices.remove(s); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindHookStats(HookStats s, Map<String, Object> p) { hookStats.put(s, instance(p)); }

    void unbindHookStats(HookStats s) { hookStats.remove(s); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindPacketHook(ServiceReference<PacketHook> r) { hooks.put(r, Boolean.TRUE); }

    void updatedPacketHook(ServiceReference<PacketHook> r) { hooks.put(r, Boolean.TRUE); }

    void unbindPacketHook(ServiceReference<PacketHook> r) { hooks.remove(r); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindConnTracker(ConnTracker s, Map<String, Object> p) { conntrack.put(s, instance(p)); }

    void unbindConnTracker(ConnTracker s) { conntrack.remove(s); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindFlowTableService(FlowTableService s, Map<String, Object> p) { flowTables.put(s, instance(p)); }

    void unbindFlowTableService(FlowTableService s) { flowTables.remove(s); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindTcService(TcService s, Map<String, Object> p) { tc.put(s, instance(p)); }

    void unbindTcService(TcService s) { tc.remove(s); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindOffloadDriver(OffloadDriver s, Map<String, Object> p) { drivers.put(s, instance(p)); }

    void unbindOffloadDriver(OffloadDriver s) { drivers.remove(s); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindOffloadStats(OffloadStats s, Map<String, Object> p) { offload.put(s, instance(p)); }

    void unbindOffloadStats(OffloadStats s) { offload.remove(s); }

    // ---------------------------------------------------------------- for tests without a framework

    /** Adds sources directly (unit tests). */
    public void addForTest(Object service, String instance) {
        if (service instanceof NetDevices s) devices.put(s, instance);
        if (service instanceof HookStats s) hookStats.put(s, instance);
        if (service instanceof ConnTracker s) conntrack.put(s, instance);
        if (service instanceof FlowTableService s) flowTables.put(s, instance);
        if (service instanceof TcService s) tc.put(s, instance);
        if (service instanceof OffloadDriver s) drivers.put(s, instance);
        if (service instanceof OffloadStats s) offload.put(s, instance);
    }
}
