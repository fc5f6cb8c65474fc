package org.flowgate.driver.ebpf.bpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.flowgate.linux.libc.LibC.errnoCall;
import static org.flowgate.linux.libc.LibC.newCallState;
import static org.flowgate.linux.libc.LibC.rethrow;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The libc calls only the driver makes: {@code bpf(2)} through {@code syscall(2)} (glibc has no
 * wrapper), {@code getsockname} for finding the AF_PACKET sockets to attach socket filters to, and
 * the monotonic clock the BPF program stamps entries with. The setup, errno and the shared calls
 * (close, setsockopt, if_nametoindex) are {@link org.flowgate.linux.libc.LibC}'s. Not on any packet
 * path: each call takes a confined arena from its caller. Linux x86_64 / aarch64.
 */
public final class Sys {
    public static final int SO_ATTACH_BPF = 50, SO_DETACH_BPF = 27;
    private static final int CLOCK_MONOTONIC = 1;
    private static final long SYS_BPF = switch (System.getProperty("os.arch")) {
        case "aarch64" -> 280;
        default -> 321; // x86_64
    };

    private static final MethodHandle SYSCALL = errnoCall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle GETSOCKNAME = errnoCall("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle CLOCK_GETTIME = errnoCall("clock_gettime", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));

    private Sys() { }

    /** {@code bpf(cmd, attr, size)}; returns the syscall's result, -1 with errno in {@code cs} on failure. */
    public static long bpf(MemorySegment cs, int cmd, MemorySegment attr) {
        try {
            return (long) SYSCALL.invokeExact(cs, SYS_BPF, cmd, attr, (int) attr.byteSize());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code len} is an in/out {@code socklen_t}. */
    public static int getsockname(MemorySegment cs, int fd, MemorySegment addr, MemorySegment len) {
        try {
            return (int) GETSOCKNAME.invokeExact(cs, fd, addr, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** CLOCK_MONOTONIC in nanoseconds, the clock of {@code bpf_ktime_get_ns()}. */
    public static long monotonicNanos() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ts = a.allocate(16, 8);
            int rc = (int) CLOCK_GETTIME.invokeExact(newCallState(a), CLOCK_MONOTONIC, ts);
            if (rc != 0) throw new IllegalStateException("clock_gettime failed");
            return ts.get(JAVA_LONG, 0) * 1_000_000_000L + ts.get(JAVA_LONG, 8);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
