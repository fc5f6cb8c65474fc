package org.flowgate.shell.instance;

import java.io.IOException;
import java.util.Dictionary;

import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationPlugin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a hand-written instance configuration be just its name: a ConfigAdmin plugin that adds,
 * to what SCR receives (never to the stored configuration), the {@code flowgate.instance} and
 * reference targets {@link InstanceTargets} defines, e.g. {@code etc/org.flowgate.router~blue.cfg}
 * holding only {@code flowgate.instance = blue} (or nothing: the name after {@code ~} is the instance).
 * <p>
 * SCR asks plugins each time it reads a configuration ({@code Configuration.getProcessedProperties}).
 * Configurations SCR read before this plugin was registered (FileInstall may deliver {@code etc/}
 * first at startup) are re-announced once at activation, so their components restart with the targets.
 */
@Component(service = ConfigurationPlugin.class, immediate = true, property = "service.cmRanking:Integer=100")
public class InstanceTargetsPlugin implements ConfigurationPlugin {
    private static final Logger LOG = LoggerFactory.getLogger(InstanceTargetsPlugin.class);

    @Activate
    public InstanceTargetsPlugin(@Reference ConfigurationAdmin cm) {
        StringBuilder filter = new StringBuilder("(|");
        for (String pid : new String[] {InstanceTargets.ROUTER, InstanceTargets.CONNTRACK, InstanceTargets.FLOWTABLE,
                InstanceTargets.NFT, InstanceTargets.ROUTES, InstanceTargets.INTERFACE}) {
            filter.append("(service.factoryPid=").append(pid).append(')');
        }
        try {
            Configuration[] all = cm.listConfigurations(filter.append(')').toString());
            if (all != null) for (Configuration c : all) {
                Dictionary<String, Object> p = c.getProperties();
                if (p != null && InstanceTargets.incomplete(p)) {
                    LOG.info("{}: completing the instance targets", c.getPid());
                    c.update(p);
                }
            }
        } catch (IOException | InvalidSyntaxException | IllegalStateException e) {
            LOG.warn("could not re-announce the instance configurations", e);
        }
    }

    @Override
    public void modifyConfiguration(ServiceReference<?> reference, Dictionary<String, Object> properties) {
        if (InstanceTargets.complete(properties)) LOG.debug("{}: instance targets completed", properties.get("service.pid"));
    }
}
