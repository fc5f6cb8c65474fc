package org.flowgate.itests.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs commands, in network namespaces or not, and reports what they printed. */
final class Netns {
    private Netns() {}

    record Result(int exit, String output) {
        boolean ok() { return exit == 0; }
    }

    static Result run(long timeoutSeconds, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        byte[] out;
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return new Result(-1, String.join(" ", command) + ": timed out after " + timeoutSeconds + " s\n" + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        out = p.getInputStream().readAllBytes();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** {@code ip netns exec NS command...} */
    static Result in(String ns, long timeoutSeconds, String... command) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        c.addAll(List.of(command));
        return run(timeoutSeconds, c.toArray(String[]::new));
    }

    static Result script(Path dir, String name, String... args) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(List.of("bash", dir.resolve(name).toString()));
        c.addAll(List.of(args));
        return run(60, c.toArray(String[]::new));
    }

    static boolean isRoot() {
        try {
            Result r = run(10, "id", "-u");
            return r.ok() && r.output().trim().equals("0");
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static boolean has(String tool) {
        try {
            return run(10, "sh", "-c", "command -v " + tool).ok();
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
