package org.flowgate.shell.stats;

import java.util.List;

/**
 * The counters of one thing: an interface, a hook point, the conntrack table, a flow table, the
 * tc classifier, an offload driver.
 *
 * @param type     {@code interface}, {@code hook}, {@code conntrack}, {@code flowtable}, {@code tc}, {@code offload}, {@code driver}
 * @param instance the routing instance ({@code flowgate.instance})
 * @param name     the thing's name within its type and instance (device name, hook point, table)
 */
public record StatGroup(String type, String instance, String name, List<Stat> stats) {
    public StatGroup {
        stats = List.copyOf(stats);
    }

    public static final String INTERFACE = "interface", HOOK = "hook", CONNTRACK = "conntrack", FLOWTABLE = "flowtable",
            TC = "tc", OFFLOAD = "offload", DRIVER = "driver";
}
