package org.flowgate.flowtable.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.felix.service.command.Descriptor;
import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.flowtable.FlowPath;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.flowtable.FlowTableService;
import org.flowgate.api.flowtable.FlowTableStats;
import org.flowgate.api.instance.RoutingInstance;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.tuple.FiveTuple;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Gogo scope {@code flow}: look at and administer the flow tables of the default routing instance,
 * or of the one {@code -i/--instance <name>} names (anywhere on the line). Formats only.
 */
@Component(service = FlowCommands.class, property = {
        "osgi.command.scope=flow",
        "osgi.command.function=list", "osgi.command.function=count", "osgi.command.function=flush",
        "osgi.command.function=delete", "osgi.command.function=stats" })
public final class FlowCommands {
    private static final String DEFAULT = RoutingInstance.DEFAULT;

    /** The nft flow tables of every instance, by {@code flowgate.instance} (absent = default). */
    private final Map<FlowTableService, String> services = new ConcurrentHashMap<>();

    /** Flow tables other bundles register as services (tc's ct zone tables), besides the nft ones. */
    private final Map<FlowTable, String> others = new ConcurrentHashMap<>();

    public FlowCommands() {}

    /** Without a framework (tests): one service, as the default instance's. */
    public FlowCommands(FlowTableService service) { services.put(service, DEFAULT); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindService(FlowTableService s, Map<String, Object> props) { services.put(s, RoutingInstance.of(props)); }

    void unbindService(FlowTableService s) { services.remove(s); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindTable(FlowTable t, Map<String, Object> props) { others.put(t, RoutingInstance.of(props)); }

    void unbindTable(FlowTable t) { others.remove(t); }

    /** A flow table service of the default instance (tests). */
    public void addTable(FlowTable t) { others.put(t, DEFAULT); }

    public void removeTable(FlowTable t) { others.remove(t); }

    /** The instance's nft flowtables, then its other {@link FlowTable} services not already among them. */
    private List<FlowTable> tables(String command, String instance) {
        List<FlowTable> all = new ArrayList<>();
        boolean known = false;
        for (Map.Entry<FlowTableService, String> e : services.entrySet()) {
            if (e.getValue().equals(instance)) { all.addAll(e.getKey().tables()); known = true; }
        }
        for (Map.Entry<FlowTable, String> e : others.entrySet()) {
            if (e.getValue().equals(instance)) { known = true; if (!all.contains(e.getKey())) all.add(e.getKey()); }
        }
        if (!known) {
            TreeSet<String> names = new TreeSet<>(services.values());
            names.addAll(others.values());
            throw new IllegalArgumentException(command + ": no flow tables in routing instance " + instance
                    + (names.isEmpty() ? " (no flow table service is running)" : " (instances with flow tables: " + String.join(", ", names) + ")"));
        }
        return all;
    }

    @Descriptor("list the flows of every flow table (nft flowtables and tc ct zones), or of one: both tuples, NAT, devices, age, counters, hardware state")
    public String list(@Descriptor("[-i <instance>] [flow table name]") String... words) {
        Words w = Words.of("list", words);
        if (w.rest.length > 1) throw w.usage("unexpected '" + w.rest[1] + "'");
        long now = System.nanoTime();
        if (w.rest.length == 1) return FlowFormat.table(find(w, w.rest[0]), now);
        StringBuilder sb = new StringBuilder();
        for (FlowTable t : tables(w.command, w.instance)) sb.append(FlowFormat.table(t, now));
        return sb.toString();
    }

    @Descriptor("number of flows, per flow table")
    public String count(@Descriptor("[-i <instance>]") String... words) {
        Words w = Words.of("count", words);
        w.end(0);
        StringBuilder sb = new StringBuilder();
        int total = 0;
        for (FlowTable t : tables(w.command, w.instance)) {
            sb.append(label(t)).append(": ").append(t.count()).append('\n');
            total += t.count();
        }
        return sb.append("total: ").append(total).append('\n').toString();
    }

    @Descriptor("remove every flow of every flow table, or of one, giving the connections back to conntrack")
    public String flush(@Descriptor("[-i <instance>] [flow table name]") String... words) {
        Words w = Words.of("flush", words);
        if (w.rest.length > 1) throw w.usage("unexpected '" + w.rest[1] + "'");
        if (w.rest.length == 1) return find(w, w.rest[0]).flush() + " flows removed\n";
        int n = 0;
        for (FlowTable t : tables(w.command, w.instance)) n += t.flush();
        return n + " flows removed\n";
    }

    @Descriptor("remove one flow by the id flow:list shows: delete [-i <instance>] <flow table name> <id>")
    public String delete(@Descriptor("[-i <instance>] <flow table name> <flow id>") String... words) {
        Words w = Words.of("delete", words);
        w.end(2);
        String name = w.rest[0];
        long id;
        try {
            id = Long.parseLong(w.rest[1]);
        } catch (NumberFormatException e) {
            throw w.usage("flow id must be a number, not '" + w.rest[1] + "'");
        }
        FlowTable t = find(w, name);
        for (FlowEntry f : t.list()) if (f.id() == id) return t.delete(f) ? "flow " + id + " removed\n" : "flow " + id + " already gone\n";
        throw new IllegalArgumentException("no flow " + id + " in " + name);
    }

    @Descriptor("per flow table counters: hits, misses, packets handed back by reason, flows added/removed and GC evictions by reason")
    public String stats(@Descriptor("[-i <instance>]") String... words) {
        Words w = Words.of("stats", words);
        w.end(0);
        StringBuilder sb = new StringBuilder();
        for (FlowTable t : tables(w.command, w.instance)) sb.append(FlowFormat.stats(label(t), t.count(), t.stats()));
        return sb.toString();
    }

    private FlowTable find(Words w, String name) {
        FlowTable found = null;
        for (FlowTable t : tables(w.command, w.instance)) {
            if (t.name().equals(name) || label(t).equals(name)) {
                if (found != null) throw new IllegalArgumentException("several flow tables named " + name + ": use 'family table name'");
                found = t;
            }
        }
        if (found == null) throw new IllegalArgumentException("no flow table " + name + (w.instance.equals(DEFAULT) ? "" : " in routing instance " + w.instance));
        return found;
    }

    /** A command's words: {@code -i <name>}, {@code --instance <name>} or {@code --instance=<name>} anywhere, and the rest in order. */
    private record Words(String command, String instance, String[] rest) {
        static Words of(String command, String[] words) {
            String c = "flow:" + command, instance = null;
            List<String> rest = new ArrayList<>();
            for (int i = 0; words != null && i < words.length; i++) {
                String v;
                if (words[i].equals("-i") || words[i].equals("--instance")) {
                    if (i + 1 == words.length) throw new IllegalArgumentException(c + ": " + words[i] + " needs an instance name");
                    v = words[++i];
                } else if (words[i].startsWith("--instance=")) {
                    v = words[i].substring(11);
                } else {
                    rest.add(words[i]);
                    continue;
                }
                if (instance != null && !instance.equals(v)) throw new IllegalArgumentException(c + ": two instances given (" + instance + ", " + v + ")");
                instance = v;
            }
            return new Words(c, instance == null ? DEFAULT : instance, rest.toArray(new String[0]));
        }

        void end(int n) {
            if (rest.length < n) throw usage("missing " + (n - rest.length) + " argument(s)");
            if (rest.length > n) throw usage("unexpected '" + rest[n] + "'");
        }

        IllegalArgumentException usage(String problem) { return new IllegalArgumentException(command + ": " + problem); }
    }

    static String label(FlowTable t) { return t.spec().family() + " " + t.spec().table() + " " + t.name(); }

    /** Text layouts, kept apart from the commands so they can be tested. */
    static final class FlowFormat {
        private FlowFormat() {}

        static String table(FlowTable t, long nowNanos) {
            StringBuilder sb = new StringBuilder();
            List<FlowEntry> flows = t.list();
            sb.append("flowtable ").append(label(t)).append(" devices ").append(t.devices())
                    .append(t.spec().counter() ? " counter" : "").append(t.hardwareOffload() ? " offload" : "")
                    .append(": ").append(flows.size()).append(" flows\n");
            for (FlowEntry f : flows) flow(sb, f, t.spec().counter(), nowNanos);
            return sb.toString();
        }

        static void flow(StringBuilder sb, FlowEntry f, boolean counters, long nowNanos) {
            sb.append("  #").append(f.id()).append(' ').append(proto(f.original().proto))
                    .append(" age ").append(seconds(nowNanos - f.createdNanos()))
                    .append(" idle ").append(seconds(nowNanos - f.lastUsedNanos()))
                    .append(" hw ").append(f.hwState().label());
            if (f.tornDown()) sb.append(" [TEARDOWN]");
            sb.append('\n');
            for (int dir = 0; dir < 2; dir++) {
                FlowPath p = f.path(dir);
                sb.append("    ").append(dir == 0 ? "original " : "reply    ").append(tuple(p.match()));
                if (p.snat()) sb.append(" snat ").append(endpoint(p.rewrite().src().toString(), p.rewrite().srcPort));
                if (p.dnat()) sb.append(" dnat ").append(endpoint(p.rewrite().dst().toString(), p.rewrite().dstPort));
                sb.append(" dev ").append(p.inDevice()).append(vlan(p.inVlan())).append(" -> ").append(p.outDevice()).append(vlan(p.outVlan()));
                // a table that does not forward itself (tc's ct zones) has no next hop
                if (p.mtu() > 0) sb.append(" lladdr ").append(new MacAddress(p.dstMac())).append(" mtu ").append(p.mtu());
                if (counters) sb.append(" packets=").append(f.packets(dir)).append(" bytes=").append(f.bytes(dir));
                sb.append('\n');
            }
        }

        static String stats(String label, int count, FlowTableStats s) {
            StringBuilder sb = new StringBuilder();
            sb.append(label).append(": flows=").append(count).append(" hits=").append(s.hits()).append(" misses=").append(s.misses())
                    .append(" added=").append(s.added()).append(" removed=").append(s.removed()).append('\n');
            counters(sb, "  handed back:", s.handedBack());
            counters(sb, "  gc evictions:", s.gcEvictions());
            return sb.toString();
        }

        private static void counters(StringBuilder sb, String title, Map<String, Long> m) {
            sb.append(title);
            m.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
            sb.append('\n');
        }

        private static String tuple(FiveTuple t) {
            return "src=" + t.src() + " dst=" + t.dst() + " sport=" + t.srcPort + " dport=" + t.dstPort;
        }

        private static String endpoint(String addr, int port) { return addr.indexOf(':') >= 0 ? "[" + addr + "]:" + port : addr + ":" + port; }

        private static String vlan(int v) { return v < 0 ? "" : "." + v; }

        private static String proto(int p) { return p == 6 ? "tcp" : p == 17 ? "udp" : Integer.toString(p); }

        private static String seconds(long nanos) { return Math.max(0, TimeUnit.NANOSECONDS.toSeconds(nanos)) + "s"; }
    }
}
