package org.flowgate.conntrack.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.ConnTracker;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands in scope {@code ct}, shaped after {@code conntrack(8)}:
 * <pre>
 *   ct:list [-p tcp] [-s 10.0.1.2] [-d ADDR] [--sport N] [--dport N] [-r ADDR] [-q ADDR] [-f ipv4] [-z ZONE] [-m MARK]
 *   ct:count
 *   ct:flush
 *   ct:delete FILTER...      (at least one option; deletes every matching entry)
 *   ct:stats
 * </pre>
 */
@Component(service = CtCommands.class, property = {
        "osgi.command.scope=ct",
        "osgi.command.function=list", "osgi.command.function=count", "osgi.command.function=flush",
        "osgi.command.function=delete", "osgi.command.function=stats"})
public final class CtCommands {
    private final ConnTracker ct;

    @org.osgi.service.component.annotations.Activate
    public CtCommands(@Reference(target = "(flowgate.instance=default)") ConnTracker ct) {
        this.ct = ct;
    }

    public String list(String... filter) {
        EntryFilter f = EntryFilter.parse(filter);
        List<String> lines = new ArrayList<>();
        for (ConnEntry e : ct.list()) if (f.matches(e)) lines.add(EntryFormat.line(e));
        lines.sort(null);
        StringBuilder sb = new StringBuilder();
        for (String l : lines) sb.append(l).append('\n');
        sb.append("conntrack: ").append(lines.size()).append(" flow entries have been shown.");
        return sb.toString();
    }

    public int count() { return ct.count(); }

    public String flush() {
        return "conntrack: connection tracking table has been emptied (" + ct.flush() + " entries).";
    }

    public String delete(String... filter) {
        EntryFilter f = EntryFilter.parse(filter);
        if (f.criteria == 0) throw new IllegalArgumentException("ct:delete needs a filter; ct:flush empties the table");
        int n = 0;
        for (ConnEntry e : ct.list()) if (f.matches(e) && ct.delete(e)) n++;
        return "conntrack: " + n + " flow entries have been deleted.";
    }

    public String stats() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Long> e : ct.stats().entrySet()) {
            if (sb.length() > 0) sb.append(' ');
            sb.append(e.getKey()).append('=').append(e.getValue());
        }
        return sb.toString();
    }
}
