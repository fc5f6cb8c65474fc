package org.flowgate.conntrack.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.instance.RoutingInstance;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Gogo commands in scope {@code ct}, shaped after {@code conntrack(8)}, on the conntrack table of
 * the default routing instance or of the one {@code -i/--instance <name>} names:
 * <pre>
 *   ct:list [-i blue] [-p tcp] [-s 10.0.1.2] [-d ADDR] [--sport N] [--dport N] [-r ADDR] [-q ADDR] [-f ipv4] [-z ZONE] [-m MARK]
 *   ct:count [-i blue]
 *   ct:flush [-i blue]
 *   ct:delete [-i blue] FILTER...      (at least one option; deletes every matching entry)
 *   ct:stats [-i blue]
 * </pre>
 */
@Component(service = CtCommands.class, property = {
        "osgi.command.scope=ct",
        "osgi.command.function=list", "osgi.command.function=count", "osgi.command.function=flush",
        "osgi.command.function=delete", "osgi.command.function=stats"})
public final class CtCommands {
    /** The conntrack of every instance, by {@code flowgate.instance} (absent = default). */
    private final Map<ConnTracker, String> trackers = new ConcurrentHashMap<>();

    public CtCommands() {}

    /** One table, as the default instance's (tests, tools without a framework). */
    public CtCommands(ConnTracker ct) { trackers.put(ct, InstanceOption.DEFAULT); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindConnTracker(ConnTracker ct, Map<String, Object> props) {
        trackers.put(ct, RoutingInstance.of(props));
    }

    void unbindConnTracker(ConnTracker ct) { trackers.remove(ct); }

    public String list(String... words) {
        InstanceOption o = InstanceOption.of("ct:list", words);
        ConnTracker ct = tracker("ct:list", o.instance());
        EntryFilter f = EntryFilter.parse(o.rest());
        List<String> lines = new ArrayList<>();
        for (ConnEntry e : ct.list()) if (f.matches(e)) lines.add(EntryFormat.line(e));
        lines.sort(null);
        StringBuilder sb = new StringBuilder();
        for (String l : lines) sb.append(l).append('\n');
        sb.append("conntrack: ").append(lines.size()).append(" flow entries have been shown.");
        return sb.toString();
    }

    public int count(String... words) { return tracker("ct:count", only("ct:count", words)).count(); }

    public String flush(String... words) {
        return "conntrack: connection tracking table has been emptied (" + tracker("ct:flush", only("ct:flush", words)).flush() + " entries).";
    }

    public String delete(String... words) {
        InstanceOption o = InstanceOption.of("ct:delete", words);
        ConnTracker ct = tracker("ct:delete", o.instance());
        EntryFilter f = EntryFilter.parse(o.rest());
        if (f.criteria == 0) throw new IllegalArgumentException("ct:delete needs a filter; ct:flush empties the table");
        int n = 0;
        for (ConnEntry e : ct.list()) if (f.matches(e) && ct.delete(e)) n++;
        return "conntrack: " + n + " flow entries have been deleted.";
    }

    public String stats(String... words) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Long> e : tracker("ct:stats", only("ct:stats", words)).stats().entrySet()) {
            if (sb.length() > 0) sb.append(' ');
            sb.append(e.getKey()).append('=').append(e.getValue());
        }
        return sb.toString();
    }

    /** The instance of a command that takes nothing else. */
    private static String only(String command, String... words) {
        InstanceOption o = InstanceOption.of(command, words);
        if (o.rest().length > 0) throw new IllegalArgumentException(command + ": unexpected '" + o.rest()[0] + "' (only -i <instance>)");
        return o.instance();
    }

    private ConnTracker tracker(String command, String instance) {
        for (Map.Entry<ConnTracker, String> e : trackers.entrySet()) if (e.getValue().equals(instance)) return e.getKey();
        TreeSet<String> known = new TreeSet<>(trackers.values());
        throw new IllegalArgumentException(command + ": no conntrack in routing instance " + instance
                + (known.isEmpty() ? " (no conntrack is running)" : " (instances with conntrack: " + String.join(", ", known) + ")"));
    }
}
