package org.flowgate.shell.commands;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import org.apache.felix.service.command.Descriptor;
import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.flowtable.FlowTableService;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.api.route.RoutingTable;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * {@code router:instances} and {@code router:instance add|del <name>}: routing instances are the
 * factory configurations {@link #configurations(String)} lists, one per per-instance component,
 * created and deleted through ConfigAdmin (FileInstall writes them back to {@code etc/} when set so).
 * {@code router:in <instance> <command> ...} runs a router command (interfaces, addr, link, routes,
 * route, neigh) or {@code nft} against that instance, as {@code ip netns exec} / {@code ip vrf exec} do;
 * without it the commands act on the default instance.
 */
@Component(service = InstanceCommands.class, property = {
        "osgi.command.scope=router",
        "osgi.command.function=instances",
        "osgi.command.function=instance",
        "osgi.command.function=in"})
public class InstanceCommands {
    public static final String INSTANCE = "flowgate.instance";
    public static final String DEFAULT = "default";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");

    private final Map<NetDevices, String> devices = new ConcurrentHashMap<>();
    private final Map<RoutingTable, String> routes = new ConcurrentHashMap<>();
    private final Map<ConnTracker, String> conntrack = new ConcurrentHashMap<>();
    private final Map<FlowTableService, String> flowTables = new ConcurrentHashMap<>();
    private final Map<org.flowgate.api.route.NeighbourTable, String> neighbours = new ConcurrentHashMap<>();
    private final Map<org.flowgate.api.ruleset.Ruleset, String> rulesets = new ConcurrentHashMap<>();
    private volatile ConfigurationAdmin configAdmin;

    @Descriptor("list the routing instances with their device, route, conntrack entry and flow counts")
    public String instances() {
        TreeSet<String> names = new TreeSet<>(devices.values());
        names.addAll(routes.values());
        names.addAll(conntrack.values());
        names.addAll(flowTables.values());
        names.addAll(configuredNames());
        StringBuilder b = new StringBuilder(String.format("%-16s %8s %8s %10s %8s%n", "INSTANCE", "DEVICES", "ROUTES", "CONNTRACK", "FLOWS"));
        for (String n : names) {
            b.append(String.format("%-16s %8s %8s %10s %8s%n", n,
                    count(devices, n, d -> d.list().size()), count(routes, n, r -> r.list().size()),
                    count(conntrack, n, ConnTracker::count), count(flowTables, n, InstanceCommands::flows)));
        }
        return b.toString();
    }

    @Descriptor("create or delete a routing instance (its router, conntrack, flow table and ruleset configurations)")
    public String instance(@Descriptor("add|del <name>") String... words) throws IOException, InvalidSyntaxException {
        Args a = new Args("instance", words);
        String op = a.choice("operation", "add", "del");
        String name = a.word("instance name");
        a.end();
        if (!NAME.matcher(name).matches()) throw a.usage("instance name must be letters, digits, '_', '.', '-' (at most 32), not '" + name + "'");
        if (name.equals(DEFAULT)) throw a.usage("the default instance is always there");
        ConfigurationAdmin cm = configAdmin;
        if (cm == null) throw a.usage("no ConfigurationAdmin service");
        Configuration[] existing = cm.listConfigurations("(" + INSTANCE + "=" + name + ")");
        if (op.equals("add")) {
            if (existing != null && existing.length > 0) throw a.usage("instance " + name + " exists");
            for (Map.Entry<String, Dictionary<String, Object>> e : configurations(name).entrySet()) {
                cm.getFactoryConfiguration(e.getKey(), name, "?").update(e.getValue());
            }
            return null;
        }
        if (existing == null || existing.length == 0) throw a.usage("no instance " + name);
        for (Configuration c : existing) {
            // ports that named the instance stay: they wait, unattached, until it comes back
            if (configurations(name).containsKey(c.getFactoryPid())) c.delete();
        }
        return null;
    }

    @Descriptor("run a command in a routing instance: in <instance> interfaces|addr|link|routes|route|neigh|nft [arguments]")
    public String in(@Descriptor("<instance> <command> [arguments]") String... words) throws Exception {
        Args a = new Args("in", words);
        String name = a.word("instance name");
        String command = a.choice("command", "interfaces", "addr", "link", "routes", "route", "neigh", "nft");
        String[] rest = java.util.Arrays.copyOfRange(words, 2, words.length);
        if (command.equals("nft")) {
            org.flowgate.api.ruleset.Ruleset r = service(rulesets, name, a);
            if (rest.length == 0 || String.join(" ", rest).equals("list ruleset")) return r.list();
            return r.execute(String.join(" ", rest), "<cmdline>");
        }
        NetDevices d = service(devices, name, a);
        return switch (command) {
            case "interfaces" -> rest.length == 0 ? new InterfaceCommands(d).interfaces() : new InterfaceCommands(d).interfaces(rest[0]);
            case "addr" -> new InterfaceCommands(d).addr(rest);
            case "link" -> new InterfaceCommands(d).link(rest);
            case "routes" -> new RouteCommands(service(routes, name, a), d).routes(rest);
            case "route" -> new RouteCommands(service(routes, name, a), d).route(rest);
            default -> new NeighbourCommands(service(neighbours, name, a), d).neigh(rest);
        };
    }

    private static <S> S service(Map<S, String> services, String instance, Args a) {
        for (Map.Entry<S, String> e : services.entrySet()) if (e.getValue().equals(instance)) return e.getKey();
        throw a.usage("no routing instance " + instance);
    }

    /** Factory PID -> properties of the configurations that make instance {@code name}. */
    public static Map<String, Dictionary<String, Object>> configurations(String name) {
        String own = "(" + INSTANCE + "=" + name + ")";
        Map<String, Dictionary<String, Object>> m = new LinkedHashMap<>();
        m.put("org.flowgate.router", props(name, "Port.target", "(&(!(flowgate.nic=*))" + own + ")", "Hook.target", own, "Tap.target", own));
        m.put("org.flowgate.conntrack.instance", props(name, "Listener.target", own));
        m.put("org.flowgate.flowtable.instance", props(name, "conntrack.target", own, "routes.target", own,
                "neighbours.target", own, "devices.target", own, "Listener.target", own));
        m.put("org.flowgate.nft.instance", props(name, "ConnTracker.target", own, "LocalOutput.target", own, "FlowTableService.target", own));
        return m;
    }

    private static Dictionary<String, Object> props(String name, String... keyValues) {
        Dictionary<String, Object> d = new Hashtable<>();
        d.put(INSTANCE, name);
        for (int i = 0; i < keyValues.length; i += 2) d.put(keyValues[i], keyValues[i + 1]);
        return d;
    }

    private TreeSet<String> configuredNames() {
        TreeSet<String> names = new TreeSet<>();
        ConfigurationAdmin cm = configAdmin;
        if (cm == null) return names;
        try {
            Configuration[] all = cm.listConfigurations("(service.factoryPid=org.flowgate.router)");
            if (all != null) for (Configuration c : all) {
                Object n = c.getProperties() == null ? null : c.getProperties().get(INSTANCE);
                if (n != null) names.add(n.toString());
            }
        } catch (IOException | InvalidSyntaxException e) {
            // listing is best effort: the running instances are shown anyway
        }
        return names;
    }

    private static int flows(FlowTableService s) {
        int n = 0;
        for (FlowTable t : s.tables()) n += t.count();
        return n;
    }

    private static <S> String count(Map<S, String> services, String instance, java.util.function.ToIntFunction<S> f) {
        for (Map.Entry<S, String> e : services.entrySet()) if (e.getValue().equals(instance)) return Integer.toString(f.applyAsInt(e.getKey()));
        return "-";
    }

    private static String instanceOf(Map<String, Object> p) {
        Object v = p.get(INSTANCE);
        return v == null || v.toString().isBlank() ? DEFAULT : v.toString();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindNetDevices(NetDevices s, Map<String, Object> p) { devices.put(s, instanceOf(p)); }
    void unbindNetDevices(NetDevices s) { devices.remove(s); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindRoutingTable(RoutingTable s, Map<String, Object> p) { routes.put(s, instanceOf(p)); }
    void unbindRoutingTable(RoutingTable s) { routes.remove(s); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindConnTracker(ConnTracker s, Map<String, Object> p) { conntrack.put(s, instanceOf(p)); }
    void unbindConnTracker(ConnTracker s) { conntrack.remove(s); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindFlowTableService(FlowTableService s, Map<String, Object> p) { flowTables.put(s, instanceOf(p)); }
    void unbindFlowTableService(FlowTableService s) { flowTables.remove(s); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindNeighbourTable(org.flowgate.api.route.NeighbourTable s, Map<String, Object> p) { neighbours.put(s, instanceOf(p)); }
    void unbindNeighbourTable(org.flowgate.api.route.NeighbourTable s) { neighbours.remove(s); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindRuleset(org.flowgate.api.ruleset.Ruleset s, Map<String, Object> p) { rulesets.put(s, instanceOf(p)); }
    void unbindRuleset(org.flowgate.api.ruleset.Ruleset s) { rulesets.remove(s); }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindConfigAdmin(ConfigurationAdmin cm) { configAdmin = cm; }
    void unbindConfigAdmin(ConfigurationAdmin cm) { if (configAdmin == cm) configAdmin = null; }
}
