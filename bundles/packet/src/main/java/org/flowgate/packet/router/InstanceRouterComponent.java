package org.flowgate.packet.router;

import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One more routing instance per factory configuration of {@value #FACTORY_PID}: its own devices,
 * routes, neighbours and hooks. The configuration names the instance ({@code flowgate.instance})
 * and points the references at it:
 * <pre>
 * flowgate.instance=blue
 * Port.target=(&amp;(!(flowgate.nic=*))(flowgate.instance=blue))
 * Hook.target=(flowgate.instance=blue)
 * Tap.target=(flowgate.instance=blue)
 * </pre>
 * Services of another instance are ignored even when a target lets them through.
 */
@Component(name = InstanceRouterComponent.FACTORY_PID, configurationPid = InstanceRouterComponent.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true, service = {})
@Designate(ocd = RouterConfig.class, factory = true)
public class InstanceRouterComponent extends RouterComponent {
    public static final String FACTORY_PID = "org.flowgate.router";

    @Activate
    public InstanceRouterComponent(Map<String, Object> properties) { super(properties); }
}
