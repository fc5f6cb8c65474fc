package org.flowgate.driver.emulated.component;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.flowgate.api.instance.RoutingInstance;
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
 * At runtime: a wire whose {@code flowgate.nic} changes to this NIC's name is taken over, one that
 * changes away is released (its NIC port service leaves, its rules are removed); a new
 * {@code capacity} resizes the CT table in place (shrinking evicts the newest flows to software);
 * latency, failure injection and ct pre_ct rules apply at once; a new {@code name} releases every
 * port, replaces the eswitch and its driver, and takes the ports of the new name.
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
    private EmulatedDriver driverImpl;
    private ServiceRegistration<HwCommands> commands;

    @Activate
    synchronized void activate(BundleContext context, EmulatedNicConfig config) {
        this.context = context;
        start(config);
    }

    /** A new eswitch named by the configuration, with the matching wires, its commands and (per config) its driver. */
    private void start(EmulatedNicConfig config) {
        name = config.name();
        eswitch = new Eswitch(name, config.capacity());
        apply(config);
        wires.forEach(this::attach);
        Dictionary<String, Object> p = new Hashtable<>();
        p.put("osgi.command.scope", "hw");
        p.put("osgi.command.function", new String[] { "tables", "stats", "ports" });
        p.put(NIC, name);
        commands = context.registerService(HwCommands.class, new HwCommands(eswitch, faults), p);
        LOG.info("emulated NIC {} with {} CT entries", name, config.capacity());
    }

    /** Releases every port and withdraws the driver and commands (the manager gives the flows back to software). */
    private void stop() {
        unregisterDriver();
        if (commands != null) unregister(commands);
        commands = null;
        for (Port wire : List.copyOf(nicPorts.keySet())) detach(wire);
        eswitch = null;
    }

    @Modified
    synchronized void modified(EmulatedNicConfig config) {
        if (!config.name().equals(name)) {
            LOG.info("emulated NIC {} renamed {}: its ports are released and {}'s taken", name, config.name(), config.name());
            stop();
            start(config);
            return;
        }
        if (config.capacity() != eswitch.capacity()) {
            int n = eswitch.setCapacity(config.capacity()); // the driver reports the evicted rules to the offload manager
            LOG.info("emulated NIC {}: capacity {}, {} entries evicted to software", name, config.capacity(), n);
        }
        apply(config);
    }

    private void apply(EmulatedNicConfig c) {
        faults.set(c.insert_latency_ms(), c.fail_every(), Faults.Mode.valueOf(c.fail_mode().trim().toUpperCase(java.util.Locale.ROOT)));
        eswitch.setCtPreCts(ctPreCts(c.ct_zones()));
        if (c.offload() && driver == null) {
            Dictionary<String, Object> p = new Hashtable<>();
            p.put(RoutingInstance.PROPERTY, RoutingInstance.DEFAULT);
            p.put(NIC, name);
            driverImpl = new EmulatedDriver(eswitch, faults);
            driver = context.registerService(OffloadDriver.class, driverImpl, p);
        } else if (!c.offload() && driver != null) {
            unregisterDriver(); // the manager gives the flows back to software; the ports stay
        }
    }

    /** {@code "<port> <zone> <chain>"} lines; a malformed one is logged and skipped. */
    static Map<String, int[]> ctPreCts(String[] lines) {
        Map<String, int[]> m = new LinkedHashMap<>();
        if (lines == null) return m;
        for (String line : lines) {
            if (line == null || line.isBlank()) continue;
            String[] w = line.trim().split("\\s+");
            try {
                if (w.length != 3) throw new NumberFormatException("3 words expected");
                int zone = Integer.parseInt(w[1]), chain = Integer.parseInt(w[2]);
                if (zone < 0 || zone > 0xFFFF || chain < 0) throw new NumberFormatException("zone 0..65535, chain >= 0");
                m.put(w[0], new int[] { zone, chain });
            } catch (NumberFormatException e) {
                LOG.error("emulated NIC: ct.zones '{}' ignored: expected '<port> <zone> <chain>' ({})", line, e.getMessage());
            }
        }
        return m;
    }

    private void unregisterDriver() {
        if (driver != null) unregister(driver);
        driver = null;
        if (driverImpl != null) driverImpl.close();
        driverImpl = null;
    }

    private static void unregister(ServiceRegistration<?> r) {
        try {
            r.unregister();
        } catch (IllegalStateException alreadyGone) {
            // bundle stopping
        }
    }

    @Deactivate
    synchronized void deactivate() {
        stop();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + NIC + "=*)", updated = "updatedWire")
    synchronized void bindWire(Port wire, Map<String, Object> props) {
        String nic = String.valueOf(props.get(NIC));
        wires.put(wire, nic);
        if (eswitch != null) attach(wire, nic);
    }

    /** The wire's properties changed: take it over when it now names this NIC, release it when it no longer does. */
    synchronized void updatedWire(Port wire, Map<String, Object> props) {
        String nic = String.valueOf(props.get(NIC));
        wires.put(wire, nic);
        if (eswitch == null) return;
        if (nic.equals(name)) attach(wire, nic);
        else detach(wire);
    }

    synchronized void unbindWire(Port wire) {
        wires.remove(wire);
        detach(wire);
    }

    private void attach(Port wire, String nic) {
        if (!nic.equals(name) || nicPorts.containsKey(wire)) return;
        NicPort port = eswitch.addPort(wire);
        Dictionary<String, Object> p = new Hashtable<>();
        p.put(Port.NAME, port.name());
        p.put(RoutingInstance.PROPERTY, RoutingInstance.DEFAULT);
        p.put("flowgate.nic.port", name);
        nicPorts.put(wire, context.registerService(Port.class, port, p));
        LOG.info("emulated NIC {}: port {} taken over", name, port.name());
    }

    /** Unregisters the NIC port (the router lets it go) and removes every rule entering or leaving by it. */
    private void detach(Port wire) {
        ServiceRegistration<Port> r = nicPorts.remove(wire);
        if (r == null) return;
        unregister(r);
        if (eswitch != null) eswitch.removePort(wire.name());
        LOG.info("emulated NIC {}: port {} released", name, wire.name());
    }

    /** For tests and commands: the current eswitch (null when not active). */
    synchronized Eswitch eswitch() { return eswitch; }
}
