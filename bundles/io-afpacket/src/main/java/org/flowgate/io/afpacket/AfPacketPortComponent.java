package org.flowgate.io.afpacket;

import java.io.IOException;
import java.util.Hashtable;

import org.flowgate.api.instance.RoutingInstance;
import org.flowgate.api.netdev.Port;
import org.flowgate.io.afpacket.ring.RingGeometry;
import org.flowgate.io.afpacket.socket.PacketSocket;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configuration of factory PID {@value #PID} = one Linux interface opened as a {@link Port}
 * service with {@value Port#NAME} = the device name. The port is registered by hand (not by DS)
 * because its name property defaults to the interface and must be computed.
 */
@Component(configurationPid = AfPacketPortComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = AfPacketPortConfig.class, factory = true)
public final class AfPacketPortComponent {
    public static final String PID = "org.flowgate.io.afpacket";
    /** Service property: the Linux interface behind the port. */
    public static final String INTERFACE = "flowgate.port.interface";
    public static final String TYPE = "flowgate.port.type";

    private static final Logger LOG = LoggerFactory.getLogger(AfPacketPortComponent.class);

    private AfPacketPort port;
    private ServiceRegistration<Port> registration;

    @Activate
    void activate(BundleContext context, AfPacketPortConfig config) throws IOException {
        String ifname = config.interface$() == null ? "" : config.interface$().trim();
        String name = config.name() == null || config.name().isBlank() ? ifname : config.name().trim();
        PacketSocket.Options options = new PacketSocket.Options(
                new RingGeometry(config.rxBlockSize(), config.rxBlockCount(), config.rxFrameSize()),
                new RingGeometry(config.txBlockSize(), config.txBlockCount(), config.txFrameSize()),
                config.rxBlockTimeoutMillis(), config.qdiscBypass(), config.promiscuous());
        try {
            port = AfPacketPort.open(name, ifname, options, config.pollTimeoutMillis());
        } catch (IOException | IllegalArgumentException | IllegalCallerException e) {
            LOG.error("AF_PACKET port {} on interface '{}' not started: {}", name, ifname, e.getMessage());
            throw e;
        }
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(Port.NAME, name);
        props.put(INTERFACE, ifname);
        props.put(RoutingInstance.PROPERTY, RoutingInstance.name(config.instance()));
        props.put(TYPE, "afpacket");
        registration = context.registerService(Port.class, port, props);
        LOG.info("AF_PACKET port {} on {} (ifindex {}, MAC {}, MTU {}, link {})", name, ifname, port.kernelIfIndex(),
                port.mac(), port.mtu(), port.isLinkUp() ? "up" : "down");
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregistered it while stopping the bundle
            }
            registration = null;
        }
        if (port != null) {
            port.close();
            port = null;
        }
    }
}
