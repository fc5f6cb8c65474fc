package org.flowgate.driver.ebpf.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.flowgate.api.netdev.KernelSocketPort;
import org.flowgate.driver.ebpf.bpf.BpfMap;
import org.flowgate.driver.ebpf.flows.FlowMapLayout;
import org.flowgate.linux.libc.LibC;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The offload datapath in the kernel of the router's network namespace: the BPF object loaded
 * with {@code bpftool prog loadall} (programs and the flow map pinned under
 * {@code <bpffs>/flowgate/<netns>}), the {@code tc} program attached to each served port's clsact
 * ingress, and the socket filter on the router's AF_PACKET sockets. {@link #close()} removes all
 * of it, so no program or map outlives the driver.
 * <p>
 * Create and close it on a thread in the router's network namespace (the tc and bpftool children
 * inherit it).
 */
public final class KernelDatapath implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KernelDatapath.class);
    public static final String TC_PROG = "fg_tc_ingress";
    public static final String SOCKET_PROG = "fg_sock_filter";
    public static final String FLOW_MAP = "fg_flows";

    /** Where things go and which tools to run. */
    public record Options(Path bpffs, String tc, String bpftool, int tcPriority) {
        public static Options defaults() {
            return new Options(Path.of("/sys/fs/bpf"), "tc", "bpftool", 49);
        }
    }

    private final Options options;
    private final String tc;
    private final Path pinDir;
    private final Map<String, Integer> ifindexes = new LinkedHashMap<>(); // guarded by this
    private final List<String> createdQdiscs = new ArrayList<>(); // guarded by this
    private BpfMap flows;
    private int socketProgFd = -1;
    private SocketFilters socketFilters;
    private boolean closed;

    private KernelDatapath(Options options) {
        this.options = options;
        this.tc = Commands.resolve(options.tc());
        this.pinDir = options.bpffs().resolve("flowgate").resolve("ns" + Bpffs.netnsId());
    }

    /**
     * Loads {@code object} (the compiled {@code flowgate_offload.c}) and attaches it to those
     * {@code devices} that exist; devices that do not are logged and left out of {@link #ifindexes()}.
     */
    public static KernelDatapath load(Path object, Collection<String> devices, Options options) throws IOException {
        KernelDatapath dp = new KernelDatapath(options);
        try {
            dp.loadObject(object);
            for (String dev : devices) dp.attach(dev);
            return dp;
        } catch (IOException | RuntimeException e) {
            dp.close();
            throw e;
        }
    }

    private void loadObject(Path object) throws IOException {
        Bpffs.ensureMounted(options.bpffs());
        if (Files.exists(pinDir)) {
            LOG.info("removing pins left by an earlier run in {}", pinDir);
            Bpffs.removeTree(pinDir);
        }
        Files.createDirectories(pinDir);
        Commands.check(List.of(Commands.resolve(options.bpftool()), "prog", "loadall", object.toString(),
                pinDir.resolve("progs").toString(), "pinmaps", pinDir.resolve("maps").toString()));
        flows = BpfMap.open(pinDir.resolve("maps").resolve(FLOW_MAP).toString());
        if (flows.keySize() != FlowMapLayout.KEY_SIZE || flows.valueSize() != FlowMapLayout.VALUE_SIZE) {
            throw new IOException("BPF object " + object + " has a flow map of " + flows.keySize() + "/" + flows.valueSize()
                    + " byte key/value, the driver expects " + FlowMapLayout.KEY_SIZE + "/" + FlowMapLayout.VALUE_SIZE);
        }
        socketProgFd = BpfMap.objGet(pinDir.resolve("progs").resolve(SOCKET_PROG).toString());
        socketFilters = new SocketFilters(socketProgFd);
    }

    private void attach(String dev) throws IOException {
        int ifindex = LibC.ifIndex(dev);
        if (ifindex == 0) {
            LOG.warn("device {} does not exist in this network namespace (yet): offloading it once it appears", dev);
            return;
        }
        attach(dev, ifindex);
    }

    private synchronized void attach(String dev, int ifindex) throws IOException {
        if (!Commands.check(List.of(tc, "qdisc", "show", "dev", dev)).contains("qdisc clsact")) {
            Commands.check(List.of(tc, "qdisc", "add", "dev", dev, "clsact"));
            createdQdiscs.add(dev);
        }
        Commands.check(List.of(tc, "filter", "replace", "dev", dev, "ingress", "pref", Integer.toString(options.tcPriority()),
                "handle", "1", "bpf", "da", "object-pinned", pinDir.resolve("progs").resolve(TC_PROG).toString()));
        ifindexes.put(dev, ifindex);
        LOG.info("offload program on {} (ifindex {}) ingress, tc pref {}", dev, ifindex, options.tcPriority());
    }

    /** The attached devices and their ifindexes. */
    public synchronized Map<String, Integer> ifindexes() {
        return Map.copyOf(ifindexes);
    }

    /**
     * Brings the attachments in line with the devices present now among {@code devices}: attaches
     * the program to those that appeared (or were re-created: new ifindex) and forgets those that
     * went away (their filter and clsact went with them). Returns the ifindexes that went away.
     */
    public synchronized List<Integer> rescan(Collection<String> devices) {
        if (closed) return List.of();
        List<Integer> gone = new ArrayList<>();
        for (String dev : devices) {
            Integer had = ifindexes.get(dev);
            int now = LibC.ifIndex(dev);
            if (had != null && had == now) continue;
            if (had != null) {
                ifindexes.remove(dev);
                createdQdiscs.remove(dev);
                gone.add(had);
                LOG.info("device {} (ifindex {}) went away{}", dev, had, now == 0 ? "" : "; it is back as ifindex " + now);
            }
            if (now != 0) {
                try {
                    attach(dev, now);
                } catch (IOException e) {
                    LOG.warn("cannot attach the offload program to {} (ifindex {}): {}", dev, now, e.getMessage());
                }
            }
        }
        return gone;
    }

    public BpfMap flows() {
        return flows;
    }

    public Path pinDir() {
        return pinDir;
    }

    /**
     * Attaches the socket filter to the sockets of served ports opened since the last call: through
     * {@code ports} ({@link KernelSocketPort}s, e.g. the router's AF_PACKET {@code Port} services),
     * and for served devices none of them covers, to the AF_PACKET sockets found in
     * {@code /proc/self/fd}. Returns how many carry it.
     */
    public int hideOffloadedFromSockets(Collection<KernelSocketPort> ports) {
        if (socketFilters == null) return 0;
        Set<Integer> served;
        synchronized (this) { // the device thread's rescan changes ifindexes
            served = Set.copyOf(ifindexes.values());
        }
        return socketFilters.scan(served, ports);
    }

    /** Port sockets that took the socket filter through their {@link KernelSocketPort}. */
    public int portSocketsFiltered() {
        return socketFilters == null ? 0 : socketFilters.attachedPortCount();
    }

    /** Sockets found in /proc/self/fd (no {@link KernelSocketPort} covers their device) carrying the socket filter. */
    public int descriptorSocketsFiltered() {
        return socketFilters == null ? 0 : socketFilters.attachedDescriptorCount();
    }

    /** Whether the driver's filter is on {@code dev}'s ingress (for tests and commands; call in the router's namespace). */
    public boolean attached(String dev) {
        try {
            Commands.Result r = Commands.run(List.of(tc, "filter", "show", "dev", dev, "ingress"));
            return r.ok() && r.output().contains(TC_PROG);
        } catch (IOException e) {
            return false;
        }
    }

    /** Port sockets carrying the socket filter now. */
    public int socketsFiltered() {
        return socketFilters == null ? 0 : socketFilters.attachedCount();
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (String dev : ifindexes.keySet()) {
            quietly(List.of(tc, "filter", "del", "dev", dev, "ingress", "pref", Integer.toString(options.tcPriority())));
        }
        for (String dev : createdQdiscs) quietly(List.of(tc, "qdisc", "del", "dev", dev, "clsact"));
        if (socketFilters != null) socketFilters.detachAll();
        if (socketProgFd >= 0) BpfMap.closeFd(socketProgFd);
        if (flows != null) flows.close();
        try {
            Bpffs.removeTree(pinDir);
            Files.deleteIfExists(pinDir.getParent()); // <bpffs>/flowgate, when no other instance uses it
        } catch (java.nio.file.DirectoryNotEmptyException e) {
            // another router instance (network namespace) still has pins there
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", pinDir, e.toString());
        }
    }

    private static void quietly(List<String> cmd) {
        try {
            Commands.Result r = Commands.run(cmd);
            if (!r.ok()) LOG.warn("{}: {}", String.join(" ", cmd), r.output());
        } catch (IOException e) {
            LOG.warn("{}: {}", String.join(" ", cmd), e.toString());
        }
    }

}
