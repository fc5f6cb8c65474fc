package org.flowgate.io.afpacket.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.flowgate.linux.libc.LibC.call;
import static org.flowgate.linux.libc.LibC.errnoCall;
import static org.flowgate.linux.libc.LibC.rethrow;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The libc calls only an AF_PACKET port makes (binding, the mmap'ed rings, poll, the send kick, the
 * wake-up eventfd) and their constants. The setup and the shared calls (socket, close, ioctl, socket
 * options, if_nametoindex, errno) are {@link org.flowgate.linux.libc.LibC}'s.
 */
public final class PacketCalls {
    public static final int SOL_PACKET = 263;

    public static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;
    public static final short POLLIN = 0x1, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int EFD_NONBLOCK = 0x800, EFD_CLOEXEC = 0x80000;

    public static final long SIOCGIFFLAGS = 0x8913, SIOCGIFMTU = 0x8921, SIOCGIFHWADDR = 0x8927;
    public static final int IFF_UP = 0x1, IFF_RUNNING = 0x40;
    public static final int ARPHRD_ETHER = 1;

    private static final MethodHandle BIND = errnoCall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle MMAP = errnoCall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = errnoCall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final FunctionDescriptor POLL_FD = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final FunctionDescriptor SENDTO_FD = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle POLL = errnoCall("poll", POLL_FD);
    private static final MethodHandle SENDTO = errnoCall("sendto", SENDTO_FD);
    // the per-batch calls without errno capture (see LibC.call); on failure the caller repeats
    // the call with the capturing handle to learn errno
    private static final MethodHandle POLL_FAST = call("poll", POLL_FD);
    private static final MethodHandle SENDTO_FAST = call("sendto", SENDTO_FD);
    private static final MethodHandle EVENTFD = errnoCall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle WRITE = errnoCall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle READ = errnoCall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle SYSCONF = call("sysconf", FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
    private static final int SC_PAGESIZE = 30;

    private PacketCalls() { }

    public static long pageSize() {
        try {
            long v = (long) SYSCONF.invokeExact(SC_PAGESIZE);
            return v > 0 ? v : 4096;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int bind(MemorySegment cs, int fd, MemorySegment addr, int len) {
        try {
            return (int) BIND.invokeExact(cs, fd, addr, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Returns {@code MAP_FAILED} (address -1) on error: see {@link #mapFailed}. */
    public static MemorySegment mmap(MemorySegment cs, long length, int prot, int flags, int fd, long offset) {
        try {
            return (MemorySegment) MMAP.invokeExact(cs, MemorySegment.NULL, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static boolean mapFailed(MemorySegment m) {
        return m.address() == -1L || m.address() == 0L;
    }

    public static int munmap(MemorySegment cs, MemorySegment addr, long length) {
        try {
            return (int) MUNMAP.invokeExact(cs, addr, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int poll(MemorySegment cs, MemorySegment fds, long nfds, int timeoutMillis) {
        try {
            return (int) POLL.invokeExact(cs, fds, nfds, timeoutMillis);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code poll} without errno: -1 says only that it failed. */
    public static int poll(MemorySegment fds, long nfds, int timeoutMillis) {
        try {
            return (int) POLL_FAST.invokeExact(fds, nfds, timeoutMillis);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code sendto} without errno: -1 says only that it failed. */
    public static long sendto(int fd, MemorySegment buf, long len, int flags, MemorySegment addr, int addrLen) {
        try {
            return (long) SENDTO_FAST.invokeExact(fd, buf, len, flags, addr, addrLen);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long sendto(MemorySegment cs, int fd, MemorySegment buf, long len, int flags, MemorySegment addr, int addrLen) {
        try {
            return (long) SENDTO.invokeExact(cs, fd, buf, len, flags, addr, addrLen);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int eventfd(MemorySegment cs, int initval, int flags) {
        try {
            return (int) EVENTFD.invokeExact(cs, initval, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long write(MemorySegment cs, int fd, MemorySegment buf, long len) {
        try {
            return (long) WRITE.invokeExact(cs, fd, buf, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long read(MemorySegment cs, int fd, MemorySegment buf, long len) {
        try {
            return (long) READ.invokeExact(cs, fd, buf, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
