package org.flowgate.shell.commands;

import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.flowtable.FlowTableService;
import org.flowgate.api.instance.RoutingInstance;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.api.route.NeighbourTable;
import org.flowgate.api.route.RoutingTable;
import org.flowgate.api.ruleset.Ruleset;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The per-instance services of every routing instance, by their {@code flowgate.instance}
 * property (absent = {@code default}): what the commands' {@code -i/--instance <name>} option
 * selects. Lookups fail with the one line the user sees, naming the instances there are.
 */
@Component(service = Instances.class)
public class Instances {
    public static final String DEFAULT = RoutingInstance.DEFAULT;

    private final Map<NetDevices, String> devices = new ConcurrentHashMap<>();
    private final Map<RoutingTable, String> routes = new ConcurrentHashMap<>();
    private final Map<NeighbourTable, String> neighbours = new ConcurrentHashMap<>();
    private final Map<ConnTracker, String> conntrack = new ConcurrentHashMap<>();
    private final Map<FlowTableService, String> flowTables = new ConcurrentHashMap<>();
    private final Map<Ruleset, String> rulesets = new ConcurrentHashMap<>();

    public NetDevices devices(String instance, String command) { return find(devices, instance, command, "devices"); }

    public RoutingTable routes(String instance, String command) { return find(routes, instance, command, "routing table"); }

    public NeighbourTable neighbours(String instance, String command) { return find(neighbours, instance, command, "neighbour table"); }

    public ConnTracker conntrack(String instance, String command) { return find(conntrack, instance, command, "conntrack"); }

    public FlowTableService flowTables(String instance, String command) { return find(flowTables, instance, command, "flow tables"); }

    public Ruleset ruleset(String instance, String command) { return find(rulesets, instance, command, "ruleset"); }

    /** The device table of {@code instance}, or null when that instance has none (yet). */
    public NetDevices devicesOrNull(String instance) { return first(devices, instance); }

    /** Every instance one of whose services is registered. */
    public TreeSet<String> names() {
        TreeSet<String> names = new TreeSet<>(devices.values());
        names.addAll(routes.values());
        names.addAll(neighbours.values());
        names.addAll(conntrack.values());
        names.addAll(flowTables.values());
        names.addAll(rulesets.values());
        return names;
    }

    <S> String count(Map<S, String> services, String instance, java.util.function.ToIntFunction<S> f) {
        S s = first(services, instance);
        return s == null ? "-" : Integer.toString(f.applyAsInt(s));
    }

    Map<NetDevices, String> allDevices() { return devices; }
    Map<RoutingTable, String> allRoutes() { return routes; }
    Map<ConnTracker, String> allConntrack() { return conntrack; }
    Map<FlowTableService, String> allFlowTables() { return flowTables; }

    private <S> S find(Map<S, String> services, String instance, String command, String what) {
        String name = RoutingInstance.name(instance);
        S s = first(services, name);
        if (s != null) return s;
        TreeSet<String> known = names();
        if (!known.contains(name)) {
            throw new IllegalArgumentException(command + ": no routing instance " + name
                    + (known.isEmpty() ? " (none is running)" : " (instances: " + String.join(", ", known) + ")"));
        }
        throw new IllegalArgumentException(command + ": routing instance " + name + " has no " + what + " (not started, or its configuration is missing)");
    }

    private static <S> S first(Map<S, String> services, String instance) {
        for (Map.Entry<S, String> e : services.entrySet()) if (e.getValue().equals(instance)) return e.getKey();
        return null;
    }

    /** Adds a service of any of the kinds above directly (tests). */
    public Instances add(Object service, String instance) {
        if (service instanceof NetDevices s) devices.put(s, instance);
        if (service instanceof RoutingTable s) routes.put(s, instance);
        if (service instanceof NeighbourTable s) neighbours.put(s, instance);
        if (service instanceof ConnTracker s) conntrack.put(s, instance);
        if (service instanceof FlowTableService s) flowTables.put(s, instance);
        if (service instanceof Ruleset s) rulesets.put(s, instance);
        return this;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindNetDevices(NetDevices s, Map<String, Object> p) { devices.put(s, RoutingInstance.of(p)); }
    void unbindNetDevices(NetDevices s) { devices.remove(s); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindRoutingTable(RoutingTable s, Map<String, Object> p) { routes.put(s, RoutingInstance.of(p)); }
    void unbindRoutingTable(RoutingTable s) { routes.remove(s); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindNeighbourTable(NeighbourTable s, Map<String, Object> p) { neighbours.put(s, RoutingInstance.of(p)); }
    void unbindNeighbourTable(NeighbourTable s) { neighbours.remove(s); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindConnTracker(ConnTracker s, Map<String, Object> p) { conntrack.put(s, RoutingInstance.of(p)); }
    void unbindConnTracker(ConnTracker s) { conntrack.remove(s); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindFlowTableService(FlowTableService s, Map<String, Object> p) { flowTables.put(s, RoutingInstance.of(p)); }
    void unbindFlowTableService(FlowTableService s) { flowTables.remove(s); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindRuleset(Ruleset s, Map<String, Object> p) { rulesets.put(s, RoutingInstance.of(p)); }
    void unbindRuleset(Ruleset s) { rulesets.remove(s); }
}
