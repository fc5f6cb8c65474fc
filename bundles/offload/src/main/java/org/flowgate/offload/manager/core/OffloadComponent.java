package org.flowgate.offload.manager.core;

import java.util.List;
import java.util.Map;

import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.flowtable.FlowTableListener;
import org.flowgate.api.flowtable.FlowTableService;
import org.flowgate.api.instance.RoutingInstance;
import org.flowgate.offload.OffloadDriver;
import org.flowgate.offload.OffloadStats;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The manager as a DS component: a {@link FlowTableListener} of the routing instance's flow tables,
 * with every {@link OffloadDriver} service of the instance as a dynamic, greedy reference, and its
 * counters as {@link OffloadStats}. The tables registered as {@link FlowTable} services of the
 * instance (the tc ct zones' tables) are a dynamic multiple reference: the manager subscribes to
 * each ({@link FlowTable#addListener}) and hands their flows to drivers that take ct zones.
 *
 * <p>The flow table service references its listeners, so this component and it reference each
 * other. The {@link FlowTableService} is therefore bound by {@link ServiceReference} only and
 * fetched when the manager's ticker first needs it: getting it while either side activates would
 * make SCR's {@code getService} run into itself ("ServiceFactory.getService() resulted in a cycle").
 */
@Component(service = { FlowTableListener.class, OffloadStats.class, OffloadComponent.class }, configurationPid = OffloadConfig.PID,
        property = RoutingInstance.DEFAULT_SERVICE_PROPERTY)
@Designate(ocd = OffloadConfig.class)
public final class OffloadComponent implements FlowTableListener, OffloadStats {
    static final String TABLES = "tables";

    private final OffloadManager manager = new OffloadManager(Settings.DEFAULTS);
    private volatile ServiceReference<FlowTableService> tables;
    private volatile ComponentContext context;

    @Activate
    void activate(OffloadConfig config, ComponentContext context) {
        this.context = context;
        manager.update(Settings.of(config));
        manager.setTableSource(this::currentTables);
        manager.start();
    }

    private List<FlowTable> currentTables() {
        ServiceReference<FlowTableService> ref = tables;
        ComponentContext c = context;
        if (ref == null || c == null) return List.of();
        FlowTableService s = c.locateService(TABLES, ref);
        return s == null ? List.of() : s.tables();
    }

    @Override
    public Map<String, Long> counters() { return manager.counters(); }

    @Override
    public Map<String, Map<String, Long>> driverCounters() { return manager.driverCounters(); }

    @Modified
    void modified(OffloadConfig config) { manager.update(Settings.of(config)); }

    @Deactivate
    void deactivate() throws InterruptedException {
        manager.stop();
        context = null;
    }

    public OffloadManager manager() { return manager; }

    @Reference(name = TABLES, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = RoutingInstance.DEFAULT_FILTER)
    void bindTables(ServiceReference<FlowTableService> ref) { tables = ref; }

    void unbindTables(ServiceReference<FlowTableService> ref) {
        if (ref.equals(tables)) tables = null;
    }

    @Reference(name = "zoneTables", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = RoutingInstance.DEFAULT_FILTER)
    void bindZoneTable(FlowTable t) { manager.addTable(t); }

    void unbindZoneTable(FlowTable t) { manager.removeTable(t); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = RoutingInstance.DEFAULT_MEMBERS)
    void bindDriver(OffloadDriver d) { manager.addDriver(d); }

    void unbindDriver(OffloadDriver d) { manager.removeDriver(d); }

    @Override
    public void flowAdded(FlowTable table, FlowEntry flow) { manager.flowAdded(table, flow); }

    @Override
    public void flowDying(FlowTable table, FlowEntry flow) { manager.flowDying(table, flow); }

    @Override
    public void flowRemoved(FlowTable table, FlowEntry flow) { manager.flowRemoved(table, flow); }
}
