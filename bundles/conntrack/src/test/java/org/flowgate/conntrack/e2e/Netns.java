package org.flowgate.conntrack.e2e;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/** Namespace helpers for the root test: {@code ip} commands and running code inside a namespace. */
final class Netns {
    private Netns() {}

    private static final int CLONE_NEWNET = 0x40000000, O_RDONLY = 0;

    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0");
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    static boolean has(String... cmd) {
        try {
            return run(false, cmd) == 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    static int run(boolean check, String... cmd) {
        try {
            Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + ": timed out");
            }
            if (check && p.exitValue() != 0) throw new IllegalStateException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + out);
            return p.exitValue();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs {@code task} on a fresh thread that first enters the named network namespace
     * ({@code setns(2)}): sockets it opens belong to that namespace for their whole life.
     */
    static <T> T inNamespace(String ns, Callable<T> task) throws Exception {
        FutureTask<T> f = new FutureTask<>(() -> {
            enter(ns);
            return task.call();
        });
        Thread t = Thread.ofPlatform().name("netns-" + ns).unstarted(f);
        t.start();
        return f.get(30, TimeUnit.SECONDS);
    }

    private static void enter(String ns) throws Exception {
        try {
            setns(ns);
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void setns(String ns) throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle open = linker.downcallHandle(linker.defaultLookup().find("open").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
        MethodHandle setns = linker.downcallHandle(linker.defaultLookup().find("setns").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        MethodHandle close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        try (Arena a = Arena.ofConfined()) {
            int fd = (int) open.invokeExact(a.allocateFrom("/var/run/netns/" + ns), O_RDONLY, 0);
            if (fd < 0) throw new IOException("cannot open namespace " + ns);
            try {
                if ((int) setns.invokeExact(fd, CLONE_NEWNET) != 0) throw new IOException("setns " + ns + " failed");
            } finally {
                int ignored = (int) close.invokeExact(fd);
            }
        }
    }
}
