package org.flowgate.tc.e2e;

import static org.flowgate.testsupport.netns.Shell.output;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.route.Neighbour;
import org.flowgate.testsupport.netns.Topology;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The seed's filters over an IPv6 underlay ({@link Topology} {@code tc6}), with a Linux VXLAN
 * endpoint as the far end and the VTEP's MAC found by NDP (nothing pre-seeded):
 * <pre>
 *   h1 (tc6-h1, 10.73.0.2, MAC 24:8a:07:a5:28:01) -- tc61 -- [Flowgate: AF_PACKET ports, tc, conntrack]
 *       -- tc62 2001:db8:73::1 -- h2 (tc6-h2, eth0 2001:db8:73::2;
 *                                      vx0: Linux vxlan id 98 local 2001:db8:73::2 remote 2001:db8:73::1, 10.73.0.3)
 * </pre>
 * Linux decapsulates what the router encapsulates (so outer IPv6, UDP checksum and VXLAN header
 * are right by a kernel's standard), and its IPv6 VXLAN answers are decapsulated on vxlan0.
 * Needs root; removed even on failure.
 */
class NamespaceVxlan6Test {
    static final String OVERLAY_PEER = "10.73.0.3";

    Topology t;
    NetnsRouter r;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Topology.unavailable() == null, () -> "NamespaceVxlan6Test skipped: " + Topology.unavailable());
        Topology.Builder b = Topology.builder("tc6").v4("10.73.0.0/24", "7.73.0.0/24").v6("2001:db8:72::/64", "2001:db8:73::/64");
        r = NetnsRouter.withLinuxVtep(b, true, OVERLAY_PEER, MacAddress.parse("02:00:00:00:73:01"), 1430);
        t = r.topology;
    }

    @AfterEach
    void tearDown() {
        if (r != null) r.close();
    }

    @Test
    void seedFiltersOverAnIpv6UnderlayWithTheVtepFoundByNdp() throws Exception {
        IpAddress vtep = IpAddress.parse(t.hostAddress6(2));
        String l1 = t.routerLink(1);
        assertTrue(r.router.neighbours().list().stream().noneMatch(n -> n.address().equals(vtep)), "nothing pre-seeded");
        r.add(SeedExampleTest.SEED,
                SeedExampleTest.SEED2.replace("src_ip 0.0.0.0", "src_ip " + t.routerAddress6(2)).replace("7.7.7.8", vtep.toString()),
                SeedExampleTest.SEED3.replace("src_ip 0.0.0.0", "src_ip ::").replace("7.7.7.8", vtep.toString()),
                "tc filter add dev ens1f0_0 ingress prio 2 chain 0 proto arp flower action tunnel_key set dst_ip " + vtep
                        + " id 98 dst_port 4789 action mirred egress redirect dev vxlan0",
                "tc filter add dev vxlan0 ingress prio 1 chain 0 proto ip flower ct_state -trk action ct pipe action goto chain 2",
                "tc filter add dev vxlan0 ingress prio 1 chain 2 proto ip flower enc_src_ip " + vtep + " enc_key_id 98 ct_state +trk+est "
                        + "action mirred egress redirect dev ens1f0_0",
                "tc filter add dev vxlan0 ingress prio 2 chain 0 proto arp flower action mirred egress redirect dev ens1f0_0");

        assertEquals(0, Topology.ping(t.h1(), OVERLAY_PEER, 3), "h1 pings the overlay address behind the Linux VTEP over IPv6; " + r.diagnostics());
        assertEquals(1, r.filter(l1, 2, 1).packets(), "the first echo request: +trk+new, committed");
        assertTrue(r.filter(l1, 2, 2).packets() >= 2, "later echo requests: +trk+est");
        assertTrue(r.filter("vxlan0", 2, 1).packets() >= 3, "the echo replies came back as IPv6 VXLAN and matched enc_src_ip");
        Neighbour n = r.router.neighbours().list().stream().filter(x -> x.address().equals(vtep)).findFirst()
                .orElseThrow(() -> new AssertionError("the VTEP was resolved by NDP: " + r.router.neighbours().list()));
        assertEquals(t.routerLink(2), n.device());
        assertNotEquals(Neighbour.State.PERMANENT, n.state());
        assertEquals(MacAddress.parse(output("ip", "netns", "exec", t.h2(), "cat", "/sys/class/net/eth0/address").trim()), n.mac());
        assertEquals(0, r.vxlan0.counters().get("rx_bad_checksum"));
        assertTrue(r.vxlan0.counters().get("encapsulated") >= 4, "3 echo requests and h1's ARP: " + r.vxlan0.counters());
        long linuxRx = Long.parseLong(output("ip", "netns", "exec", t.h2(), "cat", "/sys/class/net/vx0/statistics/rx_packets").trim());
        assertTrue(linuxRx >= 4, "Linux's vx0 accepted what the router encapsulated: " + linuxRx);
        assertTrue(r.vxlan0.counters().get("decapsulated") >= 3, "and the router decapsulated Linux's answers: " + r.vxlan0.counters());
    }
}
