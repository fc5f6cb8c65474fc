package org.flowgate.packet.router;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.flowgate.api.hook.HookStats;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.instance.RoutingInstance;
import org.flowgate.api.netdev.FrameTap;
import org.flowgate.api.netdev.LocalOutput;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.api.netdev.Port;
import org.flowgate.api.route.NeighbourTable;
import org.flowgate.api.route.RoutingTable;
import org.flowgate.packet.neigh.NeighbourSettings;
import org.flowgate.packet.path.PathSettings;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * A routing instance in the framework (the default one from {@value #PID}; more from factory
 * configurations of {@value InstanceRouterComponent#FACTORY_PID}): attaches every {@link Port} service as a
 * device, runs every {@link PacketHook} service at its hook points, hands frames to every
 * {@link FrameTap} service, and registers the
 * {@link NetDevices}, {@link RoutingTable}, {@link NeighbourTable}, {@link HookStats} and
 * {@link LocalOutput} services with
 * {@code flowgate.instance=<its instance>}. Ports, hooks and taps are those of its own instance.
 */
@Component(immediate = true, configurationPid = RouterComponent.PID, service = {})
@Designate(ocd = RouterConfig.class)
public class RouterComponent {
    public static final String PID = "org.flowgate.packet";

    private final Router router = new Router();
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    private final String instance;

    /**
     * The instance is known before any reference binds: a factory configuration whose
     * {@code .target}s are missing or wrong must not take another instance's ports or hooks.
     */
    @Activate
    public RouterComponent(Map<String, Object> properties) { instance = RoutingInstance.of(properties); }

    @Activate
    void activate(RouterConfig config, BundleContext context) {
        apply(config);
        router.startTimers();
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(RoutingInstance.PROPERTY, instance);
        registrations.add(context.registerService(NetDevices.class, router.devices(), props));
        registrations.add(context.registerService(RoutingTable.class, router.routes(), props));
        registrations.add(context.registerService(NeighbourTable.class, router.neighbours(), props));
        registrations.add(context.registerService(HookStats.class, router.hooks(), props));
        LocalOutput localOutput = router.path()::sendLocal;
        registrations.add(context.registerService(LocalOutput.class, localOutput, props));
    }

    @Modified
    void modified(RouterConfig config) { apply(config); }

    @Deactivate
    void deactivate() {
        for (ServiceRegistration<?> r : registrations) {
            try { r.unregister(); } catch (IllegalStateException alreadyGone) { /* bundle stopping */ }
        }
        registrations.clear();
        router.close();
    }

    private void apply(RouterConfig c) {
        router.path().setSettings(new PathSettings(c.forwarding(), c.icmp_rate(), c.icmp_burst()));
        router.neighbours().setSettings(new NeighbourSettings(c.neigh_probes(), c.neigh_retrans_ms(), c.neigh_reachable_ms(),
                c.neigh_delay_probe_ms(), c.neigh_gc_stale_ms(), c.neigh_gc_failed_ms(), c.neigh_queue_len(),
                c.neigh_queue_total(), c.neigh_max_entries()));
    }

    /** The assembled router, for other components of this bundle. */
    public Router router() { return router; }

    /** The routing instance this router is. */
    public String instance() { return instance; }

    private boolean mine(Map<String, Object> props) { return instance.equals(RoutingInstance.of(props)); }

    /** Ports joined to an offload NIC ({@code flowgate.nic}) are the NIC's wires: the router attaches the NIC's ports instead. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = "(&(!(flowgate.nic=*))" + RoutingInstance.DEFAULT_MEMBERS + ")")
    void bindPort(Port port, Map<String, Object> props) { if (mine(props)) router.attach(port); }

    void unbindPort(Port port, Map<String, Object> props) { if (mine(props)) router.detach(port); }

    /** Hooks run only in the router of their own instance. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = RoutingInstance.DEFAULT_MEMBERS)
    void bindHook(PacketHook hook, Map<String, Object> props) { if (mine(props)) router.hooks().addService(hook, props); }

    void updatedHook(PacketHook hook, Map<String, Object> props) {
        if (mine(props)) router.hooks().addService(hook, props);
        else router.hooks().remove(hook);
    }

    void unbindHook(PacketHook hook) { router.hooks().remove(hook); }

    /** Captures: a tap sees the frames of the device named by {@value FrameTap#DEVICE}, or of every device. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = RoutingInstance.DEFAULT_MEMBERS)
    void bindTap(FrameTap tap, Map<String, Object> props) { if (mine(props)) router.devices().addTap(tap, tapDevice(props)); }

    void updatedTap(FrameTap tap, Map<String, Object> props) { if (mine(props)) router.devices().addTap(tap, tapDevice(props)); }

    void unbindTap(FrameTap tap) { router.devices().removeTap(tap); }

    private static String tapDevice(Map<String, Object> props) {
        Object v = props.get(FrameTap.DEVICE);
        if (v instanceof String[] a) v = a.length > 0 ? a[0] : null;
        return v == null ? null : String.valueOf(v);
    }
}
