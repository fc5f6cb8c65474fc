package org.flowgate.testsupport.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The topology and the traffic programs, with the Linux kernel of the router namespace as the
 * router (addresses on its links, forwarding on): what a test's userspace router would do. Needs
 * root, iproute2, ethtool, ping, python3; prefix {@code nstopo}, removed even on failure.
 */
class TopologyTest {
    @BeforeAll
    static void tools() {
        assumeTrue(Topology.unavailable() == null, () -> "TopologyTest skipped: " + Topology.unavailable());
    }

    /** The kernel of r routes: the stand-in for the router under test. */
    static void kernelRoutes(Topology t, boolean v6) {
        for (int side = 1; side <= 2; side++) {
            Shell.run(true, "ip", "-n", t.r(), "addr", "add", t.routerPrefix(side), "dev", t.routerLink(side));
            if (v6) {
                Shell.run(true, "ip", "netns", "exec", t.r(), "sysctl", "-qw", "net.ipv6.conf." + t.routerLink(side) + ".disable_ipv6=0");
                Shell.run(true, "ip", "-n", t.r(), "addr", "add", t.routerPrefix6(side), "dev", t.routerLink(side), "nodad");
            }
        }
        Shell.run(true, "ip", "netns", "exec", t.r(), "sysctl", "-qw", "net.ipv4.ip_forward=1");
        if (v6) Shell.run(true, "ip", "netns", "exec", t.r(), "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
    }

    @Test
    void netlabLayoutHasTopoShNamesAndAKernelRouterInR() throws Exception {
        try (Topology t = Topology.builder("nslab").netlab().v6("fd00:75:1::/64", "fd00:75:2::/64").create()) {
            assertEquals("nslabh1", t.h1());
            assertEquals("nslabr", t.r());
            assertEquals("nslabrb", t.routerLink(2));
            assertEquals("nslaba", t.hostLink(1));
            assertTrue(Shell.read("ip", "-n", t.r(), "addr", "show", "nslabra").contains("inet 10.0.1.1/24"), "r's kernel holds the router address");
            assertTrue(Shell.read("ip", "-n", t.r(), "addr", "show", "nslabrb").contains("inet6 fd00:75:2::1/64"));
            assertTrue(Shell.read("ip", "netns", "exec", t.h1(), "ethtool", "-k", "nslaba").contains("tx-checksumming: on"), "Linux's offload defaults");
            String mac = Shell.read("ip", "netns", "exec", t.r(), "cat", "/sys/class/net/nslabra/address").trim();
            assertEquals(Long.parseLong(mac.replace(":", ""), 16), Topology.mac(t.r(), "nslabra"));

            Shell.run(true, "ip", "netns", "exec", t.r(), "sysctl", "-qw", "net.ipv4.ip_forward=1");
            Shell.run(true, "ip", "netns", "exec", t.r(), "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
            assertEquals(0, Topology.ping(t.h1(), t.h2Address(), 2));
            assertEquals(0, Topology.ping(t.h1(), t.hostAddress6(2), 2));
            try (Traffic.Peer echo = Traffic.udpEcho(t.h2(), 7000)) {
                assertEquals(500, Traffic.udpBurst(t.h1(), 5555, t.h2Address(), 7000, 500), "a burst and every echo of it");
                assertEquals(t.h1Address(), echo.line());
            }
        }
        for (String ns : new String[] {"nslabh1", "nslabr", "nslabh2"}) assertFalse(Shell.read("ip", "netns", "list").contains(ns), "close removed " + ns);
    }

    @Test
    void hostsTalkThroughTheRouterOverIpv4AndIpv6() throws Exception {
        try (Topology t = Topology.builder("nstopo").routerNamespace().v4("10.74.1.0/24", "10.74.2.0/24").v6("fd00:74:1::/64", "fd00:74:2::/64").create()) {
            assertEquals("10.74.1.2", t.h1Address());
            assertEquals("10.74.2.1/24", t.routerPrefix(2));
            assertEquals("fd00:74:2::2", t.hostAddress6(2));
            assertEquals("nstopo2", t.routerLink(2));
            assertTrue(Shell.output("ip", "-n", t.r(), "link", "show", "nstopo1").contains("state UP"), "the router's end lives in r");
            assertFalse(Shell.output("ip", "-n", t.r(), "addr", "show", "nstopo1").contains("inet"), "and has no address of its own");
            assertTrue(Shell.output("ip", "netns", "exec", t.h1(), "ethtool", "-k", Topology.HOST_LINK).contains("tx-checksumming: off"));

            kernelRoutes(t, true);
            assertEquals(0, Topology.ping(t.h1(), t.h2Address(), 2));
            assertEquals(0, Topology.ping(t.h1(), t.hostAddress6(2), 2));

            try (Traffic.Peer echo = Traffic.udpEcho(t.h2(), 7000)) {
                assertEquals("hello", Traffic.udpAsk(t.h1(), t.h2Address(), 7000, "hello"));
                assertEquals(t.h1Address(), echo.line(), "the echo prints who sent");
                assertEquals("six", Traffic.udpAsk(t.h1(), t.hostAddress6(2), 7000, "six"));
                assertEquals(t.hostAddress6(1), echo.line());
            }
            try (Traffic.Peer sink = Traffic.tcpSink(t.h2(), 7001, 0); Traffic.Peer send = Traffic.tcpSend(t.h1(), t.h2Address(), 7001, 100_000, 30_000, 0, false)) {
                assertEquals("ok " + t.h1Address() + " 100000", send.line());
                assertEquals(t.h1Address() + " 100000", sink.line());
                assertEquals(0, send.await(10));
            }
            try (Traffic.Peer sink = Traffic.tcpSink(t.h2(), 7001, 50_000); Traffic.Peer send = Traffic.tcpSend(t.h1(), t.h2Address(), 7001, 50_000, 50_000, 0, true)) {
                assertEquals("ok " + t.h1Address() + " 50000", send.line(), "the sink answers at its byte count");
                assertTrue(send.process().isAlive(), "held open");
                send.closeInput();
                assertEquals(0, send.await(10));
                assertEquals(0, sink.await(10), "the sink ends when the sender closes");
            }
            try (Traffic.Peer counter = Traffic.udpCounter(t.h2(), 7003, 50, 10)) {
                assertEquals(0, Traffic.udpStream(t.h1(), t.h2Address(), 7003, 50));
                assertEquals("received 50 ttl 63", counter.line(), "one routed hop");
            }
            try (Traffic.Peer echo = Traffic.udpEcho(t.h2(), 7002); Traffic.Peer sink = Traffic.tcpSink(t.h2(), 7001, 0);
                    Traffic.Peer mixed = Traffic.tcpAndUdp(t.h1(), t.h2Address(), 7001, 7002, 5, 1000, 10)) {
                assertEquals("udp 5", mixed.line());
                assertEquals(t.h1Address() + " 5000", sink.line());
            }
        }
        assertFalse(Shell.output("ip", "netns", "list").contains("nstopo"), "close removed the namespaces");
    }

    @Test
    void theRouterSideCanBeTheJvmsNamespaceAndH2CanLackTheRouteBack() throws IOException, InterruptedException {
        try (Topology t = Topology.builder("nstopoj").noRouteBackFromH2().create()) {
            assertEquals(null, t.r());
            assertTrue(Shell.output("ip", "link", "show", "nstopoj1").contains("state UP"), "the router's end is here");
            assertFalse(Shell.output("ip", "-n", t.h2(), "route").contains("default"));
            assertTrue(Shell.output("ip", "-n", t.h1(), "route").contains("default via 10.0.1.1"));
            assertFalse(Shell.output("ip", "netns", "exec", t.h1(), "sysctl", "-n", "net.ipv6.conf.all.disable_ipv6").trim().equals("0"), "no IPv6 unless asked");
        }
        assertFalse(Shell.output("ip", "link").contains("nstopoj1"), "close removed the links");
    }

    @Test
    void hostsCanBeVxlanPeersAndAskFromAFixedPort() throws Exception {
        try (Topology t = Topology.builder("nstopov").routerNamespace().v4("10.75.1.0/24", "10.75.2.0/24").v6("fd00:75:1::/64", "fd00:75:2::/64").create()) {
            kernelRoutes(t, true);
            t.setHostMac(1, "24:8a:07:a5:28:01");
            assertTrue(Shell.output("ip", "-n", t.h1(), "link", "show", Topology.HOST_LINK).contains("24:8a:07:a5:28:01"));
            t.vxlanPeer(1, "vx4", 42, t.h2Address(), "192.168.75.1/24");
            t.vxlanPeer(2, "vx4", 42, t.h1Address(), "192.168.75.2/24");
            t.vxlanPeer(1, "vx6", 43, t.hostAddress6(2), "192.168.76.1/24");
            t.vxlanPeer(2, "vx6", 43, t.hostAddress6(1), "192.168.76.2/24");
            assertTrue(Shell.output("ip", "-d", "-n", t.h1(), "link", "show", "vx6").contains("local " + t.hostAddress6(1)));
            assertEquals(0, Topology.ping(t.h1(), "192.168.75.2", 2), "across the IPv4 tunnel");
            assertEquals(0, Topology.ping(t.h1(), "192.168.76.2", 2), "across the IPv6 tunnel");
            try (Traffic.Peer echo = Traffic.udpEcho(t.h2(), 7000)) {
                assertEquals("a", Traffic.udpAsk(t.h1(), 7009, "192.168.75.2", 7000, "a"));
                assertEquals("b", Traffic.udpAsk(t.h1(), 7009, "192.168.75.2", 7000, "b"), "the port is free again for the next ask");
                assertEquals("192.168.75.1", echo.line());
            }
        }
    }

    @Test
    void ipv6TextIsCompressed() {
        assertEquals("fd00:74:2::2", Topology.compress("fd00:74:2:0:0:0:0:2"));
        assertEquals("fd00:0:1::", Topology.compress("fd00:0:1:0:0:0:0:0"));
        assertEquals("1:2:3:4:5:6:7:8", Topology.compress("1:2:3:4:5:6:7:8"));
    }
}
