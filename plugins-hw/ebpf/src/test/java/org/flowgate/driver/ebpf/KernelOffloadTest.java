package org.flowgate.driver.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.driver.ebpf.kernel.KernelDatapath;
import org.flowgate.offload.FlowBlock;
import org.flowgate.offload.FlowRule;
import org.flowgate.offload.FlowStats;
import org.flowgate.offload.OffloadException;
import org.flowgate.testsupport.netns.Shell;
import org.flowgate.testsupport.netns.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The driver against the real kernel: h1 -- r -- h2 in namespaces (prefix {@code fgbpf}), the
 * program on r's ports, r's own IP forwarding off so only the offload can carry a packet across.
 * Hosts send hand-built frames with full checksums through AF_PACKET; h2 and h1 capture what
 * arrives; a packet socket on r's port stands for the router's AF_PACKET port.
 */
class KernelOffloadTest {
    private static final String P = "fgbpf";
    private static final String H1 = P + "h1", R = P + "r", H2 = P + "h2";
    private static final String RA = P + "ra", RB = P + "rb";
    private static final IpAddress H1_4 = IpAddress.parse("10.0.1.2"), H2_4 = IpAddress.parse("10.0.2.2"), RB_4 = IpAddress.parse("10.0.2.1");
    private static final IpAddress H1_6 = IpAddress.parse("fd00:1::2"), H2_6 = IpAddress.parse("fd00:2::2"), RB_6 = IpAddress.parse("fd00:2::1");
    private static final FlowTableSpec TABLE = new FlowTableSpec("inet", "filter", "ft", 0, Set.of(RA, RB), true, true);

    private static long h1Mac, raMac, rbMac, h2Mac;
    private static Topology topo;

    private EbpfOffloadDriver driver;
    private RawSocket h1, h2, routerPort;

    @BeforeAll
    static void world() {
        Lab.assumeKernel();
        topo = Lab.up(P);
        Shell.run(true, "ip", "netns", "exec", R, "sysctl", "-qw", "net.ipv4.ip_forward=0");
        Shell.run(true, "ip", "netns", "exec", R, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=0");
        h1Mac = Topology.mac(H1, P + "a");
        h2Mac = Topology.mac(H2, P + "b");
        raMac = Topology.mac(R, RA);
        rbMac = Topology.mac(R, RB);
    }

    @AfterAll
    static void teardown() {
        if (topo != null) topo.close();
    }

    @BeforeEach
    void open() throws Exception {
        h1 = Shell.inNamespace(H1, () -> open(P + "a"));
        h2 = Shell.inNamespace(H2, () -> open(P + "b"));
        routerPort = Shell.inNamespace(R, () -> open(RA)); // before the driver starts: it must find it
    }

    @AfterEach
    void close() throws Throwable {
        if (driver != null) stopDriver();
        for (RawSocket s : new RawSocket[] {h1, h2, routerPort}) if (s != null) s.close();
    }

    @Test
    void udpV4MasqueradedBothWaysNeverReachesTheRouterPort() throws Throwable {
        startDriver(1024);
        assertEquals(Set.of(RA, RB), driver.devices());
        assertTrue(driver.canOffload(RA) && driver.canOffload(RB));
        assertFalse(driver.canOffload("eth0"));
        assertNull(driver.bind(new FlowTableSpec("inet", "x", "other", 0, Set.of("eth0"), true, false)), "not our devices");
        FlowBlock block = driver.bind(TABLE);
        assertNotNull(block);

        FlowRule original = rule(1, RA, tuple(H1_4, 5555, H2_4, 9), tuple(RB_4, 40000, H2_4, 9), rbMac, h2Mac, RB, 1500);
        FlowRule reply = rule(2, RB, tuple(H2_4, 9, RB_4, 40000), tuple(H2_4, 9, H1_4, 5555), raMac, h1Mac, RA, 1500);
        long before = System.currentTimeMillis();
        block.add(original);
        block.add(reply);
        assertEquals(2, driver.flows().size());
        drainAll();

        byte[] frame = Frames.udp(raMac, h1Mac, H1_4, 5555, H2_4, 9, 64, payload(18));
        for (int i = 0; i < 5; i++) h1.send(frame);
        List<byte[]> atH2 = udp(h2.drain(500), 9);
        assertEquals(5, atH2.size(), "offloaded datagrams at h2");
        for (byte[] f : atH2) {
            assertEquals(RB_4, Frames.src(f), "masqueraded source");
            assertEquals(40000, Frames.sport(f));
            assertEquals(H2_4, Frames.dst(f));
            assertEquals(63, Frames.ttl(f), "TTL decremented");
            assertEquals(rbMac, Frames.srcMac(f));
            assertEquals(h2Mac, Frames.dstMac(f));
            assertTrue(Frames.ipv4HeaderChecksumOk(f), "IPv4 header checksum");
            assertTrue(Frames.l4ChecksumOk(f), "UDP checksum");
        }
        assertEquals(0, udp(routerPort.drain(100), 9).size(), "the router's AF_PACKET port must not see offloaded frames");
        FlowStats s = block.stats(original);
        assertEquals(5, s.packets());
        assertEquals(5L * frame.length, s.bytes());
        assertTrue(s.lastUsedMillis() >= before - 1000 && s.lastUsedMillis() <= System.currentTimeMillis() + 1000, "last used " + s);

        byte[] back = Frames.udp(rbMac, h2Mac, H2_4, 9, RB_4, 40000, 64, payload(30));
        for (int i = 0; i < 3; i++) h2.send(back);
        List<byte[]> atH1 = udp(h1.drain(500), 5555);
        assertEquals(3, atH1.size(), "replies de-masqueraded at h1");
        for (byte[] f : atH1) {
            assertEquals(H2_4, Frames.src(f));
            assertEquals(9, Frames.sport(f));
            assertEquals(H1_4, Frames.dst(f));
            assertEquals(raMac, Frames.srcMac(f));
            assertTrue(Frames.ipv4HeaderChecksumOk(f) && Frames.l4ChecksumOk(f), "checksums of the reply");
        }
        assertEquals(3, block.stats(reply).packets());
        assertEquals(5, block.stats(original).packets(), "counters are per direction");

        // what the fast path must hand to software: a miss, TTL 1, larger than the MTU
        h1.send(Frames.udp(raMac, h1Mac, H1_4, 6666, H2_4, 9, 64, payload(18)));
        h1.send(Frames.udp(raMac, h1Mac, H1_4, 5555, H2_4, 9, 1, payload(18)));
        FlowRule small = rule(3, RA, tuple(H1_4, 7777, H2_4, 9), tuple(RB_4, 40001, H2_4, 9), rbMac, h2Mac, RB, 100);
        block.add(small);
        h1.send(Frames.udp(raMac, h1Mac, H1_4, 7777, H2_4, 9, 64, payload(200)));
        assertEquals(0, udp(h2.drain(200), 9).size(), "nothing of those crosses r (its forwarding is off)");
        assertEquals(3, udp(routerPort.drain(100), 9).size(), "the miss, the TTL 1 and the too-big packet reach the router port");
        assertEquals(5, block.stats(original).packets());
        assertEquals(0, block.stats(small).packets());

        block.del(original);
        assertNull(block.stats(original));
        h1.send(frame);
        assertEquals(0, udp(h2.drain(200), 9).size(), "deleted: no longer forwarded in the kernel");
        assertEquals(1, udp(routerPort.drain(100), 9).size(), "deleted: back to the router");

        block.unbind();
        assertEquals(0, driver.flows().size());
        h2.send(back);
        assertEquals(0, udp(h1.drain(200), 5555).size(), "unbind removed the reply direction");
    }

    @Test
    void udpV6MasqueradedWithHopLimitAndChecksums() throws Throwable {
        startDriver(1024);
        FlowBlock block = driver.bind(TABLE);
        FlowRule original = rule(11, RA, tuple(H1_6, 5555, H2_6, 9), tuple(RB_6, 40000, H2_6, 9), rbMac, h2Mac, RB, 1500);
        block.add(original);
        drainAll();
        byte[] frame = Frames.udp(raMac, h1Mac, H1_6, 5555, H2_6, 9, 64, payload(33));
        for (int i = 0; i < 4; i++) h1.send(frame);
        List<byte[]> atH2 = udp(h2.drain(500), 9);
        assertEquals(4, atH2.size());
        for (byte[] f : atH2) {
            assertEquals(RB_6, Frames.src(f));
            assertEquals(40000, Frames.sport(f));
            assertEquals(63, Frames.ttl(f), "hop limit decremented");
            assertTrue(Frames.l4ChecksumOk(f), "UDP/IPv6 checksum");
        }
        assertEquals(0, udp(routerPort.drain(100), 9).size());
        assertEquals(4, block.stats(original).packets());
        assertEquals(4L * frame.length, block.stats(original).bytes());
    }

    /**
     * A datagram from h1's kernel socket leaves with checksum offload (CHECKSUM_PARTIAL: the
     * field holds only the pseudo header sum). With r's egress port's TX checksumming off, the
     * kernel completes the checksum on the way out from the field as the program left it: right
     * only if the program updated a partial checksum as one (pseudo header only, not the ports).
     */
    @Test
    void kernelSentDatagramWithChecksumOffloadLeavesWithARightChecksum() throws Throwable {
        assumeTrue(Shell.hasCommand("python3", "-c", "pass") && Shell.hasCommand("ethtool", "--version"), "skipped: python3 or ethtool missing");
        startDriver(16);
        FlowBlock block = driver.bind(TABLE);
        block.add(rule(61, RA, tuple(H1_4, 5601, H2_4, 9), tuple(RB_4, 40061, H2_4, 9), rbMac, h2Mac, RB, 1500));
        Shell.run(true, "ip", "netns", "exec", R, "ethtool", "-K", RB, "tx", "off");
        try {
            drainAll();
            Shell.run(true, "ip", "netns", "exec", H1, "python3", "-c", """
                    import socket
                    s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(('10.0.1.2',5601))
                    for i in range(3): s.sendto(b'checksum offload %d' % i,('10.0.2.2',9))
                    """);
            List<byte[]> atH2 = udp(h2.drain(500), 9);
            assertEquals(3, atH2.size(), "offloaded datagrams at h2");
            for (byte[] f : atH2) {
                assertEquals(RB_4, Frames.src(f));
                assertEquals(40061, Frames.sport(f));
                assertTrue(Frames.ipv4HeaderChecksumOk(f), "IPv4 header checksum");
                assertTrue(Frames.l4ChecksumOk(f), "UDP checksum completed from the rewritten partial checksum");
            }
            assertEquals(3, block.stats(rule(61, RA, tuple(H1_4, 5601, H2_4, 9), tuple(RB_4, 40061, H2_4, 9), rbMac, h2Mac, RB, 1500)).packets());
        } finally {
            Shell.run(false, "ip", "netns", "exec", R, "ethtool", "-K", RB, "tx", "on");
        }
    }

    /**
     * With many flows, a burst of stats calls (the manager's periodic pull) reads the map in one
     * BPF_MAP_LOOKUP_BATCH pass; a flow installed after that pass is read on its own.
     */
    @Test
    void manyFlowsStatsComeFromOneBatchRead() throws Throwable {
        startDriver(1024);
        FlowBlock block = driver.bind(TABLE);
        List<FlowRule> rules = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) rules.add(rule(1000 + i, RA, tuple(H1_4, 2000 + i, H2_4, 9), tuple(RB_4, 30000 + i, H2_4, 9), rbMac, h2Mac, RB, 1500));
        for (FlowRule r : rules) block.add(r);
        drainAll();
        for (int i = 0; i < 5; i++) for (int n = 0; n <= (i == 0 ? 2 : 0); n++) h1.send(Frames.udp(raMac, h1Mac, H1_4, 2000 + i, H2_4, 9, 64, payload(18)));
        assertEquals(7, udp(h2.drain(300), 9).size());

        long reads0 = driver.flows().mapReads();
        for (int i = 0; i < rules.size(); i++) {
            assertEquals(i == 0 ? 3 : i < 5 ? 1 : 0, block.stats(rules.get(i)).packets(), "flow " + i);
        }
        assertTrue(driver.flows().mapReads() - reads0 <= 2, "100 stats calls, " + (driver.flows().mapReads() - reads0) + " map reads");

        FlowRule late = rule(2000, RA, tuple(H1_4, 2999, H2_4, 9), tuple(RB_4, 39999, H2_4, 9), rbMac, h2Mac, RB, 1500);
        block.add(late);
        h1.send(Frames.udp(raMac, h1Mac, H1_4, 2999, H2_4, 9, 64, payload(18)));
        assertEquals(1, udp(h2.drain(300), 9).size());
        assertEquals(1, block.stats(late).packets(), "installed after the batch read: read on its own");
        Thread.sleep(150); // older than a snapshot lives
        h1.send(Frames.udp(raMac, h1Mac, H1_4, 2000, H2_4, 9, 64, payload(18)));
        assertEquals(1, udp(h2.drain(300), 9).size());
        assertEquals(4, block.stats(rules.get(0)).packets(), "a new pass after the snapshot aged");
    }

    @Test
    void tcpV4PortForwardedWhileStateChangesGoToSoftware() throws Throwable {
        startDriver(1024);
        FlowBlock block = driver.bind(TABLE);
        // DNAT as a port forward: h1 talks to 10.0.2.1:8080, r forwards to h2:80
        FlowRule original = new FlowRule(41, 41, 0, RA, -1, FiveTuple.of(H1_4, 33000, RB_4, 8080, 6), 0, 0, 0, 0, true,
                FiveTuple.of(H1_4, 33000, H2_4, 80, 6), rbMac, h2Mac, true, RB, -1, 1500);
        block.add(original);
        drainAll();
        byte[] data = Frames.tcp(raMac, h1Mac, H1_4, 33000, RB_4, 8080, 64, Frames.TCP_ACK | Frames.TCP_PSH, payload(100));
        for (int i = 0; i < 3; i++) h1.send(data);
        List<byte[]> atH2 = tcp(h2.drain(500), 80);
        assertEquals(3, atH2.size());
        for (byte[] f : atH2) {
            assertEquals(H2_4, Frames.dst(f), "destination NAT");
            assertEquals(80, Frames.dport(f));
            assertEquals(H1_4, Frames.src(f));
            assertTrue(Frames.ipv4HeaderChecksumOk(f) && Frames.l4ChecksumOk(f), "TCP checksum after DNAT");
        }
        for (int flag : new int[] {Frames.TCP_FIN | Frames.TCP_ACK, Frames.TCP_RST, Frames.TCP_SYN}) {
            h1.send(Frames.tcp(raMac, h1Mac, H1_4, 33000, RB_4, 8080, 64, flag, new byte[0]));
        }
        assertEquals(0, tcp(h2.drain(200), 80).size(), "FIN, RST, SYN are not forwarded by the fast path");
        assertEquals(3, tcp(routerPort.drain(100), 8080).size(), "conntrack (software) sees FIN, RST and SYN");
        assertEquals(3, block.stats(original).packets());
    }

    @Test
    void vlanTaggedInRetaggedOut() throws Throwable {
        startDriver(1024);
        FlowBlock block = driver.bind(TABLE);
        FlowRule tagged = new FlowRule(51, 51, 0, RA, 10, tuple(H1_4, 5555, H2_4, 9), 0, 0, 0, 0, true,
                tuple(RB_4, 40000, H2_4, 9), rbMac, h2Mac, true, RB, 20, 1500);
        FlowRule untag = new FlowRule(52, 52, 0, RA, 10, tuple(H1_4, 5556, H2_4, 9), 0, 0, 0, 0, true,
                tuple(RB_4, 40001, H2_4, 9), rbMac, h2Mac, true, RB, -1, 1500);
        block.add(tagged);
        block.add(untag);
        drainAll();
        byte[] plain = Frames.udp(raMac, h1Mac, H1_4, 5555, H2_4, 9, 64, payload(18));
        h1.send(plain);
        h1.send(Frames.withVlan(plain, 11));
        assertEquals(0, udp(h2.drain(200), 9).size(), "untagged and VLAN 11 packets do not match a VLAN 10 rule");
        assertEquals(2, udp(routerPort.drain(100), 9).size());

        for (int i = 0; i < 2; i++) h1.send(Frames.withVlan(plain, 10));
        h1.send(Frames.withVlan(Frames.udp(raMac, h1Mac, H1_4, 5556, H2_4, 9, 64, payload(18)), 10));
        List<byte[]> at = h2.drain(500).stream().filter(f -> udp(List.of(f), 9).size() == 1).toList();
        assertEquals(3, at.size());
        assertEquals(2, at.stream().filter(f -> Frames.vlan(f) == 20).count(), "retagged 10 -> 20");
        assertEquals(1, at.stream().filter(f -> Frames.vlan(f) == -1).count(), "tag popped");
        for (byte[] f : at) {
            byte[] u = Frames.untagged(f);
            assertEquals(RB_4, Frames.src(u));
            assertTrue(Frames.ipv4HeaderChecksumOk(u) && Frames.l4ChecksumOk(u));
        }
        assertEquals(2, block.stats(tagged).packets());
        assertEquals(1, block.stats(untag).packets());
    }

    @Test
    void refusesWhatItCannotHold() throws Throwable {
        startDriver(2);
        FlowBlock block = driver.bind(TABLE);
        FlowRule a = rule(21, RA, tuple(H1_4, 1, H2_4, 9), tuple(RB_4, 1, H2_4, 9), rbMac, h2Mac, RB, 1500);
        FlowRule b = rule(22, RA, tuple(H1_4, 2, H2_4, 9), tuple(RB_4, 2, H2_4, 9), rbMac, h2Mac, RB, 1500);
        FlowRule c = rule(23, RA, tuple(H1_4, 3, H2_4, 9), tuple(RB_4, 3, H2_4, 9), rbMac, h2Mac, RB, 1500);
        block.add(a);
        block.add(b);
        block.add(b); // a retried add replaces, it does not take a second slot
        assertEquals(OffloadException.Reason.CAPACITY, assertThrows(OffloadException.class, () -> block.add(c)).reason());
        block.del(a);
        block.add(c);

        FlowRule sameKey = rule(24, RA, tuple(H1_4, 3, H2_4, 9), tuple(RB_4, 9, H2_4, 9), rbMac, h2Mac, RB, 1500);
        block.del(b);
        assertEquals(OffloadException.Reason.FAILED, assertThrows(OffloadException.class, () -> block.add(sameKey)).reason());
        FlowRule foreign = rule(25, "eth9", tuple(H1_4, 4, H2_4, 9), tuple(H1_4, 4, H2_4, 9), rbMac, h2Mac, RB, 1500);
        assertEquals(OffloadException.Reason.DEVICE, assertThrows(OffloadException.class, () -> block.add(foreign)).reason());
        FiveTuple icmp = tuple(H1_4, 7, H2_4, 0);
        icmp.proto = 1;
        FlowRule ping = rule(26, RA, icmp, icmp, rbMac, h2Mac, RB, 1500);
        assertEquals(OffloadException.Reason.UNSUPPORTED, assertThrows(OffloadException.class, () -> block.add(ping)).reason());
        assertEquals(1, driver.flows().size());
        block.del(rule(99, RA, icmp, icmp, 0, 0, RB, 1500)); // unknown cookie: ignored
        block.unbind();
        assertEquals(0, driver.flows().size());
    }

    @Test
    void stopLeavesNoProgramMapOrFilter() throws Throwable {
        startDriver(16);
        FlowBlock block = driver.bind(TABLE);
        block.add(rule(31, RA, tuple(H1_4, 5555, H2_4, 9), tuple(RB_4, 40000, H2_4, 9), rbMac, h2Mac, RB, 1500));
        Path pins = driver.datapath().pinDir();
        assertTrue(Files.exists(pins.resolve("maps").resolve(KernelDatapath.FLOW_MAP)));
        assertTrue(Shell.read("ip", "netns", "exec", R, "tc", "filter", "show", "dev", RA, "ingress").contains(KernelDatapath.TC_PROG));
        stopDriver();

        assertFalse(Files.exists(pins), "pins removed");
        for (String dev : new String[] {RA, RB}) {
            assertEquals("", Shell.read("ip", "netns", "exec", R, "tc", "filter", "show", "dev", dev, "ingress").trim());
            assertFalse(Shell.read("ip", "netns", "exec", R, "tc", "qdisc", "show", "dev", dev).contains("clsact"));
        }
        long deadline = System.currentTimeMillis() + 5000; // programs and maps are freed after an RCU grace period
        boolean gone;
        do {
            gone = !Shell.read("bpftool", "prog", "show").contains(KernelDatapath.TC_PROG)
                    && !Shell.read("bpftool", "prog", "show").contains(KernelDatapath.SOCKET_PROG)
                    && !Shell.read("bpftool", "map", "show").contains(KernelDatapath.FLOW_MAP);
            if (!gone) Thread.sleep(100);
        } while (!gone && System.currentTimeMillis() < deadline);
        assertTrue(gone, "no fg_* program or map left in the kernel");

        h1.send(Frames.udp(raMac, h1Mac, H1_4, 5555, H2_4, 9, 64, payload(18)));
        assertEquals(1, udp(routerPort.drain(200), 9).size(), "the router port sees traffic again");
    }

    // --- helpers

    private void startDriver(int maxFlows) throws Exception {
        driver = new EbpfOffloadDriver();
        Shell.inNamespace(R, () -> {
            driver.start(List.of(RA, RB), maxFlows, KernelDatapath.Options.defaults());
            return null;
        });
    }

    private void stopDriver() throws Exception {
        EbpfOffloadDriver d = driver;
        driver = null;
        Shell.inNamespace(R, () -> {
            d.stop();
            return null;
        });
    }

    private static RawSocket open(String ifname) throws Exception {
        return RawSocket.open(ifname);
    }

    private void drainAll() throws Throwable {
        h1.drain(50);
        h2.drain(50);
        routerPort.drain(50);
    }

    /** UDP frames to or from {@code port}, VLAN tags removed. */
    private static List<byte[]> udp(List<byte[]> frames, int port) {
        return frames.stream().map(Frames::untagged).filter(f -> Frames.isIp(f) && Frames.proto(f) == 17 && (Frames.dport(f) == port || Frames.sport(f) == port)).toList();
    }

    private static List<byte[]> tcp(List<byte[]> frames, int port) {
        return frames.stream().map(Frames::untagged).filter(f -> Frames.isIp(f) && Frames.proto(f) == 6 && (Frames.dport(f) == port || Frames.sport(f) == port)).toList();
    }

    private static FiveTuple tuple(IpAddress src, int sport, IpAddress dst, int dport) {
        return FiveTuple.of(src, sport, dst, dport, 17);
    }

    private static FlowRule rule(long cookie, String in, FiveTuple match, FiveTuple rewrite, long srcMac, long dstMac, String out, int mtu) {
        return new FlowRule(cookie, cookie, 0, in, -1, match, 0, 0, 0, 0, true, rewrite, srcMac, dstMac, true, out, -1, mtu);
    }

    private static byte[] payload(int n) {
        byte[] p = new byte[n];
        byte[] text = "flowgate-ebpf-offload-".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < n; i++) p[i] = text[i % text.length];
        return p;
    }
}
