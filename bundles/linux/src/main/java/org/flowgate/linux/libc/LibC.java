package org.flowgate.linux.libc;

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
 * libc as {@code java.lang.foreign} downcalls (x86_64 / aarch64 Linux, glibc or musl): the setup
 * every Linux bundle needs (symbol lookup, errno capture) and the calls they share. A bundle's own
 * calls are handles it makes once with {@link #errnoCall} (or {@link #call} where errno is not
 * wanted) and invokes with {@code invokeExact}, rethrowing through {@link #rethrow}.
 *
 * <p>Every errno-capturing call takes a call-state segment ({@link #newCallState}) that receives
 * {@code errno}; the caller owns it, so one per thread. Needs {@code --enable-native-access} for the
 * calling bundle (OSGi bundles are unnamed modules: {@code ALL-UNNAMED}).
 */
public final class LibC {
    public static final int EPERM = 1, ENOENT = 2, EINTR = 4, ENXIO = 6, E2BIG = 7, EBADF = 9, EAGAIN = 11,
            ENOMEM = 12, EACCES = 13, EEXIST = 17, ENODEV = 19, EINVAL = 22, ENOSPC = 28, ENOPROTOOPT = 92,
            ENETDOWN = 100, ENOBUFS = 105;
    public static final int AF_PACKET = 17;
    public static final int SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1, SO_ERROR = 4;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle SOCKET = errnoCall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = errnoCall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle IOCTL = errnoCall("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle SETSOCKOPT = errnoCall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = errnoCall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle IF_NAMETOINDEX = errnoCall("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle STRERROR = call("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private LibC() { }

    /** The address of libc function {@code name}; {@link UnsatisfiedLinkError} when libc has none. */
    public static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    /** A handle on {@code name} whose first parameter is the call-state segment receiving errno. */
    public static MethodHandle errnoCall(String name, FunctionDescriptor fd, Linker.Option... more) {
        Linker.Option[] options = new Linker.Option[more.length + 1];
        options[0] = CAPTURE_ERRNO;
        System.arraycopy(more, 0, options, 1, more.length);
        return LINKER.downcallHandle(symbol(name), fd, options);
    }

    /**
     * A handle on {@code name} without errno: for per-packet calls, where the JDK would slice the
     * capture segment on every call (an allocation); on failure repeat the call with an
     * {@link #errnoCall} handle to learn errno.
     */
    public static MethodHandle call(String name, FunctionDescriptor fd, Linker.Option... options) {
        return LINKER.downcallHandle(symbol(name), fd, options);
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
            return ((MemorySegment) STRERROR.invokeExact(errno)).reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    /** {@code <what>: <strerror> (errno <n>)}, the message of a failed call. */
    public static String describe(String what, int errno) {
        return what + ": " + strerror(errno) + " (errno " + errno + ")";
    }

    public static int socket(MemorySegment cs, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(cs, domain, type, protocol);
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

    /** {@code if_nametoindex} of a NUL-terminated name: the index, 0 (errno set) when absent. */
    public static int ifNameToIndex(MemorySegment cs, MemorySegment name) {
        try {
            return (int) IF_NAMETOINDEX.invokeExact(cs, name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The interface index of {@code name} in the calling thread's network namespace, 0 when absent. */
    public static int ifIndex(String name) {
        try (Arena a = Arena.ofConfined()) {
            return ifNameToIndex(newCallState(a), a.allocateFrom(name));
        }
    }

    /** Rethrows what {@code invokeExact} threw: unchecked as is, anything else wrapped. */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        throw new IllegalStateException(t);
    }
}
