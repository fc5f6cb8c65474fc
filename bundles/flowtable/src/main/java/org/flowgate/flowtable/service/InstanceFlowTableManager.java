package org.flowgate.flowtable.service;

import org.flowgate.api.flowtable.FlowTableService;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The flow tables of one more routing instance per factory configuration of {@value #FACTORY_PID}:
 * {@code flowgate.instance=<name>} and {@code conntrack.target}, {@code routes.target},
 * {@code neighbours.target}, {@code devices.target}, {@code Listener.target} =
 * {@code (flowgate.instance=<name>)}.
 */
@Component(name = InstanceFlowTableManager.FACTORY_PID, configurationPid = InstanceFlowTableManager.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = FlowTableService.class)
@Designate(ocd = FlowTableConfig.class, factory = true)
public class InstanceFlowTableManager extends FlowTableManager {
    public static final String FACTORY_PID = "org.flowgate.flowtable.instance";
}
