package org.flowgate.shell.commands;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.flowgate.shell.stats.StatGroup;
import org.flowgate.shell.stats.StatsCollector;
import org.flowgate.shell.stats.StatsText;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code router:stats [-i <instance> | -a] [kind|name]}: every counter of a routing instance (or of all) in one place. */
@Component(service = StatsCommand.class, property = {"osgi.command.scope=router", "osgi.command.function=stats"})
public class StatsCommand {
    private static final java.util.Set<String> KINDS = java.util.Set.of(StatGroup.INTERFACE, StatGroup.HOOK, StatGroup.CONNTRACK,
            StatGroup.FLOWTABLE, StatGroup.TC, StatGroup.OFFLOAD, StatGroup.DRIVER);
    private final StatsCollector collector;

    @Activate
    public StatsCommand(@Reference StatsCollector collector) { this.collector = collector; }

    @Descriptor("show the counters of interfaces, hook points, conntrack, flow tables, tc, the offload manager and its drivers")
    public String stats(
            @Descriptor("routing instance (default: default)") @Parameter(names = {RouterCommands.OPT_I, RouterCommands.OPT_INSTANCE}, absentValue = Instances.DEFAULT) String instance,
            @Descriptor("every routing instance") @Parameter(names = {"-a", "--all"}, presentValue = "true", absentValue = "false") boolean all) {
        return StatsText.format(of(instance, all), collector.hooks());
    }

    @Descriptor("show the counters of one kind (interface, hook, conntrack, flowtable, tc, offload, driver), or of one thing by name")
    public String stats(
            @Descriptor("routing instance (default: default)") @Parameter(names = {RouterCommands.OPT_I, RouterCommands.OPT_INSTANCE}, absentValue = Instances.DEFAULT) String instance,
            @Descriptor("every routing instance") @Parameter(names = {"-a", "--all"}, presentValue = "true", absentValue = "false") boolean all,
            @Descriptor("a kind, or a name (device, hook point, flow table)") String what) {
        List<StatGroup> l = new ArrayList<>();
        for (StatGroup g : of(instance, all)) if (g.type().equals(what) || g.name().equals(what)) l.add(g);
        if (l.isEmpty() && KINDS.contains(what)) return "no " + what + "\n";
        if (l.isEmpty()) throw new IllegalArgumentException("stats: nothing called \"" + what + "\"" + (all || instance.equals(Instances.DEFAULT) ? "" : " in instance " + instance)
                + " (kinds: interface, hook, conntrack, flowtable, tc, offload, driver)");
        return StatsText.format(l, collector.hooks());
    }

    /** The groups of {@code instance}, or all of them; an instance nothing belongs to is an error. */
    private List<StatGroup> of(String instance, boolean all) {
        List<StatGroup> groups = collector.collect();
        if (all) return groups;
        List<StatGroup> l = new ArrayList<>();
        TreeSet<String> known = new TreeSet<>();
        for (StatGroup g : groups) {
            known.add(g.instance());
            if (g.instance().equals(instance)) l.add(g);
        }
        if (l.isEmpty() && !known.isEmpty() && !known.contains(instance)) {
            throw new IllegalArgumentException("stats: no routing instance " + instance + " (instances: " + String.join(", ", known) + ")");
        }
        return l;
    }
}
