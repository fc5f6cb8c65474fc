package org.flowgate.packet.config;

import java.util.ArrayList;
import java.util.List;

import org.flowgate.api.instance.RoutingInstance;
import org.flowgate.api.route.Route;
import org.flowgate.api.route.RoutingTable;
import org.flowgate.packet.fib.Fib;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@code org.flowgate.routes} configuration: its routes replace those it set before. */
@Component(configurationPid = RoutesConfigComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = RoutesConfig.class)
public class RoutesConfigComponent {
    public static final String PID = "org.flowgate.routes";
    private static final Logger LOG = LoggerFactory.getLogger(RoutesConfigComponent.class);

    @Reference(target = RoutingInstance.DEFAULT_FILTER)
    RoutingTable table;

    private List<Route> added = List.of();

    @Activate
    @Modified
    void apply(RoutesConfig c) {
        List<Route> routes = parse(c.routes());
        install(table, this, added, routes);
        added = routes;
        LOG.info("static routes configured: {}", routes);
    }

    @Deactivate
    void withdraw() {
        install(table, this, added, null);
        added = List.of();
    }

    /**
     * Replaces the routes {@code owner} configured in {@code table}: {@code before} by {@code now}
     * ({@code null}: withdraws them). A {@link Fib} keeps them by owner, so a route also added by
     * hand or by another configuration stays when one owner withdraws it.
     */
    static void install(RoutingTable table, Object owner, List<Route> before, List<Route> now) {
        if (table instanceof Fib fib) {
            fib.configure(owner, now);
            return;
        }
        for (Route r : before) table.remove(r.destination(), r.gateway());
        if (now != null) for (Route r : now) table.add(r);
    }

    static List<Route> parse(String[] lines) {
        List<Route> l = new ArrayList<>();
        if (lines == null) return l;
        for (String line : lines) {
            if (line == null) continue;
            for (String s : line.split("[,;]")) { // a plain .cfg file gives one string: routes separated by commas
                if (s.isBlank()) continue;
                try {
                    l.add(RouteSyntax.parse(s));
                } catch (IllegalArgumentException e) {
                    LOG.error("bad route '{}': {}", s.trim(), e.getMessage());
                }
            }
        }
        return l;
    }
}
