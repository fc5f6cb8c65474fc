package org.flowgate.packet.config;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.flowgate.api.instance.RoutingInstance;
import org.flowgate.api.route.Route;
import org.flowgate.api.route.RoutingTable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Static routes of any routing instance: one factory configuration of {@value #FACTORY_PID} per
 * route set, {@code flowgate.instance=<name>} and {@code routes} as in {@code org.flowgate.routes}
 * (e.g. {@code etc/org.flowgate.routes.instance~blue.cfg}). The component finds the instance's
 * routing table itself among all of them (no {@code .target} needed), puts its routes in when the
 * table comes (again after the instance restarts) and takes them out when the configuration goes.
 */
@Component(name = InstanceRoutesConfigComponent.FACTORY_PID, configurationPid = InstanceRoutesConfigComponent.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = InstanceRoutesConfig.class, factory = true)
public class InstanceRoutesConfigComponent {
    public static final String FACTORY_PID = "org.flowgate.routes.instance";
    private static final Logger LOG = LoggerFactory.getLogger(InstanceRoutesConfigComponent.class);

    private final Map<RoutingTable, String> tables = new ConcurrentHashMap<>();
    private String instance;               // null until activated
    private List<Route> routes = List.of();
    private RoutingTable current;          // the table holding our routes
    private List<Route> installed = List.of();

    @Activate
    @Modified
    synchronized void apply(InstanceRoutesConfig c, Map<String, Object> props) {
        String named = RoutingInstance.nameOrNull(props.get(RoutingInstance.PROPERTY));
        if (named == null) {
            LOG.error("{} configuration {} names no routing instance (flowgate.instance): ignored", FACTORY_PID, props.get("service.pid"));
            withdraw();
            instance = null;
            return;
        }
        instance = named;
        routes = RoutesConfigComponent.parse(c.routes());
        refresh();
    }

    @Deactivate
    synchronized void deactivate() {
        withdraw();
        instance = null;
    }

    @Reference(name = "table", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindTable(RoutingTable t, Map<String, Object> props) {
        tables.put(t, RoutingInstance.of(props));
        refresh();
    }

    synchronized void unbindTable(RoutingTable t) {
        tables.remove(t);
        if (t == current) {
            current = null;   // the instance's router went away, and its routes with it
            installed = List.of();
        }
        refresh();
    }

    /** Puts the routes into the instance's table, moving them when the table or the instance changed. */
    private void refresh() {
        if (instance == null) return;
        RoutingTable target = null;
        for (Map.Entry<RoutingTable, String> e : tables.entrySet()) if (e.getValue().equals(instance)) target = e.getKey();
        if (target != current) withdraw();
        if (target == null) {
            LOG.info("static routes of instance {} wait for its routing table", instance);
            return;
        }
        RoutesConfigComponent.install(target, this, installed, routes);
        current = target;
        installed = routes;
        LOG.info("static routes of instance {} configured: {}", instance, routes);
    }

    private void withdraw() {
        if (current != null) RoutesConfigComponent.install(current, this, installed, null);
        current = null;
        installed = List.of();
    }
}
