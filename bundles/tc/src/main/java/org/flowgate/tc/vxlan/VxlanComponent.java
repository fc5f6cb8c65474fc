package org.flowgate.tc.vxlan;

import java.util.Hashtable;

import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.instance.RoutingInstance;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.LocalOutput;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.api.netdev.Port;
import org.flowgate.api.route.NeighbourTable;
import org.flowgate.api.route.RoutingTable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One vxlan device per configuration of factory PID {@value #PID}: registers the {@link Port}
 * ({@code flowgate.port.name}) the packet path attaches, and its receive hook at INGRESS.
 */
@Component(configurationPid = VxlanComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = VxlanConfig.class, factory = true)
public final class VxlanComponent {
    public static final String PID = "org.flowgate.tc.vxlan";

    @Reference(target = RoutingInstance.DEFAULT_FILTER)
    RoutingTable routes;
    @Reference(target = RoutingInstance.DEFAULT_FILTER)
    NeighbourTable neighbours;
    @Reference(target = RoutingInstance.DEFAULT_FILTER)
    NetDevices devices;
    @Reference(target = RoutingInstance.DEFAULT_FILTER)
    LocalOutput output;

    private ServiceRegistration<Port> port;
    private ServiceRegistration<PacketHook> hook;

    @Activate
    void activate(BundleContext ctx, VxlanConfig cfg) {
        if (cfg.name() == null || cfg.name().isBlank()) throw new IllegalArgumentException("vxlan device needs a name");
        MacAddress mac = cfg.mac().isBlank() ? macFor(cfg.name()) : MacAddress.parse(cfg.mac());
        VxlanPort.Remote remote = remote(cfg);
        String instance = RoutingInstance.name(cfg.instance());
        int mtu = mtu(cfg, remote);
        VxlanPort p = new VxlanPort(cfg.name(), mac, mtu, cfg.dstport(), new Underlay(routes, neighbours, devices, output), remote);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(Port.NAME, cfg.name());
        props.put(RoutingInstance.PROPERTY, instance);
        port = ctx.registerService(Port.class, p, props);
        Hashtable<String, Object> hp = new Hashtable<>();
        hp.put(PacketHook.HOOK, "ingress");
        hp.put(PacketHook.PRIORITY, VxlanDecapHook.priorityOf(p));
        hp.put(RoutingInstance.PROPERTY, instance);
        hp.put("flowgate.hook.name", "vxlan-rx-" + cfg.name());
        hook = ctx.registerService(PacketHook.class, new VxlanDecapHook(p), hp);
    }

    @Deactivate
    void deactivate() {
        for (ServiceRegistration<?> r : new ServiceRegistration<?>[] {hook, port}) {
            try {
                if (r != null) r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // bundle stopping
            }
        }
    }

    /** The fixed remote of a configuration with {@code id}, null for an external device. */
    static VxlanPort.Remote remote(VxlanConfig cfg) {
        if (cfg.id() < 0) {
            if (!cfg.remote().isBlank()) throw new IllegalArgumentException("vxlan " + cfg.name() + ": remote needs id");
            return null;
        }
        if (cfg.remote().isBlank()) throw new IllegalArgumentException("vxlan " + cfg.name() + ": id needs remote (no FDB learning)");
        IpAddress local = cfg.local().isBlank() ? null : IpAddress.parse(cfg.local().strip());
        return new VxlanPort.Remote(cfg.id(), local, IpAddress.parse(cfg.remote().strip()), cfg.ttl(), cfg.tos(), cfg.udpcsum());
    }

    /** The configured MTU, or Linux's default: 1500 minus what encapsulation adds (inner Ethernet, VXLAN, UDP, IP): 1450 over IPv4, 1430 over IPv6. */
    static int mtu(VxlanConfig cfg, VxlanPort.Remote remote) {
        if (cfg.mtu() > 0) return cfg.mtu();
        return 1500 - (remote != null && remote.remote().family() == 6 ? VxlanEncap.OVERHEAD6 : VxlanEncap.OVERHEAD);
    }

    /** A locally administered MAC from the name. */
    static MacAddress macFor(String name) {
        long h = name.hashCode() & 0xFFFF_FFFFL;
        return new MacAddress(0x02_00_00_00_00_00L | (h & 0xFF_FFFF_FFFFL));
    }
}
