package org.flowgate.io.afpacket;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.flowgate.testsupport.netns.Shell;

/** Shell helpers for the root tests: {@code ip} commands and sysfs reads. */
final class Netns {
    private Netns() { }

    static boolean isRoot() { return Shell.isRoot(); }

    static boolean hasIp() {
        try {
            return run(false, "ip", "-V") == 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Runs a command; with {@code check}, fails on a non-zero exit. Returns the exit code. */
    static int run(boolean check, String... cmd) { return Shell.run(check, cmd); }

    static String sys(String ifname, String attr) throws IOException {
        return Files.readString(Path.of("/sys/class/net", ifname, attr)).trim();
    }

    static void writeProc(String path, String value) { Shell.writeProc(path, value); }
}
