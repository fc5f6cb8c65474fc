package org.flowgate.conntrack;

import org.flowgate.api.conntrack.ConnTracker;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The conntrack of one more routing instance per factory configuration of {@value #FACTORY_PID}:
 * {@code flowgate.instance=<name>} (becomes the service property and the property of its hooks)
 * and {@code Listener.target=(flowgate.instance=<name>)}.
 */
@Component(name = InstanceConntrackComponent.FACTORY_PID, configurationPid = InstanceConntrackComponent.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = ConnTracker.class, immediate = true)
@Designate(ocd = ConntrackConfig.class, factory = true)
public class InstanceConntrackComponent extends ConntrackComponent {
    public static final String FACTORY_PID = "org.flowgate.conntrack.instance";
}
