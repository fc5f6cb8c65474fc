package org.flowgate.itests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The distribution's executable jar as a router between real veths: h1 -- r -- h2 in network
 * namespaces (prefix {@value #P}), Flowgate in r on AF_PACKET ports with r's kernel taken out of the
 * way. Asserts ping and a UDP stream from h1 reach h2 through it.
 */
class DistributionNetnsIT {
    private static final String P = "fge2e";
    private static final int UDP_COUNT = 200;

    private Path scripts;
    private Path work;
    private Process router;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Netns.isRoot(), "skipped: the end-to-end test needs root to create network namespaces (run as root, as CI does)");
        assumeTrue(Netns.has("ip") && Netns.has("ping") && Netns.has("python3"), "skipped: needs iproute2, ping and python3 on the PATH");
        scripts = Path.of(property("flowgate.netns.scripts"));
        work = Path.of(property("flowgate.itest.work"));
        Netns.script(scripts, "topo.sh", "down", P);
        check(Netns.script(scripts, "topo.sh", "up", P), "topo.sh up");
        check(Netns.script(scripts, "userspace-prep.sh", P), "userspace-prep.sh");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (router != null) {
            router.destroy();
            if (!router.waitFor(15, TimeUnit.SECONDS)) router.destroyForcibly().waitFor();
        }
        if (scripts != null) Netns.script(scripts, "topo.sh", "down", P);
    }

    @Test
    void pingAndUdpCrossTheRouterInNamespaceR() throws Exception {
        Path jar = Path.of(property("flowgate.distribution.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " missing: the distribution module builds it before the itests");
        writeConfiguration();
        startRouter(jar);

        // the router answers ARP and ICMP echo for its own address once both ports are attached
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Netns.in(P + "h1", 5, "ping", "-c", "1", "-W", "1", "10.0.1.1").ok()) {
            if (!router.isAlive()) fail("router exited with " + router.exitValue() + "\n" + routerLog());
            if (System.nanoTime() > deadline) fail("router never answered ping 10.0.1.1 from h1 within 60 s\n" + routerLog());
        }

        Netns.in(P + "h1", 10, "ping", "-c", "1", "-W", "3", "10.0.2.2"); // resolves 10.0.2.2 on the router
        Netns.Result ping = Netns.in(P + "h1", 30, "ping", "-c", "5", "-i", "0.2", "-W", "2", "10.0.2.2");
        assertTrue(ping.ok() && ping.output().contains("5 received"), "ping 10.0.2.2 from h1 through the router:\n" + ping.output() + routerLog());
        assertTrue(ping.output().contains("ttl=63"), "replies from h2 crossed one router hop (ttl 63):\n" + ping.output());

        Process receiver = new ProcessBuilder("ip", "netns", "exec", P + "h2", "python3", scripts.resolve("udp.py").toString(),
                "recv", "10.0.2.2", "9999", String.valueOf(UDP_COUNT), "20").redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("ready", out.readLine(), "UDP receiver in h2 did not start");
            Netns.Result sent = Netns.in(P + "h1", 30, "python3", scripts.resolve("udp.py").toString(), "send", "10.0.2.2", "9999", String.valueOf(UDP_COUNT));
            assertTrue(sent.ok(), "UDP sender in h1: " + sent.output());
            String result = out.readLine();
            Matcher m = Pattern.compile("received (\\d+) ttl (-?\\d+)").matcher(result == null ? "" : result);
            assertTrue(m.matches(), "UDP receiver said: " + result);
            int received = Integer.parseInt(m.group(1));
            // 500 datagrams/s over veths: all should arrive; allow a couple lost to scheduling
            assertTrue(received >= UDP_COUNT - 2, received + " of " + UDP_COUNT + " UDP datagrams reached h2\n" + routerLog());
            assertEquals(63, Integer.parseInt(m.group(2)), "TTL of the datagrams at h2 (64 minus one hop)");
        } finally {
            receiver.destroy();
            receiver.waitFor(5, TimeUnit.SECONDS);
        }
        assertTrue(router.isAlive(), "router still running\n" + routerLog());
    }

    /** etc/ for the router: AF_PACKET ports on r's veths, their addresses, the demo off. */
    private void writeConfiguration() throws IOException {
        if (Files.exists(work)) {
            try (Stream<Path> s = Files.walk(work)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
        Path etc = Files.createDirectories(work.resolve("etc"));
        Files.createDirectories(work.resolve("deploy"));
        for (String port : List.of("a", "b")) {
            String dev = P + "r" + port;
            String address = port.equals("a") ? "10.0.1.1/24" : "10.0.2.1/24";
            Files.writeString(etc.resolve("org.flowgate.io.afpacket-" + port + ".cfg"), "interface = " + dev + "\n");
            Files.writeString(etc.resolve("org.flowgate.interface-" + port + ".cfg"), "name = " + dev + "\naddresses = " + address + "\n");
        }
        Files.writeString(etc.resolve("org.flowgate.demo.cfg"), "enabled = false\n");
        // the second FileInstall watcher, as the distribution ships it
        Files.copy(Path.of(property("flowgate.distribution.jar")).getParent().resolveSibling("etc").resolve("org.apache.felix.fileinstall-deploy.cfg"),
                etc.resolve("org.apache.felix.fileinstall-deploy.cfg"));
    }

    private void startRouter(Path jar) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        router = new ProcessBuilder("ip", "netns", "exec", P + "r", java,
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Dgosh.args=--nointeractive", "-jar", jar.toString())
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("router.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
    }

    private String routerLog() {
        try {
            List<String> lines = Files.readAllLines(work.resolve("router.log"));
            return "--- router.log (last 80 lines) ---\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
        } catch (IOException e) {
            return "(no router.log: " + e.getMessage() + ")";
        }
    }

    private static String property(String name) {
        String v = System.getProperty(name);
        if (v == null) throw new IllegalStateException("system property " + name + " not set (run through failsafe)");
        return v;
    }

    private static void check(Netns.Result r, String what) {
        if (!r.ok()) throw new IllegalStateException(what + " failed (" + r.exit() + "):\n" + r.output());
    }
}
