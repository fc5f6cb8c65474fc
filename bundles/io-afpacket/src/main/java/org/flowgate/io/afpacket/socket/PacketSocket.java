package org.flowgate.io.afpacket.socket;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.flowgate.io.afpacket.linux.PacketCalls.*;
import static org.flowgate.linux.libc.LibC.*;
import static org.flowgate.io.afpacket.ring.Tpacket.*;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.flowgate.io.afpacket.linux.ErrnoException;
import org.flowgate.io.afpacket.linux.PacketCalls;
import org.flowgate.linux.libc.LibC;
import org.flowgate.io.afpacket.ring.RingGeometry;

/**
 * One AF_PACKET socket bound to one Linux interface, with a TPACKET_V3 receive ring and a TPACKET_V3
 * transmit ring mapped into one region, an eventfd to wake the receive thread, and the interface's
 * properties read from the kernel.
 *
 * <p>Both rings are TPACKET_V3: the TX ring needs kernel 4.11+, PACKET_IGNORE_OUTGOING 4.20+ (it is
 * optional; the receive path also drops {@code PACKET_OUTGOING} frames itself).
 */
public final class PacketSocket implements AutoCloseable {
    /** {@link #poll} result bits. */
    public static final int READABLE = 1, WOKEN = 2, SOCKET_ERROR = 4;
    private static final int SO_ATTACH_BPF = 50, SO_DETACH_BPF = 27, EBADF = 9;

    private static final int ETH_P_ALL = 0x0003;

    private final String ifname;
    private final int ifindex;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment setupState = LibC.newCallState(arena);
    private final RingGeometry rx;
    private final RingGeometry tx;
    private int fd = -1;
    private int eventFd = -1;
    private MemorySegment mapped = MemorySegment.NULL;
    private boolean ignoresOutgoing;

    /** Socket options chosen by configuration. */
    public record Options(RingGeometry rx, RingGeometry tx, int blockTimeoutMillis, boolean qdiscBypass, boolean promiscuous) { }

    private PacketSocket(String ifname, int ifindex, RingGeometry rx, RingGeometry tx) {
        this.ifname = ifname;
        this.ifindex = ifindex;
        this.rx = rx;
        this.tx = tx;
    }

    /**
     * Opens, configures, maps and binds a socket on {@code ifname}.
     *
     * @throws IOException with a message saying what failed and why (no such interface, not root, ...)
     * @throws IllegalArgumentException for a bad name or ring geometry
     */
    public static PacketSocket open(String ifname, Options o) throws IOException {
        checkName(ifname);
        long page = PacketCalls.pageSize();
        o.rx().validate(page);
        o.tx().validate(page);
        int index = ifIndex(ifname);
        PacketSocket s = new PacketSocket(ifname, index, o.rx(), o.tx());
        try {
            s.setUp(o);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** The kernel's interface index of {@code ifname} in this thread's network namespace. */
    public static int ifIndex(String ifname) throws IOException {
        checkName(ifname);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = LibC.newCallState(a);
            int index = LibC.ifNameToIndex(cs, a.allocateFrom(ifname));
            if (index == 0) {
                throw new IOException("No network interface '" + ifname + "' in this network namespace ("
                        + LibC.strerror(LibC.errno(cs)) + ")");
            }
            return index;
        }
    }

    static void checkName(String ifname) {
        if (ifname == null || ifname.isEmpty() || ifname.getBytes(StandardCharsets.UTF_8).length >= IFNAMSIZ
                || ifname.indexOf('/') >= 0 || ifname.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("not a Linux interface name: '" + ifname + "' (1 to 15 bytes, no '/' or spaces)");
        }
    }

    private void setUp(Options o) throws IOException {
        MemorySegment cs = setupState;
        fd = LibC.socket(cs, AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0); // protocol 0: receive nothing before bind
        if (fd < 0) throw new ErrnoException("socket(AF_PACKET, SOCK_RAW) for " + ifname, errno(cs));

        LinkInfo link = readLink(cs, arena.allocate(IFREQ));
        if (link.hwType() != ARPHRD_ETHER) {
            throw new IOException("Interface " + ifname + " is not an Ethernet interface (ARPHRD type " + link.hwType() + ")");
        }

        setInt(PACKET_VERSION, TPACKET_V3, "PACKET_VERSION TPACKET_V3");
        ignoresOutgoing = trySetInt(PACKET_IGNORE_OUTGOING, 1);
        // a malformed TX frame would otherwise stop the ring (TP_STATUS_WRONG_FORMAT): skip it instead
        setInt(PACKET_LOSS, 1, "PACKET_LOSS");
        if (o.qdiscBypass()) setInt(PACKET_QDISC_BYPASS, 1, "PACKET_QDISC_BYPASS");

        MemorySegment req = arena.allocate(TPACKET_REQ3);
        o.rx().writeReq3(req, o.blockTimeoutMillis());
        setOpt(PACKET_RX_RING, req, "PACKET_RX_RING " + o.rx());
        o.tx().writeReq3(req, 0);
        setOpt(PACKET_TX_RING, req, "PACKET_TX_RING " + o.tx());

        long size = rx.byteSize() + tx.byteSize();
        MemorySegment m = PacketCalls.mmap(cs, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (PacketCalls.mapFailed(m)) throw new ErrnoException("mmap of the " + size + "-byte packet rings of " + ifname, errno(cs));
        mapped = m.reinterpret(size);

        MemorySegment sll = arena.allocate(SOCKADDR_LL);
        sll.set(JAVA_SHORT, off("sll_family"), (short) AF_PACKET);
        sll.set(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), off("sll_protocol"), (short) ETH_P_ALL);
        sll.set(JAVA_INT, off("sll_ifindex"), ifindex);
        if (PacketCalls.bind(cs, fd, sll, (int) SOCKADDR_LL.byteSize()) != 0) {
            throw new ErrnoException("bind to " + ifname + " (ifindex " + ifindex + ")", errno(cs));
        }

        if (o.promiscuous()) {
            MemorySegment mreq = arena.allocate(PACKET_MREQ);
            mreq.set(JAVA_INT, 0, ifindex);
            mreq.set(JAVA_SHORT, 4, (short) PACKET_MR_PROMISC);
            setOpt(PACKET_ADD_MEMBERSHIP, mreq, "PACKET_ADD_MEMBERSHIP promiscuous on " + ifname);
        }

        eventFd = PacketCalls.eventfd(cs, 0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (eventFd < 0) throw new ErrnoException("eventfd", errno(cs));
    }

    private static long off(String field) {
        return SOCKADDR_LL.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement(field));
    }

    private void setInt(int option, int value, String what) throws IOException {
        if (!trySetInt(option, value)) throw new ErrnoException("setsockopt " + what + " on " + ifname, errno(setupState));
    }

    private boolean trySetInt(int option, int value) {
        MemorySegment v = arena.allocate(JAVA_INT);
        v.set(JAVA_INT, 0, value);
        return LibC.setsockopt(setupState, fd, SOL_PACKET, option, v, 4) == 0;
    }

    private void setOpt(int option, MemorySegment value, String what) throws IOException {
        if (LibC.setsockopt(setupState, fd, SOL_PACKET, option, value, (int) value.byteSize()) != 0) {
            throw new ErrnoException("setsockopt " + what + " on " + ifname, errno(setupState));
        }
    }

    /**
     * Attaches (SO_ATTACH_BPF) or, with {@code progFd} &lt; 0, removes (SO_DETACH_BPF) an eBPF socket
     * filter. Returns 0 or the errno. Not for the receive thread's hot path: it allocates.
     */
    public int setBpfFilter(int progFd) {
        if (fd < 0) return EBADF;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = LibC.newCallState(a);
            MemorySegment v = a.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, progFd);
            int r = progFd < 0 ? LibC.setsockopt(cs, fd, LibC.SOL_SOCKET, SO_DETACH_BPF, v, 4)
                    : LibC.setsockopt(cs, fd, LibC.SOL_SOCKET, SO_ATTACH_BPF, v, 4);
            return r == 0 ? 0 : errno(cs);
        }
    }

    public String ifname() { return ifname; }

    public int ifindex() { return ifindex; }

    /** Whether the kernel drops our own outgoing frames before the receive ring (PACKET_IGNORE_OUTGOING). */
    public boolean ignoresOutgoing() { return ignoresOutgoing; }

    public MemorySegment rxRegion() { return mapped.asSlice(0, rx.byteSize()); }

    public MemorySegment txRegion() { return mapped.asSlice(rx.byteSize(), tx.byteSize()); }

    /** A segment for {@link #poll}: two {@code struct pollfd}, the socket and the eventfd. */
    public MemorySegment newPollSet(Arena a) {
        MemorySegment fds = a.allocate(16, 8);
        fds.set(JAVA_INT, 0, fd);
        fds.set(JAVA_SHORT, 4, POLLIN);
        fds.set(JAVA_INT, 8, eventFd);
        fds.set(JAVA_SHORT, 12, POLLIN);
        return fds;
    }

    /**
     * Waits for a ready block, a wake-up or the timeout.
     *
     * @return {@link #READABLE} / {@link #WOKEN} / {@link #SOCKET_ERROR} bits, 0 on timeout or
     *         EINTR, -errno on failure
     */
    public int poll(MemorySegment cs, MemorySegment pollSet, int timeoutMillis) {
        pollSet.set(JAVA_SHORT, 6, (short) 0);
        pollSet.set(JAVA_SHORT, 14, (short) 0);
        int n = PacketCalls.poll(pollSet, 2, timeoutMillis);
        if (n < 0) {
            n = PacketCalls.poll(cs, pollSet, 2, 0); // again, to learn errno
            if (n < 0) {
                int e = errno(cs);
                return e == EINTR ? 0 : -e;
            }
        }
        int r = 0;
        short sock = pollSet.get(JAVA_SHORT, 6);
        if ((sock & POLLIN) != 0) r |= READABLE;
        if ((sock & (POLLERR | POLLHUP | POLLNVAL)) != 0) r |= SOCKET_ERROR;
        if ((pollSet.get(JAVA_SHORT, 14) & POLLIN) != 0) r |= WOKEN;
        return r;
    }

    /** Reads and clears the socket's pending error (SO_ERROR), e.g. ENETDOWN after the link went down. */
    public int takeSocketError(MemorySegment cs, MemorySegment scratch8) {
        scratch8.set(JAVA_INT, 0, 0);
        scratch8.set(JAVA_INT, 4, 4);
        if (LibC.getsockopt(cs, fd, SOL_SOCKET, SO_ERROR, scratch8, scratch8.asSlice(4, 4)) != 0) return errno(cs);
        return scratch8.get(JAVA_INT, 0);
    }

    /** Wakes a thread blocked in {@link #poll}. */
    public void wakeUp(MemorySegment cs, MemorySegment scratch8) {
        scratch8.set(JAVA_LONG, 0, 1L);
        PacketCalls.write(cs, eventFd, scratch8, 8);
    }

    /** Consumes the wake-up. */
    public void clearWakeUp(MemorySegment cs, MemorySegment scratch8) {
        PacketCalls.read(cs, eventFd, scratch8, 8);
    }

    /**
     * Asks the kernel to send the frames requested in the TX ring, without waiting.
     *
     * @return 0 or a positive byte count on success, -errno on failure
     */
    public long kick(MemorySegment cs) {
        long r = PacketCalls.sendto(fd, MemorySegment.NULL, 0, MSG_DONTWAIT, MemorySegment.NULL, 0);
        if (r >= 0) return r;
        r = PacketCalls.sendto(cs, fd, MemorySegment.NULL, 0, MSG_DONTWAIT, MemorySegment.NULL, 0); // a kick is idempotent
        return r < 0 ? -errno(cs) : r;
    }

    /**
     * Reads the kernel's receive statistics since the last call (PACKET_STATISTICS resets them).
     *
     * @param scratch16 at least 16 bytes
     * @param packetsAndDrops receives the two counts, added to what it holds
     * @return false when the call failed
     */
    public boolean readStatistics(MemorySegment cs, MemorySegment scratch16, long[] packetsAndDrops) {
        scratch16.set(JAVA_INT, 12, (int) TPACKET_STATS_V3.byteSize());
        if (LibC.getsockopt(cs, fd, SOL_PACKET, PACKET_STATISTICS, scratch16, scratch16.asSlice(12, 4)) != 0) return false;
        packetsAndDrops[0] += Integer.toUnsignedLong(scratch16.get(JAVA_INT, 0));
        packetsAndDrops[1] += Integer.toUnsignedLong(scratch16.get(JAVA_INT, 4));
        return true;
    }

    /** Reads index-independent link properties with ioctls on the socket; {@code ifreq} is scratch. */
    public LinkInfo readLink(MemorySegment cs, MemorySegment ifreq) throws IOException {
        fillName(ifreq);
        if (LibC.ioctl(cs, fd, SIOCGIFHWADDR, ifreq) != 0) throw new ErrnoException("SIOCGIFHWADDR " + ifname, errno(cs));
        int hwType = Short.toUnsignedInt(ifreq.get(JAVA_SHORT, 16));
        long mac = 0;
        for (int i = 0; i < 6; i++) mac = (mac << 8) | (ifreq.get(JAVA_BYTE, 18 + i) & 0xFF);
        fillName(ifreq);
        if (LibC.ioctl(cs, fd, SIOCGIFMTU, ifreq) != 0) throw new ErrnoException("SIOCGIFMTU " + ifname, errno(cs));
        int mtu = ifreq.get(JAVA_INT, 16);
        fillName(ifreq);
        if (LibC.ioctl(cs, fd, SIOCGIFFLAGS, ifreq) != 0) throw new ErrnoException("SIOCGIFFLAGS " + ifname, errno(cs));
        int flags = Short.toUnsignedInt(ifreq.get(JAVA_SHORT, 16));
        return new LinkInfo(ifindex, mac, mtu, (flags & IFF_UP) != 0, (flags & IFF_RUNNING) != 0, hwType);
    }

    private void fillName(MemorySegment ifreq) {
        ifreq.fill((byte) 0);
        byte[] n = ifname.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(n, 0, ifreq, JAVA_BYTE, 0, n.length);
    }

    private static int errno(MemorySegment cs) { return LibC.errno(cs); }

    /**
     * Unmaps the rings and closes the descriptors. The caller guarantees no thread uses the rings,
     * the poll set or {@link #kick} any more.
     */
    @Override
    public void close() {
        MemorySegment cs = setupState;
        if (!mapped.equals(MemorySegment.NULL)) {
            PacketCalls.munmap(cs, mapped, mapped.byteSize());
            mapped = MemorySegment.NULL;
        }
        if (eventFd >= 0) { LibC.close(cs, eventFd); eventFd = -1; }
        if (fd >= 0) { LibC.close(cs, fd); fd = -1; }
        if (arena.scope().isAlive()) arena.close();
    }
}
