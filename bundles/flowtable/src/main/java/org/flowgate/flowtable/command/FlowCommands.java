package org.flowgate.flowtable.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.apache.felix.service.command.Descriptor;
import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.flowtable.FlowPath;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.flowtable.FlowTableService;
import org.flowgate.api.flowtable.FlowTableStats;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.tuple.FiveTuple;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** Gogo scope {@code flow}: look at and administer the flow tables. Formats only. */
@Component(service = FlowCommands.class, property = {
        "osgi.command.scope=flow",
        "osgi.command.function=list", "osgi.command.function=count", "osgi.command.function=flush",
        "osgi.command.function=delete", "osgi.command.function=stats" })
public final class FlowCommands {
    @Reference(target = "(flowgate.instance=default)")
    private FlowTableService service;

    /** Flow tables other bundles register as services (tc's ct zone tables), besides the nft ones. */
    private final List<FlowTable> others = new CopyOnWriteArrayList<>();

    public FlowCommands() {}

    /** Without a framework (tests). */
    public FlowCommands(FlowTableService service) { this.service = service; }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(flowgate.instance=default)")
    public void addTable(FlowTable t) { others.add(t); }

    public void removeTable(FlowTable t) { others.remove(t); }

    /** The nft flowtables, then every other {@link FlowTable} service not already among them. */
    private List<FlowTable> tables() {
        List<FlowTable> nft = service.tables();
        if (others.isEmpty()) return nft;
        List<FlowTable> all = new ArrayList<>(nft);
        for (FlowTable t : others) if (!nft.contains(t)) all.add(t);
        return all;
    }

    @Descriptor("list the flows of every flow table (nft flowtables and tc ct zones): both tuples, NAT, devices, age, counters, hardware state")
    public String list() {
        StringBuilder sb = new StringBuilder();
        for (FlowTable t : tables()) sb.append(FlowFormat.table(t, System.nanoTime()));
        return sb.toString();
    }

    @Descriptor("list the flows of one flow table")
    public String list(@Descriptor("flow table name") String name) {
        return FlowFormat.table(find(name), System.nanoTime());
    }

    @Descriptor("number of flows, per flow table")
    public String count() {
        StringBuilder sb = new StringBuilder();
        int total = 0;
        for (FlowTable t : tables()) {
            sb.append(label(t)).append(": ").append(t.count()).append('\n');
            total += t.count();
        }
        return sb.append("total: ").append(total).append('\n').toString();
    }

    @Descriptor("remove every flow of every flow table, giving the connections back to conntrack")
    public String flush() {
        int n = 0;
        for (FlowTable t : tables()) n += t.flush();
        return n + " flows removed\n";
    }

    @Descriptor("remove every flow of one flow table")
    public String flush(@Descriptor("flow table name") String name) {
        return find(name).flush() + " flows removed\n";
    }

    @Descriptor("remove one flow by the id flow:list shows")
    public String delete(@Descriptor("flow table name") String name, @Descriptor("flow id") long id) {
        FlowTable t = find(name);
        for (FlowEntry f : t.list()) if (f.id() == id) return t.delete(f) ? "flow " + id + " removed\n" : "flow " + id + " already gone\n";
        throw new IllegalArgumentException("no flow " + id + " in " + name);
    }

    @Descriptor("per flow table counters: hits, misses, packets handed back by reason, flows added/removed and GC evictions by reason")
    public String stats() {
        StringBuilder sb = new StringBuilder();
        for (FlowTable t : tables()) sb.append(FlowFormat.stats(label(t), t.count(), t.stats()));
        return sb.toString();
    }

    private FlowTable find(String name) {
        FlowTable found = null;
        for (FlowTable t : tables()) {
            if (t.name().equals(name) || label(t).equals(name)) {
                if (found != null) throw new IllegalArgumentException("several flow tables named " + name + ": use 'family table name'");
                found = t;
            }
        }
        if (found == null) throw new IllegalArgumentException("no flow table " + name);
        return found;
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
