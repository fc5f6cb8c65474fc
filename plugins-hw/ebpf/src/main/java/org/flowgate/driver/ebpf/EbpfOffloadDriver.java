package org.flowgate.driver.ebpf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.api.instance.RoutingInstance;
import org.flowgate.api.netdev.KernelSocketPort;
import org.flowgate.api.netdev.Port;
import org.flowgate.driver.ebpf.flows.OffloadedFlows;
import org.flowgate.driver.ebpf.kernel.KernelDatapath;
import org.flowgate.offload.EvictionReason;
import org.flowgate.offload.FlowBlock;
import org.flowgate.offload.OffloadCallback;
import org.flowgate.offload.OffloadDriver;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offloads flows into the Linux kernel under the router, as Open vSwitch offloads its userspace
 * flows into its kernel datapath: a tc eBPF program on each served port forwards the flows'
 * packets (NAT, TTL, MACs, redirect) so they never reach Java; everything else goes on to the
 * router's AF_PACKET sockets as before.
 * <p>
 * Activate it in the router's network namespace (the JVM runs there, e.g. under
 * {@code ip netns exec}); it mounts bpffs when absent, and removes its programs, filters and
 * maps when deactivated.
 * <p>
 * Configured devices may come and go: a device thread rescans them every
 * {@code deviceRescanMillis}, and at once when a {@link Port} service comes or goes (a port
 * registered later). It attaches the program to a device that appeared (and the socket filter to
 * the router's socket on it), parks the flows of one that went away and puts them back when it
 * returns.
 * <p>
 * Flow directions it loses without being asked (a parked one that cannot go back, an entry gone
 * from the map) are reported through the {@link OffloadCallback} of the block that installed them.
 */
@Component(service = OffloadDriver.class, configurationPid = EbpfOffloadDriver.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, property = RoutingInstance.DEFAULT_SERVICE_PROPERTY)
@Designate(ocd = EbpfDriverConfig.class)
public final class EbpfOffloadDriver implements OffloadDriver {
    public static final String PID = "org.flowgate.driver.ebpf";
    static final String OBJECT_RESOURCE = "bpf/flowgate_offload.o";
    private static final Logger LOG = LoggerFactory.getLogger(EbpfOffloadDriver.class);
    private static final long SOCKET_SCAN_INTERVAL_NANOS = 1_000_000_000L;

    private final List<EbpfFlowBlock> blocks = new CopyOnWriteArrayList<>();
    /** The Port services that can take the socket filter themselves (the rest: /proc/self/fd). */
    private final List<KernelSocketPort> socketPorts = new CopyOnWriteArrayList<>();
    private final Object rescanSignal = new Object();
    private KernelDatapath datapath;
    private OffloadedFlows flows;
    private Set<String> configured = Set.of();
    private volatile Map<String, Integer> ifindexes = Map.of();
    private Path object;
    private volatile long lastSocketScan;
    private long rescanMillis = 1000;
    private boolean rescanRequested; // guarded by rescanSignal
    private Thread deviceThread;
    private volatile boolean running;

    @Activate
    void activate(EbpfDriverConfig cfg) throws IOException {
        rescanMillis = Math.max(50, cfg.deviceRescanMillis());
        start(deviceNames(cfg.devices()), cfg.maxFlows(),
                new KernelDatapath.Options(Path.of(cfg.bpffs()), cfg.tc(), cfg.bpftool(), cfg.tcPriority()));
    }

    /** How often the device thread rescans (takes effect at the next wait). */
    void rescanInterval(long millis) {
        rescanMillis = Math.max(10, millis);
    }

    /** Ports are registered when their I/O bundle opens them: look at once (the rescan also catches them). */
    @Reference(service = Port.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addPort(Port port) {
        if (port instanceof KernelSocketPort k) socketPorts.add(k);
        requestRescan();
    }

    void removePort(Port port) {
        if (port instanceof KernelSocketPort k) socketPorts.remove(k);
        requestRescan();
    }

    /** Accepts a typed array and the .cfg form {@code devices = a, b} (one string, comma-separated). */
    static List<String> deviceNames(String[] configured) {
        List<String> names = new java.util.ArrayList<>();
        for (String entry : configured) {
            for (String n : entry.split("[,\\s]+")) if (!n.isEmpty() && !names.contains(n)) names.add(n);
        }
        return names;
    }

    /** Loads the program onto {@code devices} (those that exist). */
    void start(List<String> devices, int maxFlows, KernelDatapath.Options options) throws IOException {
        start(devices, maxFlows, options, null);
    }

    /** As {@link #start(List, int, KernelDatapath.Options)}, with another compiled object than the bundle's (benchmark A/B). */
    void start(List<String> devices, int maxFlows, KernelDatapath.Options options, Path otherObject) throws IOException {
        object = extractObject();
        if (otherObject != null) Files.copy(otherObject, object, StandardCopyOption.REPLACE_EXISTING);
        try {
            datapath = KernelDatapath.load(object, devices, options);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(object);
            throw e;
        }
        configured = Set.copyOf(devices);
        ifindexes = datapath.ifindexes();
        flows = new OffloadedFlows(datapath.flows(), dev -> ifindexes.getOrDefault(dev, 0), maxFlows, this::evicted);
        hideOffloadedFromSockets();
        running = true;
        // created by this thread, so it lives in the router's network namespace like the datapath
        deviceThread = Thread.ofPlatform().name("flowgate-ebpf-devices").daemon(true).start(this::deviceLoop);
        LOG.info("eBPF offload on {} of {} ({} flow directions at most, pins in {})", ifindexes.keySet(), devices, flows.capacity(), datapath.pinDir());
    }

    private void deviceLoop() {
        while (running) {
            synchronized (rescanSignal) {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(rescanMillis);
                long left;
                while (running && !rescanRequested && (left = deadline - System.nanoTime()) > 0) {
                    try {
                        TimeUnit.NANOSECONDS.timedWait(rescanSignal, left);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                rescanRequested = false;
            }
            if (!running) return;
            try {
                rescanDevices();
            } catch (RuntimeException e) {
                LOG.warn("eBPF offload device rescan failed", e);
            }
        }
    }

    void requestRescan() {
        synchronized (rescanSignal) {
            rescanRequested = true;
            rescanSignal.notifyAll();
        }
    }

    /** One rescan: devices that came or went, then sockets opened on them. */
    void rescanDevices() {
        List<Integer> gone = datapath.rescan(configured);
        Map<String, Integer> now = datapath.ifindexes();
        boolean appeared = false;
        for (Map.Entry<String, Integer> d : now.entrySet()) appeared |= !d.getValue().equals(ifindexes.get(d.getKey()));
        ifindexes = now;
        for (int ifindex : gone) {
            int parked = flows.deviceGone(ifindex);
            if (parked > 0) LOG.info("{} flow directions over ifindex {} parked until the device is back", parked, ifindex);
        }
        if (appeared) {
            int back = flows.devicesAppeared();
            if (back > 0) LOG.info("{} parked flow directions back in the kernel", back);
        }
        hideOffloadedFromSockets(true);
    }

    @Deactivate
    void stop() {
        running = false;
        if (deviceThread != null) {
            requestRescan();
            try {
                deviceThread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            deviceThread = null;
        }
        for (EbpfFlowBlock b : blocks) b.unbind();
        blocks.clear();
        if (flows != null) flows.clear();
        if (datapath != null) datapath.close();
        try {
            if (object != null) Files.deleteIfExists(object);
        } catch (IOException e) {
            LOG.debug("cannot remove {}: {}", object, e.toString());
        }
        LOG.info("eBPF offload removed from {}", ifindexes.keySet());
    }

    @Override
    public String name() {
        return "ebpf";
    }

    /** The configured devices, present or not: flows over one not there yet are refused (DEVICE) and retried. */
    @Override
    public Set<String> devices() {
        return configured;
    }

    /** The configured devices present now, with their ifindexes. */
    Map<String, Integer> attachedDevices() {
        return ifindexes;
    }

    @Override
    public FlowBlock bind(FlowTableSpec table) {
        return bind(table, null);
    }

    @Override
    public FlowBlock bind(FlowTableSpec table, OffloadCallback callback) {
        boolean any = false;
        for (String d : table.devices()) any |= configured.contains(d);
        if (!any) return null;
        EbpfFlowBlock b = new EbpfFlowBlock(this, flows, table, callback);
        blocks.add(b);
        return b;
    }

    /** A flow direction the map lost without a del: to the block that installed it. */
    private void evicted(long cookie, EvictionReason reason) {
        for (EbpfFlowBlock b : blocks) {
            if (b.evicted(cookie, reason)) {
                LOG.info("rule#{} evicted from the kernel ({}), back to software", cookie, reason.label());
                return;
            }
        }
    }

    void unbound(EbpfFlowBlock b) {
        blocks.remove(b);
    }

    /** The installed flows (for tests and commands). */
    OffloadedFlows flows() {
        return flows;
    }

    KernelDatapath datapath() {
        return datapath;
    }

    /**
     * Puts the socket filter on AF_PACKET sockets of served ports opened since the last scan (at
     * most once a second unless {@code force}): they must not see the frames the kernel forwards.
     */
    int hideOffloadedFromSockets(boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastSocketScan < SOCKET_SCAN_INTERVAL_NANOS) return -1;
        lastSocketScan = now;
        return datapath.hideOffloadedFromSockets(socketPorts);
    }

    int hideOffloadedFromSockets() {
        return hideOffloadedFromSockets(true);
    }

    private static Path extractObject() throws IOException {
        try (InputStream in = EbpfOffloadDriver.class.getResourceAsStream(OBJECT_RESOURCE)) {
            if (in == null) throw new IOException("the bundle has no " + OBJECT_RESOURCE + " (built without clang?)");
            Path p = Files.createTempFile("flowgate_offload", ".o");
            Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
            return p;
        }
    }
}
