package org.flowgate.driver.ebpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.flowgate.testsupport.netns.Shell;

/**
 * The test world: h1 -- r -- h2 in namespaces (a copy of netlab's topo.sh with IPv6 added), shell
 * helpers, and running Java code inside a namespace: a fresh thread {@code setns(2)}s into it, so
 * sockets it opens and processes it starts live there.
 */
final class Netns {
    private Netns() { }

    static boolean isRoot() { return Shell.isRoot(); }

    /** Whether a command can be run at all (found and exits). */
    static boolean hasCommand(String... cmd) {
        try {
            run(false, cmd);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** h1 (10.0.1.2, fd00:1::2) -- (10.0.1.1, fd00:1::1) r (10.0.2.1, fd00:2::1) -- h2 (10.0.2.2, fd00:2::2) */
    static void up(String p) {
        down(p);
        for (String n : new String[] {"h1", "r", "h2"}) {
            run(true, "ip", "netns", "add", p + n);
            run(true, "ip", "-n", p + n, "link", "set", "lo", "up");
        }
        run(true, "ip", "link", "add", p + "a", "type", "veth", "peer", "name", p + "ra");
        run(true, "ip", "link", "add", p + "b", "type", "veth", "peer", "name", p + "rb");
        run(true, "ip", "link", "set", p + "a", "netns", p + "h1");
        run(true, "ip", "link", "set", p + "ra", "netns", p + "r");
        run(true, "ip", "link", "set", p + "b", "netns", p + "h2");
        run(true, "ip", "link", "set", p + "rb", "netns", p + "r");
        host(p + "h1", p + "a", "10.0.1.2/24", "10.0.1.1", "fd00:1::2/64", "fd00:1::1");
        host(p + "h2", p + "b", "10.0.2.2/24", "10.0.2.1", "fd00:2::2/64", "fd00:2::1");
        String r = p + "r";
        run(true, "ip", "-n", r, "addr", "add", "10.0.1.1/24", "dev", p + "ra");
        run(true, "ip", "-n", r, "addr", "add", "10.0.2.1/24", "dev", p + "rb");
        run(true, "ip", "-n", r, "addr", "add", "fd00:1::1/64", "dev", p + "ra", "nodad");
        run(true, "ip", "-n", r, "addr", "add", "fd00:2::1/64", "dev", p + "rb", "nodad");
        run(true, "ip", "-n", r, "link", "set", p + "ra", "up");
        run(true, "ip", "-n", r, "link", "set", p + "rb", "up");
    }

    private static void host(String ns, String dev, String v4, String gw4, String v6, String gw6) {
        run(true, "ip", "-n", ns, "addr", "add", v4, "dev", dev);
        run(true, "ip", "-n", ns, "addr", "add", v6, "dev", dev, "nodad");
        run(true, "ip", "-n", ns, "link", "set", dev, "up");
        run(true, "ip", "-n", ns, "route", "add", "default", "via", gw4);
        run(true, "ip", "-n", ns, "-6", "route", "add", "default", "via", gw6);
    }

    static void down(String p) {
        for (String n : new String[] {"h1", "r", "h2"}) run(false, "ip", "netns", "del", p + n);
    }

    /** The MAC of a device in a namespace, as 48 bits. */
    static long mac(String ns, String dev) {
        String out = output("ip", "-n", ns, "-br", "link", "show", "dev", dev);
        String[] f = out.trim().split("\\s+");
        return Long.parseLong(f[2].replace(":", ""), 16);
    }

    static int run(boolean check, String... cmd) { return Shell.run(check, cmd); }

    static String output(String... cmd) {
        try {
            Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code task} on a new thread inside network namespace {@code ns} and returns its result. */
    static <T> T in(String ns, Callable<T> task) throws Exception { return Shell.inNamespace(ns, task); }
}
