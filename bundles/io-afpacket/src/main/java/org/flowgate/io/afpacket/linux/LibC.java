package org.flowgate.io.afpacket.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few libc calls an AF_PACKET port needs, as {@code java.lang.foreign} downcalls (x86_64 /
 * aarch64 Linux, glibc or musl). Every call takes a call-state segment ({@link #newCallState}) that
 * receives {@code errno}; the caller owns it, so one per thread.
 *
 * <p>Needs {@code --enable-native-access=ALL-UNNAMED} at runtime (OSGi bundles are unnamed modules).
 */
public final class LibC {
    public static final int AF_PACKET = 17;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_ERROR = 4;
    public static final int SOL_PACKET = 263;

    public static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;
    public static final short POLLIN = 0x1, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int EFD_NONBLOCK = 0x800, EFD_CLOEXEC = 0x80000;

    public static final long SIOCGIFFLAGS = 0x8913, SIOCGIFMTU = 0x8921, SIOCGIFHWADDR = 0x8927;
    public static final int IFF_UP = 0x1, IFF_RUNNING = 0x40;
    public static final int ARPHRD_ETHER = 1;

    public static final int EPERM = 1, EINTR = 4, EAGAIN = 11, EACCES = 13, ENODEV = 19, EINVAL = 22,
            ENOPROTOOPT = 92, ENETDOWN = 100, ENOBUFS = 105, ENXIO = 6;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle SOCKET = errnoCall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = errnoCall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = errnoCall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = errnoCall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle MMAP = errnoCall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = errnoCall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle POLL = errnoCall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SENDTO = errnoCall("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    // the per-batch calls without errno capture: the JDK slices the capture segment on every call
    // (an allocation); on failure the caller repeats the call with the capturing handle to learn errno
    private static final MethodHandle POLL_FAST = LINKER.downcallHandle(symbol("poll"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SENDTO_FAST = LINKER.downcallHandle(symbol("sendto"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = errnoCall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle IOCTL = LINKER.downcallHandle(symbol("ioctl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IF_NAMETOINDEX = errnoCall("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle EVENTFD = errnoCall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle WRITE = errnoCall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle READ = errnoCall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle SYSCONF = LINKER.downcallHandle(symbol("sysconf"), FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(symbol("strerror"), FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final int SC_PAGESIZE = 30;

    private LibC() { }

    private static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    private static MethodHandle errnoCall(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(symbol(name), fd, CAPTURE_ERRNO);
    }

    /** A segment that receives errno of the calls made with it. */
    public static MemorySegment newCallState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    public static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    public static long pageSize() {
        try {
            long v = (long) SYSCONF.invokeExact(SC_PAGESIZE);
            return v > 0 ? v : 4096;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int socket(MemorySegment cs, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(cs, domain, type, protocol);
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

    public static int setsockopt(MemorySegment cs, int fd, int level, int name, MemorySegment value, int len) {
        try {
            return (int) SETSOCKOPT.invokeExact(cs, fd, level, name, value, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code len} is an in/out {@code socklen_t}. */
    public static int getsockopt(MemorySegment cs, int fd, int level, int name, MemorySegment value, MemorySegment len) {
        try {
            return (int) GETSOCKOPT.invokeExact(cs, fd, level, name, value, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Returns {@link MemorySegment#NULL}-based {@code MAP_FAILED} (address -1) on error. */
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

    public static int close(MemorySegment cs, int fd) {
        try {
            return (int) CLOSE.invokeExact(cs, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int ioctl(MemorySegment cs, int fd, long request, MemorySegment arg) {
        try {
            return (int) IOCTL.invokeExact(cs, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int ifNameToIndex(MemorySegment cs, MemorySegment name) {
        try {
            return (int) IF_NAMETOINDEX.invokeExact(cs, name);
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

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        throw new IllegalStateException(t);
    }
}
