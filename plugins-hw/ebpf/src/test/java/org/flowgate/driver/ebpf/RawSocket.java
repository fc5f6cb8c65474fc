package org.flowgate.driver.ebpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An AF_PACKET socket bound to one interface, as the router's port (or a host's sender) has:
 * open it inside the interface's namespace ({@link Netns#in}); send and receive from any thread.
 */
final class RawSocket implements AutoCloseable {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SOCKET = handle("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = handle("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SEND = handle("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECVMSG = handle("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = handle("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle IF_NAMETOINDEX = handle("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final int AF_PACKET = 17, SOCK_RAW = 3, ETH_P_ALL_BE = 0x0300, MSG_DONTWAIT = 0x40;
    private static final int PACKET_OUTGOING = 4, SOL_PACKET = 263, PACKET_AUXDATA = 8, TP_STATUS_VLAN_VALID = 0x10;

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buf = arena.allocate(65536);

    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd);
    }

    private RawSocket(int fd) {
        this.fd = fd;
    }

    /** Call inside the namespace of {@code ifname}. */
    static RawSocket open(String ifname) throws Exception {
        try {
            return openSocket(ifname);
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static RawSocket openSocket(String ifname) throws Throwable {
        int fd = (int) SOCKET.invokeExact(AF_PACKET, SOCK_RAW, ETH_P_ALL_BE);
        if (fd < 0) throw new IllegalStateException("socket(AF_PACKET) failed");
        try (Arena a = Arena.ofConfined()) {
            int ifindex = (int) IF_NAMETOINDEX.invokeExact(a.allocateFrom(ifname));
            if (ifindex == 0) throw new IllegalStateException("no interface " + ifname);
            MemorySegment sll = a.allocate(20, 4);
            sll.set(JAVA_SHORT, 0, (short) AF_PACKET);
            sll.set(JAVA_SHORT, 2, (short) ETH_P_ALL_BE);
            sll.set(JAVA_INT, 4, ifindex);
            if ((int) BIND.invokeExact(fd, sll, 20) != 0) throw new IllegalStateException("bind " + ifname + " failed");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(JAVA_INT);
            one.set(JAVA_INT, 0, 1);
            // the kernel hands VLAN tags out of band: ask for them, to put them back as libpcap does
            if ((int) SETSOCKOPT.invokeExact(fd, SOL_PACKET, PACKET_AUXDATA, one, 4) != 0) throw new IllegalStateException("PACKET_AUXDATA");
        }
        return new RawSocket(fd);
    }

    int fd() { return fd; }

    synchronized void send(byte[] frame) throws Throwable {
        MemorySegment.copy(frame, 0, buf, JAVA_BYTE, 0, frame.length);
        long n = (long) SEND.invokeExact(fd, buf, (long) frame.length, 0);
        if (n != frame.length) throw new IllegalStateException("send returned " + n);
    }

    /**
     * Frames received (not our own outgoing ones) until none arrives for {@code quietMillis}, a VLAN
     * tag the kernel stripped put back after the MACs.
     */
    synchronized List<byte[]> drain(long quietMillis) throws Throwable {
        List<byte[]> frames = new ArrayList<>();
        long deadline = System.currentTimeMillis() + quietMillis;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment from = a.allocate(20, 4);
            MemorySegment control = a.allocate(64, 8);
            MemorySegment iov = a.allocate(16, 8);
            iov.set(ADDRESS, 0, buf);
            iov.set(JAVA_LONG, 8, buf.byteSize());
            MemorySegment msg = a.allocate(56, 8);
            while (System.currentTimeMillis() < deadline) {
                msg.fill((byte) 0);
                msg.set(ADDRESS, 0, from);
                msg.set(JAVA_INT, 8, 20);
                msg.set(ADDRESS, 16, iov);
                msg.set(JAVA_LONG, 24, 1);
                msg.set(ADDRESS, 32, control);
                msg.set(JAVA_LONG, 40, control.byteSize());
                long n = (long) RECVMSG.invokeExact(fd, msg, MSG_DONTWAIT);
                if (n <= 0) {
                    Thread.sleep(5);
                    continue;
                }
                deadline = System.currentTimeMillis() + quietMillis;
                if (from.get(JAVA_BYTE, 10) == PACKET_OUTGOING) continue; // sll_pkttype
                byte[] frame = Arrays.copyOf(buf.toArray(JAVA_BYTE), (int) n);
                long controlLen = msg.get(JAVA_LONG, 40);
                // one cmsghdr: len(8) level(4) type(4), then struct tpacket_auxdata
                if (controlLen >= 36 && control.get(JAVA_INT, 8) == SOL_PACKET && control.get(JAVA_INT, 12) == PACKET_AUXDATA
                        && (control.get(JAVA_INT, 16) & TP_STATUS_VLAN_VALID) != 0) {
                    frame = Frames.withVlan(frame, control.get(JAVA_SHORT, 16 + 16) & 0xFFF);
                }
                frames.add(frame);
            }
        }
        return frames;
    }

    @Override
    public void close() {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        arena.close();
    }
}
