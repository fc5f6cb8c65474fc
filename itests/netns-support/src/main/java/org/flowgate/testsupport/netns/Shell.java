package org.flowgate.testsupport.netns;

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
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What every namespace test needs from the host: are we root, run a command, write a sysctl, run
 * Java code inside a namespace. Entering a namespace calls {@code setns(2)} through
 * {@code java.lang.foreign}: tests run with {@code --enable-native-access=ALL-UNNAMED}.
 */
public final class Shell {
    private Shell() {}

    private static final int CLONE_NEWNET = 0x40000000, O_RDONLY = 0, O_CLOEXEC = 0x80000;

    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0");
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** Writes a /proc or /sys value; a missing one (IPv6 disabled in the kernel) is ignored. */
    public static void writeProc(String path, String value) {
        try {
            Files.writeString(Path.of(path), value);
        } catch (IOException e) {
            // IPv6 may be disabled in the kernel
        }
    }

    /** Runs a command and returns what it printed (stdout and stderr). */
    public static String output(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    /** Runs a command that must succeed (30 s at most) and returns what it printed; otherwise throws with its output. */
    public static String read(String... cmd) {
        StringBuilder out = new StringBuilder();
        exec(true, out, cmd);
        return out.toString();
    }

    /** Whether a command can be run at all (found, and it ended within 30 s), e.g. {@code hasCommand("tc", "-V")}. */
    public static boolean hasCommand(String... cmd) {
        try {
            run(false, cmd);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Runs a command (30 s at most); with {@code check}, a non-zero exit throws with its output. */
    public static int run(boolean check, String... cmd) {
        return exec(check, new StringBuilder(), cmd);
    }

    private static int exec(boolean check, StringBuilder output, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + ": timed out");
            }
            if (check && p.exitValue() != 0) throw new IllegalStateException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + out);
            output.append(out);
            return p.exitValue();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs {@code task} on a fresh thread that first enters network namespace {@code ns}
     * ({@code setns(2)}): sockets it opens belong to that namespace for their whole life.
     */
    public static <T> T inNamespace(String ns, Callable<T> task) throws Exception {
        FutureTask<T> f = start(ns, task);
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw rethrow(e);
        }
    }

    /** {@link #inNamespace(String, Callable)} that gives up after {@code timeoutSeconds}. */
    public static <T> T inNamespace(String ns, Callable<T> task, long timeoutSeconds) throws Exception {
        FutureTask<T> f = start(ns, task);
        try {
            return f.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw rethrow(e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("task in namespace " + ns + " still running after " + timeoutSeconds + " s", e);
        }
    }

    private static <T> FutureTask<T> start(String ns, Callable<T> task) {
        FutureTask<T> f = new FutureTask<>(() -> {
            enter(ns);
            return task.call();
        });
        Thread.ofPlatform().name("in-" + ns).start(f);
        return f;
    }

    private static Exception rethrow(ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof Error err) throw err;
        return c instanceof Exception ex ? ex : e;
    }

    private static void enter(String ns) throws Exception {
        Linker linker = Linker.nativeLinker();
        MethodHandle open = linker.downcallHandle(linker.defaultLookup().find("open").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
        MethodHandle setns = linker.downcallHandle(linker.defaultLookup().find("setns").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        MethodHandle close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        try (Arena a = Arena.ofConfined()) {
            int fd = (int) open.invokeExact(a.allocateFrom("/run/netns/" + ns), O_RDONLY | O_CLOEXEC, 0);
            if (fd < 0) throw new IOException("cannot open namespace " + ns);
            try {
                if ((int) setns.invokeExact(fd, CLONE_NEWNET) != 0) throw new IOException("setns " + ns + " failed");
            } finally {
                int ignored = (int) close.invokeExact(fd);
            }
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
