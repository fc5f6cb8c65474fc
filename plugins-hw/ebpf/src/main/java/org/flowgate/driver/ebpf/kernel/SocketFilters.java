package org.flowgate.driver.ebpf.kernel;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

import org.flowgate.api.netdev.KernelSocketPort;

import org.flowgate.driver.ebpf.bpf.Sys;
import org.flowgate.linux.libc.LibC;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hides offloaded frames from the router's AF_PACKET sockets. Packet taps run before tc ingress,
 * so a socket bound to a served port would receive every frame the tc program redirects and Java
 * would forward it a second time. The {@code socket} program, which drops for the socket exactly
 * the frames the tc program forwards, goes on those sockets two ways: through the
 * {@link KernelSocketPort} of the router's {@code Port} services (io-afpacket's ports), and, for a
 * served interface no such port covers, on the AF_PACKET sockets bound to it that the driver finds
 * among its own process's file descriptors ({@code /proc/self/fd}: ports of other I/O bundles,
 * sockets opened without a {@code Port} service).
 */
final class SocketFilters {
    private static final Logger LOG = LoggerFactory.getLogger(SocketFilters.class);
    private static final Path FDS = Path.of("/proc/self/fd");

    private final int progFd;
    /** fd -> socket inode, to tell a still-open socket from a reused fd number (found in /proc/self/fd). */
    private final Map<Integer, String> attached = new HashMap<>();
    /** Ports that took the program through their API -> the ifindex they had then. */
    private final Map<KernelSocketPort, Integer> attachedPorts = new IdentityHashMap<>();

    SocketFilters(int progFd) {
        this.progFd = progFd;
    }

    /**
     * Attaches to the {@code ports} on one of {@code ifindexes}, then to every other AF_PACKET
     * socket bound to a served ifindex none of those ports covers, each not yet done; returns how
     * many carry the program.
     */
    synchronized int scan(Set<Integer> ifindexes, Collection<KernelSocketPort> ports) {
        attachedPorts.keySet().retainAll(ports); // an unregistered port closed its socket
        Set<Integer> covered = new HashSet<>();
        for (KernelSocketPort port : ports) {
            int ifindex = port.kernelIfIndex();
            if (!ifindexes.contains(ifindex)) continue;
            Integer had = attachedPorts.get(port);
            if (had == null || had != ifindex) {
                try {
                    port.attachSocketFilter(progFd);
                    attachedPorts.put(port, ifindex);
                    LOG.debug("socket filter on port {} (ifindex {})", port, ifindex);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("cannot attach the offload socket filter to port {} (ifindex {}): {}", port, ifindex, e.getMessage());
                    continue;
                }
            }
            covered.add(ifindex);
        }
        Set<Integer> rest = new HashSet<>(ifindexes);
        rest.removeAll(covered);
        if (!rest.isEmpty()) scanDescriptors(rest);
        return attached.size() + attachedPorts.size();
    }

    /** The fallback: AF_PACKET sockets of this process bound to one of {@code ifindexes}, found in /proc/self/fd. */
    private void scanDescriptors(Set<Integer> ifindexes) {
        attached.entrySet().removeIf(e -> !e.getValue().equals(inode(e.getKey())));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(FDS); Arena a = Arena.ofConfined()) {
            MemorySegment cs = LibC.newCallState(a);
            MemorySegment addr = a.allocate(128, 8);
            MemorySegment len = a.allocate(JAVA_INT);
            MemorySegment prog = a.allocate(JAVA_INT);
            prog.set(JAVA_INT, 0, progFd);
            for (Path p : ds) {
                int fd;
                try {
                    fd = Integer.parseInt(p.getFileName().toString());
                } catch (NumberFormatException e) {
                    continue;
                }
                if (attached.containsKey(fd)) continue;
                String inode = inode(fd);
                if (inode == null) continue;
                len.set(JAVA_INT, 0, (int) addr.byteSize());
                if (Sys.getsockname(cs, fd, addr, len) != 0) continue;
                if ((addr.get(JAVA_SHORT, 0) & 0xFFFF) != LibC.AF_PACKET) continue;
                int ifindex = addr.get(JAVA_INT, 4); // sockaddr_ll.sll_ifindex
                if (!ifindexes.contains(ifindex)) continue;
                if (LibC.setsockopt(cs, fd, LibC.SOL_SOCKET, Sys.SO_ATTACH_BPF, prog, 4) != 0) {
                    LOG.warn("cannot attach the offload socket filter to fd {} (ifindex {}): {}", fd, ifindex, LibC.strerror(LibC.errno(cs)));
                    continue;
                }
                attached.put(fd, inode);
                LOG.debug("socket filter on AF_PACKET fd {} (ifindex {})", fd, ifindex);
            }
        } catch (IOException e) {
            LOG.warn("cannot list {}: {}", FDS, e.toString());
        }
    }

    synchronized int attachedCount() {
        return attached.size() + attachedPorts.size();
    }

    /** Sockets that took the program through their port's {@link KernelSocketPort}. */
    synchronized int attachedPortCount() {
        return attachedPorts.size();
    }

    /** Sockets found in /proc/self/fd that carry the program. */
    synchronized int attachedDescriptorCount() {
        return attached.size();
    }

    /** Detaches from every socket still open. */
    synchronized void detachAll() {
        for (KernelSocketPort port : attachedPorts.keySet()) {
            try {
                port.detachSocketFilter();
            } catch (RuntimeException e) {
                LOG.debug("cannot detach the socket filter from port {}: {}", port, e.toString());
            }
        }
        attachedPorts.clear();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = LibC.newCallState(a);
            MemorySegment zero = a.allocate(JAVA_INT);
            for (Map.Entry<Integer, String> e : attached.entrySet()) {
                if (e.getValue().equals(inode(e.getKey()))) LibC.setsockopt(cs, e.getKey(), LibC.SOL_SOCKET, Sys.SO_DETACH_BPF, zero, 4);
            }
        }
        attached.clear();
    }

    /** {@code socket:[N]} of a descriptor, null when it is not a socket (or closed). */
    private static String inode(int fd) {
        try {
            String link = Files.readSymbolicLink(FDS.resolve(Integer.toString(fd))).toString();
            return link.startsWith("socket:") ? link : null;
        } catch (IOException e) {
            return null;
        }
    }
}
