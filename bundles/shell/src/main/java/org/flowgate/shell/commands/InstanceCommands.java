package org.flowgate.shell.commands;

import static org.flowgate.shell.commands.Instances.DEFAULT;

import java.io.IOException;
import java.util.Dictionary;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.apache.felix.service.command.Descriptor;
import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.flowtable.FlowTableService;
import org.flowgate.api.instance.RoutingInstance;
import org.flowgate.shell.instance.InstanceTargets;
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
 * the commands also take {@code -i <instance>} themselves.
 */
@Component(service = InstanceCommands.class, property = {
        "osgi.command.scope=router",
        "osgi.command.function=instances",
        "osgi.command.function=instance",
        "osgi.command.function=in"})
public class InstanceCommands {
    private static final Pattern NAME = InstanceTargets.NAME;

    @Reference
    Instances instances;
    private volatile ConfigurationAdmin configAdmin;

    public InstanceCommands() {}

    /** Without a framework (tests). */
    public InstanceCommands(Instances instances) { this.instances = instances; }

    @Descriptor("list the routing instances with their device, route, conntrack entry and flow counts")
    public String instances() {
        Instances in = instances;
        TreeSet<String> names = in.names();
        names.addAll(configuredNames());
        StringBuilder b = new StringBuilder(String.format("%-16s %8s %8s %10s %8s%n", "INSTANCE", "DEVICES", "ROUTES", "CONNTRACK", "FLOWS"));
        for (String n : names) {
            b.append(String.format("%-16s %8s %8s %10s %8s%n", n,
                    in.count(in.allDevices(), n, d -> d.list().size()), in.count(in.allRoutes(), n, r -> r.list().size()),
                    in.count(in.allConntrack(), n, ConnTracker::count), in.count(in.allFlowTables(), n, InstanceCommands::flows)));
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
        Configuration[] existing = cm.listConfigurations("(" + RoutingInstance.PROPERTY + "=" + name + ")");
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
            org.flowgate.api.ruleset.Ruleset r = instances.ruleset(name, "in");
            if (rest.length == 0 || String.join(" ", rest).equals("list ruleset")) return r.list();
            return r.execute(String.join(" ", rest), "<cmdline>");
        }
        RouterCommands router = new RouterCommands(instances);
        return switch (command) {
            case "interfaces" -> rest.length == 0 ? router.interfaces(name) : router.interfaces(name, rest[0]);
            case "addr" -> router.addr(name, rest);
            case "link" -> router.link(name, rest);
            case "routes" -> router.routes(name, rest);
            case "route" -> router.route(name, rest);
            default -> router.neigh(name, rest);
        };
    }

    /** Factory PID -> properties of the configurations that make instance {@code name}. */
    public static Map<String, Dictionary<String, Object>> configurations(String name) {
        Map<String, Dictionary<String, Object>> m = new LinkedHashMap<>();
        for (String pid : InstanceTargets.INSTANCE_PIDS) m.put(pid, InstanceTargets.configuration(pid, name));
        return m;
    }

    private TreeSet<String> configuredNames() {
        TreeSet<String> names = new TreeSet<>();
        ConfigurationAdmin cm = configAdmin;
        if (cm == null) return names;
        try {
            Configuration[] all = cm.listConfigurations("(service.factoryPid=org.flowgate.router)");
            if (all != null) for (Configuration c : all) {
                String n = c.getProperties() == null ? null : RoutingInstance.nameOrNull(c.getProperties().get(RoutingInstance.PROPERTY));
                if (n != null) names.add(n);
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

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindConfigAdmin(ConfigurationAdmin cm) { configAdmin = cm; }
    void unbindConfigAdmin(ConfigurationAdmin cm) { if (configAdmin == cm) configAdmin = null; }
}
