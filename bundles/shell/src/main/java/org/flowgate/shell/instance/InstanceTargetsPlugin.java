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
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
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
 * first at startup) are restarted once, on a thread of this component: an update that holds their
 * component back (DS 1.5's {@code osgi.ds.satisfying.condition.target} set to a condition nobody
 * registers), a wait until SCR has taken it down, then an update with their own properties again.
 * A plain update would not do: SCR hands a changed configuration to the component's
 * {@code @Modified} method, which does not take a new instance name; and two updates in a row
 * reach SCR as one (it reads the configuration when it handles the first event).
 */
@Component(service = ConfigurationPlugin.class, immediate = true, property = "service.cmRanking:Integer=100")
public class InstanceTargetsPlugin implements ConfigurationPlugin {
    private static final Logger LOG = LoggerFactory.getLogger(InstanceTargetsPlugin.class);
    private static final String SATISFYING_CONDITION_TARGET = "osgi.ds.satisfying.condition.target";
    private static final String HELD = "(osgi.condition.id=org.flowgate.instance.pending)";

    private final ConfigurationAdmin cm;
    private final ServiceComponentRuntime scr;
    private volatile boolean active = true;

    @Activate
    public InstanceTargetsPlugin(@Reference ConfigurationAdmin cm,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY) ServiceComponentRuntime scr) {
        this.cm = cm;
        this.scr = scr;
        Thread.ofPlatform().daemon().name("flowgate-instance-targets").start(this::restartIncomplete);
    }

    @Deactivate
    void deactivate() { active = false; }

    /** Restarts the components of the instance configurations SCR read before this plugin was there. */
    private void restartIncomplete() {
        StringBuilder filter = new StringBuilder("(|");
        for (String pid : new String[] {InstanceTargets.ROUTER, InstanceTargets.CONNTRACK, InstanceTargets.FLOWTABLE,
                InstanceTargets.NFT, InstanceTargets.ROUTES, InstanceTargets.INTERFACE}) {
            filter.append("(service.factoryPid=").append(pid).append(')');
        }
        try {
            Configuration[] all = cm.listConfigurations(filter.append(')').toString());
            if (all != null) for (Configuration c : all) {
                Dictionary<String, Object> p = c.getProperties();
                if (!active || p == null || !InstanceTargets.incomplete(p) || !readWithout(c.getPid())) continue;
                LOG.info("{}: restarting its component with the instance's targets", c.getPid());
                Dictionary<String, Object> held = InstanceTargets.copy(p);
                held.put(SATISFYING_CONDITION_TARGET, HELD);
                c.update(held);
                awaitHeld(c.getPid());
                c.update(p);
            }
        } catch (IOException | InvalidSyntaxException | IllegalStateException e) {
            LOG.warn("could not restart the instance configurations", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Whether SCR runs a component configuration of {@code pid} with properties this plugin would
     * complete (it read them before the plugin was there). Without SCR's runtime service: assumed.
     */
    private boolean readWithout(String pid) {
        if (scr == null) return true;
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                if (!pid.equals(c.properties.get("service.pid"))) continue;
                Dictionary<String, Object> read = new java.util.Hashtable<>(c.properties);
                if (InstanceTargets.incomplete(read)) return true;
            }
        }
        return false;
    }

    /** Waits (5 s at most) until SCR has read the held configuration of {@code pid} (its component is down then). */
    private void awaitHeld(String pid) throws InterruptedException {
        if (scr == null) {
            Thread.sleep(1000);
            return;
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (active && System.nanoTime() < deadline && !heldSeen(pid)) Thread.sleep(20);
    }

    /** Whether SCR already has the held configuration of {@code pid} (or no configuration of it at all). */
    private boolean heldSeen(String pid) {
        boolean any = false;
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                if (!pid.equals(c.properties.get("service.pid"))) continue;
                any = true;
                if (HELD.equals(c.properties.get(SATISFYING_CONDITION_TARGET))) return true;
            }
        }
        return !any;
    }

    @Override
    public void modifyConfiguration(ServiceReference<?> reference, Dictionary<String, Object> properties) {
        if (InstanceTargets.complete(properties)) LOG.debug("{}: instance targets completed", properties.get("service.pid"));
    }
}
