package org.flowgate.driver.emulated.component;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.flowgate.api.netdev.Port;
import org.flowgate.driver.emulated.driver.EmulatedDriver;
import org.flowgate.driver.emulated.driver.Faults;
import org.flowgate.driver.emulated.eswitch.Eswitch;
import org.flowgate.driver.emulated.eswitch.NicPort;
import org.flowgate.offload.OffloadDriver;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
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
 * The emulated NIC in a framework: wire {@link Port} services carrying {@code flowgate.nic=<name>}
 * become NIC ports, registered as {@link Port} services of their own (same name) for the router;
 * the {@link OffloadDriver} service comes and goes with the {@code offload} setting while the ports
 * stay; Gogo scope {@code hw}.
 * <p>
 * The router must not attach the wire ports themselves: they carry {@code flowgate.nic}.
 */
@Component(configurationPid = EmulatedNicConfig.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = EmulatedNicConfig.class)
public final class EmulatedNicComponent {
    private static final Logger LOG = LoggerFactory.getLogger(EmulatedNicComponent.class);
    public static final String NIC = "flowgate.nic";

    private final Map<Port, String> wires = new ConcurrentHashMap<>();
    private final Map<Port, ServiceRegistration<Port>> nicPorts = new ConcurrentHashMap<>();
    private final Faults faults = new Faults();
    private BundleContext context;
    private Eswitch eswitch;
    private String name;
    private ServiceRegistration<OffloadDriver> driver;
    private ServiceRegistration<HwCommands> commands;

    @Activate
    synchronized void activate(BundleContext context, EmulatedNicConfig config) {
        this.context = context;
        name = config.name();
        eswitch = new Eswitch(name, config.capacity());
        apply(config);
        wires.forEach(this::attach);
        Dictionary<String, Object> p = new Hashtable<>();
        p.put("osgi.command.scope", "hw");
        p.put("osgi.command.function", new String[] { "tables", "stats", "ports" });
        commands = context.registerService(HwCommands.class, new HwCommands(eswitch, faults), p);
        LOG.info("emulated NIC {} with {} CT entries", name, config.capacity());
    }

    @Modified
    synchronized void modified(EmulatedNicConfig config) {
        if (!config.name().equals(name) || config.capacity() != eswitch.capacity())
            LOG.warn("emulated NIC: name and capacity changes need a restart of the component");
        apply(config);
    }

    private void apply(EmulatedNicConfig c) {
        faults.set(c.insert_latency_ms(), c.fail_every(), Faults.Mode.valueOf(c.fail_mode().trim().toUpperCase(java.util.Locale.ROOT)));
        if (c.offload() && driver == null) {
            Dictionary<String, Object> p = new Hashtable<>();
            p.put("flowgate.instance", "default");
            p.put(NIC, name);
            driver = context.registerService(OffloadDriver.class, new EmulatedDriver(eswitch, faults), p);
        } else if (!c.offload() && driver != null) {
            driver.unregister(); // the manager gives the flows back to software; the ports stay
            driver = null;
        }
    }

    @Deactivate
    synchronized void deactivate() {
        if (driver != null) driver.unregister();
        driver = null;
        if (commands != null) commands.unregister();
        for (ServiceRegistration<Port> r : nicPorts.values()) r.unregister();
        nicPorts.clear();
        eswitch = null;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + NIC + "=*)")
    synchronized void bindWire(Port wire, Map<String, Object> props) {
        String nic = String.valueOf(props.get(NIC));
        wires.put(wire, nic);
        if (eswitch != null) attach(wire, nic);
    }

    synchronized void unbindWire(Port wire) {
        wires.remove(wire);
        ServiceRegistration<Port> r = nicPorts.remove(wire);
        if (r != null) {
            r.unregister();
            eswitch.removePort(wire.name());
        }
    }

    private void attach(Port wire, String nic) {
        if (!nic.equals(name) || nicPorts.containsKey(wire)) return;
        NicPort port = eswitch.addPort(wire);
        Dictionary<String, Object> p = new Hashtable<>();
        p.put(Port.NAME, port.name());
        p.put("flowgate.instance", "default");
        p.put("flowgate.nic.port", name);
        nicPorts.put(wire, context.registerService(Port.class, port, p));
    }
}
