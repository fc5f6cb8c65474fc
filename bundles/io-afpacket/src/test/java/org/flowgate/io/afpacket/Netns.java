package org.flowgate.io.afpacket;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Shell helpers for the root tests: {@code ip} commands and sysfs reads. */
final class Netns {
    private Netns() { }

    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0"); // effective uid
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    static boolean hasIp() {
        try {
            return run(false, "ip", "-V") == 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Runs a command; with {@code check}, fails on a non-zero exit. Returns the exit code. */
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

    static String sys(String ifname, String attr) throws IOException {
        return Files.readString(Path.of("/sys/class/net", ifname, attr)).trim();
    }

    static void writeProc(String path, String value) {
        try {
            Files.writeString(Path.of(path), value);
        } catch (IOException e) {
            // optional knob (e.g. IPv6 disabled in the kernel)
        }
    }
}
