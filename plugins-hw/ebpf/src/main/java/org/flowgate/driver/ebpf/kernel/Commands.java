package org.flowgate.driver.ebpf.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code tc} and {@code bpftool}. The child inherits the calling thread's network namespace
 * and the process's mount namespace, so it sees the same interfaces and bpffs pins as the driver.
 */
final class Commands {
    private static final long TIMEOUT_SECONDS = 30;

    private Commands() { }

    /** The result of a finished command. */
    record Result(int exit, String output) {
        boolean ok() { return exit == 0; }
    }

    /** {@code name} as given when it has a slash, else the first of /usr/sbin, /sbin, /usr/bin, /bin holding it. */
    static String resolve(String name) {
        if (name.indexOf('/') >= 0) return name;
        for (String dir : new String[] {"/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/local/bin"}) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) return p.toString();
        }
        return name;
    }

    static Result run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": timed out");
            }
            return new Result(p.exitValue(), out);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", cmd) + ": interrupted", e);
        }
    }

    /** Runs and fails with the command's own message on a non-zero exit. */
    static String check(List<String> cmd) throws IOException {
        Result r = run(cmd);
        if (!r.ok()) throw new IOException(String.join(" ", cmd) + " (exit " + r.exit() + "): " + r.output());
        return r.output();
    }
}
