package org.flowgate.io.virtual.component;

import java.nio.charset.StandardCharsets;
import java.util.Dictionary;
import java.util.Hashtable;

import org.flowgate.api.instance.RoutingInstance;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.Port;
import org.flowgate.io.virtual.port.VirtualPort;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One {@link VirtualPort} per factory configuration of {@value #PID}, registered as a
 * {@link Port} service. A configuration change re-creates the port.
 */
@Component(configurationPid = VirtualPortComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = VirtualPortConfig.class, factory = true)
public class VirtualPortComponent {
    public static final String PID = "org.flowgate.io.virtual.port";

    private VirtualPort port;
    private ServiceRegistration<Port> registration;

    @Activate
    void activate(VirtualPortConfig config, BundleContext context) {
        MacAddress mac = config.mac().isBlank() ? macFor(config.name()) : MacAddress.parse(config.mac());
        port = new VirtualPort(config.name(), mac, config.mtu(),
                config.threaded() ? VirtualPort.Mode.THREADED : VirtualPort.Mode.SYNCHRONOUS, config.ringSize());
        registration = context.registerService(Port.class, port, properties(config.name(), config.instance()));
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            try { registration.unregister(); } catch (IllegalStateException gone) { /* bundle stopping */ }
        }
        if (port != null) port.stop();
    }

    /** The port, to attach a far end to it (same bundle only). */
    public VirtualPort port() { return port; }

    public static Dictionary<String, Object> properties(String name, String instance) {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(Port.NAME, name);
        props.put(RoutingInstance.PROPERTY, RoutingInstance.name(instance));
        return props;
    }

    /** A stable, locally administered unicast MAC from a name: 02 + 40 bits of the name's hash. */
    public static MacAddress macFor(String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) h = (h ^ (b & 0xFF)) * 0x100000001b3L;
        return new MacAddress(0x02_00_0000_0000L | (h & 0xFF_FFFF_FFFFL));
    }
}
