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

import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.driver.ebpf.flows.OffloadedFlows;
import org.flowgate.driver.ebpf.kernel.KernelDatapath;
import org.flowgate.offload.FlowBlock;
import org.flowgate.offload.OffloadDriver;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
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
 */
@Component(service = OffloadDriver.class, configurationPid = EbpfOffloadDriver.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, property = "flowgate.instance=default")
@Designate(ocd = EbpfDriverConfig.class)
public final class EbpfOffloadDriver implements OffloadDriver {
    public static final String PID = "org.flowgate.driver.ebpf";
    static final String OBJECT_RESOURCE = "bpf/flowgate_offload.o";
    private static final Logger LOG = LoggerFactory.getLogger(EbpfOffloadDriver.class);
    private static final long SOCKET_SCAN_INTERVAL_NANOS = 1_000_000_000L;

    private final List<EbpfFlowBlock> blocks = new CopyOnWriteArrayList<>();
    private KernelDatapath datapath;
    private OffloadedFlows flows;
    private Map<String, Integer> ifindexes = Map.of();
    private Path object;
    private volatile long lastSocketScan;

    @Activate
    void activate(EbpfDriverConfig cfg) throws IOException {
        start(deviceNames(cfg.devices()), cfg.maxFlows(),
                new KernelDatapath.Options(Path.of(cfg.bpffs()), cfg.tc(), cfg.bpftool(), cfg.tcPriority()));
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
        object = extractObject();
        try {
            datapath = KernelDatapath.load(object, devices, options);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(object);
            throw e;
        }
        ifindexes = datapath.ifindexes();
        flows = new OffloadedFlows(datapath.flows(), dev -> ifindexes.getOrDefault(dev, 0), maxFlows);
        hideOffloadedFromSockets();
        LOG.info("eBPF offload on {} ({} flow directions at most, pins in {})", ifindexes.keySet(), flows.capacity(), datapath.pinDir());
    }

    @Deactivate
    void stop() {
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

    @Override
    public Set<String> devices() {
        return ifindexes.keySet();
    }

    @Override
    public FlowBlock bind(FlowTableSpec table) {
        boolean any = false;
        for (String d : table.devices()) any |= ifindexes.containsKey(d);
        if (!any) return null;
        EbpfFlowBlock b = new EbpfFlowBlock(this, flows, table);
        blocks.add(b);
        return b;
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
        return datapath.hideOffloadedFromSockets();
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
