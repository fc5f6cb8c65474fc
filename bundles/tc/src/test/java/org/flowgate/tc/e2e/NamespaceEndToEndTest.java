package org.flowgate.tc.e2e;

import static org.flowgate.testsupport.netns.Shell.output;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.route.Neighbour;
import org.flowgate.testsupport.netns.Topology;
import org.flowgate.testsupport.netns.Traffic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The seed's filters in real namespaces ({@link Topology} {@code tce}), with a Linux VXLAN endpoint
 * as the far end:
 * <pre>
 *   h1 (tce-h1, 10.72.0.2, MAC 24:8a:07:a5:28:01) -- tce1 -- [Flowgate: AF_PACKET ports, tc, conntrack]
 *       -- tce2 7.72.0.1 -- h2 (tce-h2, eth0 7.72.0.2; vx0: Linux vxlan id 98 remote 7.72.0.1, 10.72.0.3)
 * </pre>
 * h1's traffic for 10.72.0.3 is tracked, committed and VXLAN-encapsulated by the seed's filters;
 * Linux decapsulates it (so the encapsulation is correct by a real kernel's standard) and its
 * answers come back through the router's vxlan0 to h1. The VTEP's MAC is not pre-seeded: the
 * router resolves it by ARP when the vxlan device first sends to it. Needs root; removed even on failure.
 */
class NamespaceEndToEndTest {
    static final String OVERLAY_PEER = "10.72.0.3";

    Topology t;
    NetnsRouter r;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Topology.unavailable() == null, () -> "NamespaceEndToEndTest skipped: " + Topology.unavailable());
        r = NetnsRouter.withLinuxVtep(Topology.builder("tce").v4("10.72.0.0/24", "7.72.0.0/24"), false, OVERLAY_PEER, MacAddress.parse("02:00:00:00:72:01"), 1450);
        t = r.topology;
    }

    @AfterEach
    void tearDown() {
        if (r != null) r.close();
    }

    @Test
    void seedFiltersCarryH1TrafficThroughALinuxVtep() throws Exception {
        String l1 = t.routerLink(1), vtep = t.hostAddress(2);
        // the seed's filters, with this router's device and this VTEP's address (the seed's is 7.7.7.8)
        r.add(SeedExampleTest.SEED, SeedExampleTest.SEED2.replace("7.7.7.8", vtep), SeedExampleTest.SEED3.replace("7.7.7.8", vtep),
                // ARP crosses the tunnel untracked; the return path is tracked on vxlan0
                "tc filter add dev ens1f0_0 ingress prio 2 chain 0 proto arp flower action tunnel_key set src_ip 0.0.0.0 dst_ip " + vtep
                        + " id 98 dst_port 4789 action mirred egress redirect dev vxlan0",
                "tc filter add dev vxlan0 ingress prio 1 chain 0 proto ip flower ct_state -trk action ct pipe action goto chain 2",
                "tc filter add dev vxlan0 ingress prio 1 chain 2 proto ip flower ct_state +trk+est action mirred egress redirect dev ens1f0_0",
                "tc filter add dev vxlan0 ingress prio 2 chain 0 proto arp flower action mirred egress redirect dev ens1f0_0");

        assertEquals(0, Topology.ping(t.h1(), OVERLAY_PEER, 3), "h1 pings the overlay address behind the Linux VTEP; " + r.diagnostics());
        assertEquals(1, r.filter(l1, 2, 1).packets(), "the first echo request: +trk+new, committed");
        MacAddress vtepMac = MacAddress.parse(output("ip", "netns", "exec", t.h2(), "cat", "/sys/class/net/eth0/address").trim());
        assertTrue(r.router.neighbours().list().stream().anyMatch(n -> n.address().equals(IpAddress.parse(vtep))
                && vtepMac.equals(n.mac()) && n.state() != Neighbour.State.PERMANENT), "the VTEP was resolved by ARP: " + r.router.neighbours().list());
        assertTrue(r.filter(l1, 2, 2).packets() >= 2, "later echo requests: +trk+est");

        try (Traffic.Peer echo = Traffic.udpEcho(t.h2(), 7000)) {
            for (String m : new String[] {"one", "two", "three"}) { // one UDP connection: the same ports each time
                assertEquals(m, Traffic.udpAsk(t.h1(), 7001, OVERLAY_PEER, 7000, m), r.diagnostics());
                assertEquals(t.h1Address(), echo.line(), "no NAT in the seed: the VTEP's host sees h1's address");
            }
        }
        assertTrue(r.tc.ctFlows().stream().anyMatch(f -> f.zone() == 0 && f.original().proto == 17 && f.original().dstPort == 7000),
                "the established UDP connection is in zone 0's flow table: " + r.tc.ctFlows());
        assertTrue(r.tc.stats().get("ct_flow_hits") >= 1, "and its third datagram took the ct state from it: " + r.tc.stats());
    }
}
