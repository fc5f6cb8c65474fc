package org.flowgate.driver.ebpf.kernel;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.flowgate.driver.ebpf.bpf.Sys;
import org.flowgate.linux.libc.LibC;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hides offloaded frames from the router's AF_PACKET sockets. Packet taps run before tc ingress,
 * so a socket bound to a served port would receive every frame the tc program redirects and Java
 * would forward it a second time. The driver finds those sockets among its own process's file
 * descriptors (AF_PACKET, bound to a served ifindex) and attaches the {@code socket} program,
 * which drops for the socket exactly the frames the tc program forwards.
 */
final class SocketFilters {
    private static final Logger LOG = LoggerFactory.getLogger(SocketFilters.class);
    private static final Path FDS = Path.of("/proc/self/fd");

    private final int progFd;
    /** fd -> socket inode, to tell a still-open socket from a reused fd number. */
    private final Map<Integer, String> attached = new HashMap<>();

    SocketFilters(int progFd) {
        this.progFd = progFd;
    }

    /** Attaches to every AF_PACKET socket bound to one of {@code ifindexes} not yet done; returns how many are attached. */
    synchronized int scan(Set<Integer> ifindexes) {
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
        return attached.size();
    }

    synchronized int attachedCount() {
        return attached.size();
    }

    /** Detaches from every socket still open. */
    synchronized void detachAll() {
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
