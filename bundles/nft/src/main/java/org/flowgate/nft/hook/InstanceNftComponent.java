package org.flowgate.nft.hook;

import org.flowgate.api.ruleset.Ruleset;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The ruleset of one more routing instance per factory configuration of {@value #FACTORY_PID}:
 * {@code flowgate.instance=<name>} (service property, and property of its base chains' hooks) and
 * {@code ConnTracker.target}, {@code LocalOutput.target}, {@code FlowTableService.target} =
 * {@code (flowgate.instance=<name>)}; {@code file} as for {@code org.flowgate.nft}.
 */
@Component(name = InstanceNftComponent.FACTORY_PID, configurationPid = InstanceNftComponent.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = Ruleset.class, immediate = true)
@Designate(ocd = NftConfig.class, factory = true)
public class InstanceNftComponent extends NftComponent {
    public static final String FACTORY_PID = "org.flowgate.nft.instance";
}
