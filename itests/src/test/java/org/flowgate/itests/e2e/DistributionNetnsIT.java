package org.flowgate.itests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.flowgate.testsupport.netns.Shell;
import org.flowgate.testsupport.netns.Topology;
import org.flowgate.testsupport.netns.Traffic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The distribution's executable jar as a router between real veths: h1 -- r -- h2 in network
 * namespaces (prefix {@value #P}, {@link Topology}), Flowgate in r on AF_PACKET ports, r's kernel
 * holding no address. Asserts ping and a UDP stream from h1 reach h2 through it.
 */
class DistributionNetnsIT {
    private static final String P = "fge2e";
    private static final int UDP_COUNT = 200;

    private Topology topo;
    private Path work;
    private Process router;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Topology.unavailable() == null, () -> "skipped: " + Topology.unavailable() + " (run as root, as CI does)");
        work = Path.of(property("flowgate.itest.work"));
        topo = Topology.builder(P).routerNamespace().create();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (router != null) {
            router.destroy();
            if (!router.waitFor(15, TimeUnit.SECONDS)) router.destroyForcibly().waitFor();
        }
        if (topo != null) topo.close();
    }

    @Test
    void pingAndUdpCrossTheRouterInNamespaceR() throws Exception {
        writeConfiguration();
        startRouter(Distribution.jar());

        // the router answers ARP and ICMP echo for its own address once both ports are attached
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (Shell.run(false, "ip", "netns", "exec", topo.h1(), "ping", "-c", "1", "-W", "1", topo.routerAddress(1)) != 0) {
            if (!router.isAlive()) fail("router exited with " + router.exitValue() + "\n" + routerLog());
            if (System.nanoTime() > deadline) fail("router never answered ping 10.0.1.1 from h1 within 60 s\n" + routerLog());
        }

        Topology.ping(topo.h1(), topo.h2Address(), 1); // resolves h2 on the router
        String ping = Shell.output("ip", "netns", "exec", topo.h1(), "ping", "-c", "5", "-i", "0.2", "-W", "2", topo.h2Address());
        assertTrue(ping.contains("5 received"), "ping " + topo.h2Address() + " from h1 through the router:\n" + ping + routerLog());
        assertTrue(ping.contains("ttl=63"), "replies from h2 crossed one router hop (ttl 63):\n" + ping);

        try (Traffic.Peer receiver = Traffic.udpCounter(topo.h2(), 9999, UDP_COUNT, 20)) {
            assertEquals(0, Traffic.udpStream(topo.h1(), topo.h2Address(), 9999, UDP_COUNT), "UDP sender in h1");
            String result = receiver.line();
            Matcher m = Pattern.compile("received (\\d+) ttl (-?\\d+)").matcher(result == null ? "" : result);
            assertTrue(m.matches(), "UDP receiver said: " + result);
            int received = Integer.parseInt(m.group(1));
            // 500 datagrams/s over veths: all should arrive; allow a couple lost to scheduling
            assertTrue(received >= UDP_COUNT - 2, received + " of " + UDP_COUNT + " UDP datagrams reached h2\n" + routerLog());
            assertEquals(63, Integer.parseInt(m.group(2)), "TTL of the datagrams at h2 (64 minus one hop)");
        }
        assertTrue(router.isAlive(), "router still running\n" + routerLog());
    }

    /** etc/ for the router: AF_PACKET ports on r's veths, their addresses, the demo off. */
    private void writeConfiguration() throws IOException {
        Distribution.delete(work);
        Path etc = Files.createDirectories(work.resolve("etc"));
        Files.createDirectories(work.resolve("deploy"));
        for (int side = 1; side <= 2; side++) {
            String dev = topo.routerLink(side);
            Files.writeString(etc.resolve("org.flowgate.io.afpacket-" + side + ".cfg"), "interface = " + dev + "\n");
            Files.writeString(etc.resolve("org.flowgate.interface-" + side + ".cfg"), "name = " + dev + "\naddresses = " + topo.routerPrefix(side) + "\n");
        }
        Files.writeString(etc.resolve("org.flowgate.demo.cfg"), "enabled = false\n");
        // the second FileInstall watcher, as the distribution ships it
        Files.copy(Distribution.jar().getParent().resolveSibling("etc").resolve("org.apache.felix.fileinstall-deploy.cfg"),
                etc.resolve("org.apache.felix.fileinstall-deploy.cfg"));
    }

    private void startRouter(Path jar) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        router = new ProcessBuilder("ip", "netns", "exec", topo.r(), java,
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
}
