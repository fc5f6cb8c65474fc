package org.flowgate.driver.ebpf.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.driver.ebpf.EbpfDrivers;
import org.flowgate.flowtable.command.FlowCommands;
import org.flowgate.offload.OffloadDriver;
import org.flowgate.offload.manager.command.OffloadCommands;
import org.flowgate.offload.manager.core.OffloadManager;
import org.flowgate.testsupport.netns.Await;
import org.flowgate.testsupport.netns.Shell;
import org.flowgate.testsupport.netns.Topology;
import org.flowgate.testsupport.netns.Traffic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole chain: h1 (netns) -- veth -- [Flowgate: AF_PACKET ports, packet path, conntrack, nft
 * with masquerade and a flowtable with {@code flags offload}, the offload manager, this driver] --
 * veth -- h2 (netns). Real kernel sockets at both ends: a TCP transfer and a UDP echo stream. Once
 * the flows are in hardware state, the kernel forwards them: the map's counters grow while Java's
 * fast path sees nothing. Then the driver leaves under traffic and Java takes the flows back with
 * nothing lost. tcpdump at h2 records the whole run and tshark verifies the IPv4, TCP and UDP
 * checksums of every packet h2 received (the kernel's incremental rewrites included). The router is
 * {@link JavaRouter}, the world netns-support's topology with the router side in the test's
 * namespace. Needs root, python3, ethtool, tcpdump, tshark; prefix {@code fgbe}, removed even on failure.
 */
class RouterOffloadEndToEndTest {
    Topology topo;
    JavaRouter router;
    OffloadDriver driver;
    FlowTable ft;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Topology.unavailable() == null, () -> "skipped: " + Topology.unavailable());
        assumeTrue(Shell.hasCommand("bpftool", "version") && Shell.hasCommand("tc", "-V"), "skipped: bpftool or tc missing");
        assumeTrue(Shell.hasCommand("tcpdump", "--version") && Shell.hasCommand("tshark", "-v"), "skipped: tcpdump or tshark missing");
        topo = Topology.builder("fgbe").v4("10.73.1.0/24", "10.73.2.0/24").create();
        try {
            String l1 = topo.routerLink(1), l2 = topo.routerLink(2);
            router = new JavaRouter(l1, topo.routerPrefix(1), l2, topo.routerPrefix(2));
            ft = router.flowTable();
            driver = EbpfDrivers.start(List.of(l1, l2), 1024); // after the ports: their sockets get the filter
            router.addDriver(driver);
        } catch (Exception | Error e) {
            tearDown();
            throw e;
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (driver != null) {
                if (router != null) router.removeDriver(driver);
                EbpfDrivers.stop(driver);
                driver = null;
            }
            if (router != null) router.close();
            router = null;
        } finally {
            if (topo != null) topo.close();
        }
    }

    String diagnostics() {
        return new FlowCommands(router.flows).list() + new FlowCommands(router.flows).stats() + new OffloadCommands(router.offload).stats()
                + new OffloadCommands(router.offload).flows();
    }

    long hwPackets() {
        long n = 0;
        for (OffloadManager.FlowInfo f : router.offload.flows()) n += f.hwPackets();
        return n;
    }

    long hwFlows() {
        return router.flowsInHardware("ebpf");
    }

    @Test
    void kernelForwardsOffloadedFlowsThenJavaTakesThemBack() throws Exception {
        Path pcap = Files.createTempFile("fgbe-h2", ".pcap");
        Process capture = new ProcessBuilder("ip", "netns", "exec", topo.h2(), "tcpdump", "-i", Topology.HOST_LINK, "-U", "-s", "0", "-w", pcap.toString(),
                "ip and (tcp or udp)").redirectErrorStream(true).start();
        try {
            BufferedReader said = new BufferedReader(new InputStreamReader(capture.getInputStream(), StandardCharsets.UTF_8));
            String line = said.readLine(); // "listening on eth0, ...": attached before the first packet
            assertTrue(line != null && line.contains("listening on"), "tcpdump at h2: " + line);
            Thread.ofVirtual().start(() -> said.lines().forEach(l -> { })); // keep its stderr drained
            kernelForwardsThenJavaTakesBack();
        } finally {
            capture.destroy(); // SIGTERM: tcpdump flushes and closes the file
            capture.waitFor(10, TimeUnit.SECONDS);
        }
        try {
            assertChecksumsCorrectAtH2(pcap);
        } finally {
            Files.deleteIfExists(pcap);
        }
    }

    /**
     * tshark with checksum validation on: every packet h2 received (from the masqueraded address)
     * has correct IPv4, TCP and UDP checksums, over enough packets to cover the offloaded phase.
     */
    void assertChecksumsCorrectAtH2(Path pcap) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("tshark", "-n", "-r", pcap.toString(), "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
                "-o", "udp.check_checksum:TRUE", "-Y", "ip.dst == " + topo.h2Address(), "-T", "fields", "-E", "separator=,",
                "-e", "ip.src", "-e", "ip.checksum.status", "-e", "tcp.checksum.status", "-e", "udp.checksum.status")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "tshark read the capture");
        int tcp = 0, udp = 0;
        List<String> bad = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(",", -1);
            assertEquals(4, f.length, "tshark line: " + line);
            assertEquals(topo.routerAddress(2), f[0], "h2 only hears the masqueraded address");
            // 1 = good; 0 = bad, 2 = unverified (a truncated or partial checksum would end up there). The
            // counts are lower bounds: tcpdump may lose a few packets on a loaded machine
            if (!f[1].equals("1") || !(f[2].equals("1") || f[3].equals("1"))) bad.add(line);
            if (f[2].equals("1")) tcp++;
            if (f[3].equals("1")) udp++;
        }
        assertTrue(bad.isEmpty(), bad.size() + " packets with bad or unverified checksums at h2, e.g. " + bad.subList(0, Math.min(5, bad.size())));
        assertTrue(tcp > 500 && udp >= 40, "tshark verified " + tcp + " TCP and " + udp + " UDP packets at h2");
    }

    void kernelForwardsThenJavaTakesBack() throws Exception {
        try (Traffic.Peer sink = Traffic.tcpSink(topo.h2(), 7001, 0); Traffic.Peer echo = Traffic.udpEcho(topo.h2(), 7002);
                Traffic.Peer client = Traffic.tcpAndUdp(topo.h1(), topo.h2Address(), 7001, 7002, 80, 20_000, 100)) {
            assertTrue(Await.until(() -> hwFlows() == 2, 5000), "both connections in the kernel: " + diagnostics());
            Thread.sleep(300); // the last software-forwarded packets of the transition
            long javaHits = ft.stats().hits(), hw = hwPackets();
            Thread.sleep(1500);
            assertEquals(javaHits, ft.stats().hits(), "Java's fast path sees nothing of offloaded flows: " + diagnostics());
            assertTrue(hwPackets() > hw + 20, "the kernel forwards them (map counters): " + diagnostics());

            router.removeDriver(driver); // under traffic: the flows go back to software
            EbpfDrivers.stop(driver);
            driver = null;
            long back = ft.stats().hits();
            assertTrue(Await.until(() -> ft.stats().hits() > back + 20, 3000), "Java forwards them again: " + diagnostics());

            assertEquals(0, client.await(30), "client done");
            assertEquals("udp 80", client.line(), "every UDP echo came back: " + diagnostics());
            assertEquals(topo.routerAddress(2) + " 1600000", sink.line(), "h2 got every byte from the masqueraded address: " + diagnostics());
        }
    }
}
