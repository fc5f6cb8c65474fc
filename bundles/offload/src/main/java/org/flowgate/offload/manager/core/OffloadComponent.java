package org.flowgate.offload.manager.core;

import java.util.List;

import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.flowtable.FlowTableListener;
import org.flowgate.api.flowtable.FlowTableService;
import org.flowgate.offload.OffloadDriver;
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
 * with every {@link OffloadDriver} service of the instance as a dynamic, greedy reference.
 */
@Component(service = { FlowTableListener.class, OffloadComponent.class }, configurationPid = OffloadConfig.PID,
        property = "flowgate.instance=default")
@Designate(ocd = OffloadConfig.class)
public final class OffloadComponent implements FlowTableListener {
    private final OffloadManager manager = new OffloadManager(Settings.DEFAULTS);
    private volatile FlowTableService tables;

    @Activate
    void activate(OffloadConfig config) {
        manager.update(Settings.of(config));
        manager.setTableSource(() -> {
            FlowTableService s = tables;
            return s == null ? List.<FlowTable>of() : s.tables();
        });
        manager.start();
    }

    @Modified
    void modified(OffloadConfig config) { manager.update(Settings.of(config)); }

    @Deactivate
    void deactivate() throws InterruptedException { manager.stop(); }

    public OffloadManager manager() { return manager; }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(flowgate.instance=default)")
    void bindTables(FlowTableService s) { tables = s; }

    void unbindTables(FlowTableService s) {
        if (tables == s) tables = null;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(|(flowgate.instance=default)(!(flowgate.instance=*)))")
    void bindDriver(OffloadDriver d) { manager.addDriver(d); }

    void unbindDriver(OffloadDriver d) { manager.removeDriver(d); }

    @Override
    public void flowAdded(FlowTable table, FlowEntry flow) { manager.flowAdded(table, flow); }

    @Override
    public void flowDying(FlowTable table, FlowEntry flow) { manager.flowDying(table, flow); }

    @Override
    public void flowRemoved(FlowTable table, FlowEntry flow) { manager.flowRemoved(table, flow); }
}
