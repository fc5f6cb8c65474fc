package org.flowgate.shell.commands;

import java.util.ArrayList;
import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.flowgate.shell.stats.StatGroup;
import org.flowgate.shell.stats.StatsCollector;
import org.flowgate.shell.stats.StatsText;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code router:stats}: every counter of the router in one place. */
@Component(service = StatsCommand.class, property = {"osgi.command.scope=router", "osgi.command.function=stats"})
public class StatsCommand {
    private static final java.util.Set<String> KINDS = java.util.Set.of(StatGroup.INTERFACE, StatGroup.HOOK, StatGroup.CONNTRACK,
            StatGroup.FLOWTABLE, StatGroup.TC, StatGroup.OFFLOAD, StatGroup.DRIVER);
    private final StatsCollector collector;

    @Activate
    public StatsCommand(@Reference StatsCollector collector) { this.collector = collector; }

    @Descriptor("show the counters of interfaces, hook points, conntrack, flow tables, tc, the offload manager and its drivers")
    public String stats() { return StatsText.format(collector.collect(), collector.hooks()); }

    @Descriptor("show the counters of one kind (interface, hook, conntrack, flowtable, tc, offload, driver), or of one thing by name")
    public String stats(@Descriptor("a kind, or a name (device, hook point, flow table)") String what) {
        List<StatGroup> l = new ArrayList<>();
        for (StatGroup g : collector.collect()) if (g.type().equals(what) || g.name().equals(what)) l.add(g);
        if (l.isEmpty() && KINDS.contains(what)) return "no " + what + "\n";
        if (l.isEmpty()) throw new IllegalArgumentException("stats: nothing called \"" + what + "\" (kinds: interface, hook, conntrack, flowtable, tc, offload, driver)");
        return StatsText.format(l, collector.hooks());
    }
}
