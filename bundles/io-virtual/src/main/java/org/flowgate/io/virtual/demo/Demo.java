package org.flowgate.io.virtual.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.flowgate.api.instance.RoutingInstance;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.netdev.DeviceCounters;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.api.netdev.Port;
import org.flowgate.io.virtual.component.VirtualPortComponent;
import org.flowgate.io.virtual.host.EmulatedHost;
import org.flowgate.io.virtual.port.VirtualPort;
import org.flowgate.io.virtual.traffic.TrafficSource;
import org.flowgate.io.virtual.traffic.TrafficSpec;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's built-in default: two virtual networks behind ports {@code v0} and {@code v1},
 * one emulated host on each, and traffic from h1 to h2 through the router, summarised in the
 * log every few seconds. Registered as a service (of this bundle-private type) for the
 * {@code router:traffic}, {@code router:hosts} and {@code router:ping} commands.
 */
@Component(immediate = true, configurationPid = Demo.PID, service = Demo.class)
@Designate(ocd = DemoConfig.class)
public class Demo {
    public static final String PID = "org.flowgate.demo";
    private static final Logger LOG = LoggerFactory.getLogger(Demo.class);

    @Reference(target = RoutingInstance.DEFAULT_FILTER)
    NetDevices devices;

    private boolean enabled;
    private DemoNetworks net;
    private final List<ServiceRegistration<Port>> registrations = new ArrayList<>();
    private ScheduledExecutorService summaries;
    private TrafficSource traffic; // guarded by this

    @Activate
    void activate(DemoConfig config, BundleContext context) {
        enabled = config.enabled();
        if (!enabled) {
            LOG.info("demo networks disabled ({} enabled=false)", PID);
            return;
        }
        net = DemoNetworks.create(VirtualPort.Mode.THREADED, 1024);
        net.addRouterAddresses(devices);
        for (VirtualPort p : net.ports()) {
            registrations.add(context.registerService(Port.class, p, VirtualPortComponent.properties(p.name(), RoutingInstance.DEFAULT)));
        }
        LOG.info("demo networks up: v0 {} {} with h1 {} {}; v1 {} {} with h2 {} {}", DemoNetworks.V0_V4, DemoNetworks.V0_V6,
                DemoNetworks.H1_V4, DemoNetworks.H1_V6, DemoNetworks.V1_V4, DemoNetworks.V1_V6, DemoNetworks.H2_V4, DemoNetworks.H2_V6);
        if (config.traffic()) {
            TrafficSpec spec = TrafficSpec.of(TrafficSpec.Protocol.parse(config.protocol()), config.ipv6() ? 6 : 4,
                    config.flows(), config.packetSize(), config.pps(), 0);
            startTraffic(spec);
        }
        if (config.summaryInterval() > 0) {
            summaries = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("demo-summary").unstarted(r));
            summaries.scheduleAtFixedRate(this::logSummary, config.summaryInterval(), config.summaryInterval(), TimeUnit.SECONDS);
        }
    }

    @Deactivate
    void deactivate() {
        if (summaries != null) summaries.shutdownNow();
        stopTraffic();
        for (ServiceRegistration<Port> r : registrations) {
            try { r.unregister(); } catch (IllegalStateException gone) { /* bundle stopping */ }
        }
        registrations.clear();
        if (net != null) {
            try {
                net.removeRouterAddresses(devices);
            } catch (RuntimeException e) {
                LOG.debug("removing the demo addresses: {}", e.toString());
            }
            for (VirtualPort p : net.ports()) p.stop();
        }
    }

    public boolean enabled() { return enabled; }

    public List<EmulatedHost> hosts() { return enabled ? net.hosts() : List.of(); }

    public Optional<EmulatedHost> host(String name) {
        for (EmulatedHost h : hosts()) if (h.name().equals(name)) return Optional.of(h);
        return Optional.empty();
    }

    /** Replaces the running traffic (if any) with a new run from h1 to h2. */
    public synchronized TrafficSource.Status startTraffic(TrafficSpec spec) {
        requireEnabled();
        if (traffic != null) traffic.stop();
        traffic = new TrafficSource(net.h1(), net.h2(), spec);
        traffic.start();
        LOG.info("demo traffic h1 -> h2 started: {}", spec);
        return traffic.status();
    }

    /** Stops the traffic; the last status, or null when none ran. */
    public synchronized TrafficSource.Status stopTraffic() {
        if (traffic == null) return null;
        traffic.stop();
        return traffic.status();
    }

    public synchronized TrafficSource.Status trafficStatus() { return traffic == null ? null : traffic.status(); }

    /** Pings from a demo host; each result in order. */
    public List<EmulatedHost.PingResult> ping(String hostName, IpAddress dst, int count, long timeoutMillis) {
        requireEnabled();
        EmulatedHost h = host(hostName).orElseThrow(() -> new IllegalArgumentException("no host " + hostName + " (hosts: h1, h2)"));
        List<EmulatedHost.PingResult> out = new ArrayList<>(count);
        for (int seq = 1; seq <= count; seq++) out.add(h.ping(dst, seq, 56, timeoutMillis));
        return out;
    }

    /** One line: traffic sent and received, router counters of both ports. */
    public String summary() {
        if (!enabled) return "demo networks disabled";
        TrafficSource.Status s = trafficStatus();
        StringBuilder sb = new StringBuilder("demo: ");
        if (s == null) sb.append("no traffic");
        else sb.append(s.spec().protocol().label()).append("/ipv").append(s.spec().family()).append(' ').append(s.state().name().toLowerCase())
                .append(" sent ").append(s.sent()).append(" received at h2 ").append(s.received());
        sb.append(" | ").append(device("v0")).append(" | ").append(device("v1"));
        return sb.toString();
    }

    private String device(String name) {
        Optional<NetDevice> d = devices.byName(name);
        if (d.isEmpty()) return name + " not attached";
        DeviceCounters c = d.get().counters();
        return name + " rx " + c.rxPackets() + " tx " + c.txPackets() + " drop " + c.dropped();
    }

    private void logSummary() {
        try {
            LOG.info(summary());
        } catch (RuntimeException e) {
            LOG.warn("demo summary failed", e);
        }
    }

    private void requireEnabled() {
        if (!enabled) throw new IllegalStateException("demo networks are disabled (set enabled=true in " + PID + ")");
    }
}
