package org.flowgate.tc.action;

import static org.flowgate.tc.support.Frames.*;
import static org.flowgate.tc.support.TcWorld.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.List;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.tc.support.TcWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each stateless action on the router, with real frames in and out. */
class ActionsTest {
    final TcWorld w = TcWorld.routed();

    @AfterEach
    void tearDown() { w.close(); }

    static byte[] udpFrame() { return eth(P0_MAC, HOST_A, 0x0800, ipv4(A_IP, DST, Packet.PROTO_UDP, udp(1000, 2000, "payload!".getBytes()))); }

    static byte[] tcpFrame() { return eth(P0_MAC, HOST_A, 0x0800, ipv4(A_IP, DST, Packet.PROTO_TCP, tcp(1000, 2000, 7, 0, SYN, 512, new byte[0]))); }

    @Test
    void dropAndPass() {
        w.add("tc filter add dev p0 ingress prio 1 proto ip flower ip_proto udp action drop");
        w.add("tc filter add dev p0 ingress prio 2 proto ip flower ip_proto tcp action pass");
        inject(w.p0, udpFrame());
        inject(w.p0, tcpFrame());
        List<byte[]> out = take(w.p1Out);
        assertEquals(1, out.size(), "UDP dropped, TCP passed and routed");
        assertEquals(6, out.get(0)[23]);
        assertEquals(1, w.tc.stats().get("drop_action_drop"));
    }

    @Test
    void mirredMirrorCopiesAndTheOriginalGoesOn() {
        w.add("tc filter add dev p0 ingress proto ip flower action mirred egress mirror dev up0");
        inject(w.p0, udpFrame());
        List<byte[]> copy = take(w.up0Out);
        assertEquals(1, copy.size());
        assertArrayEquals(udpFrame(), copy.get(0), "the mirror copy is the frame as received");
        assertEquals(1, take(w.p1Out).size(), "the original was routed");
    }

    @Test
    void mirredRedirectToAMissingDeviceDrops() {
        w.add("tc filter add dev p0 ingress proto ip flower action mirred egress redirect dev p1");
        w.router.detach(w.p1);
        inject(w.p0, udpFrame());
        assertEquals(1, w.tc.stats().get("drop_no_device"));
    }

    @Test
    void peditThenCsumRewritesHeadersWithValidChecksums() {
        w.add("tc filter add dev p0 ingress proto ip flower ip_proto tcp action pedit ex munge eth dst set 02:00:00:00:00:99 "
                + "munge eth src set 02:00:00:00:01:01 munge ip dst set 10.0.1.9 munge ip ttl dec munge tcp dport set 8080 munge ip tos set 0x10 pipe "
                + "action csum iph and tcp pipe action mirred egress redirect dev p1");
        inject(w.p0, tcpFrame());
        byte[] f = take(w.p1Out).get(0);
        assertEquals(MacAddress.parse("02:00:00:00:00:99"), macAt(f, 0));
        assertEquals(P1_MAC, macAt(f, 6));
        assertEquals(IpAddress.parse("10.0.1.9"), ip4At(f, 30));
        assertEquals(A_IP, ip4At(f, 26));
        assertEquals(63, f[22] & 0xFF);
        assertEquals(0x10, f[15] & 0xFF);
        assertEquals(8080, get16(f, 36));
        assertTrue(checksumsOk(f, 14), "csum recomputed the IPv4 header and TCP checksums");
    }

    @Test
    void peditAloneLeavesChecksumsAsLinuxDoes() {
        w.add("tc filter add dev p0 ingress proto ip flower action pedit ex munge ip dst set 10.0.1.9 pipe action mirred egress redirect dev p1");
        inject(w.p0, udpFrame());
        byte[] f = take(w.p1Out).get(0);
        assertEquals(IpAddress.parse("10.0.1.9"), ip4At(f, 30));
        assertFalse(checksumsOk(f, 14), "pedit does not fix checksums; that is what the csum action is for");
    }

    @Test
    void statelessNatTranslatesWithIncrementalChecksums() {
        w.add("tc filter add dev p0 ingress proto ip flower action nat egress 10.0.0.0/24 172.16.5.0 pipe action nat ingress 10.0.1.2 10.0.1.3 pipe "
                + "action mirred egress redirect dev p1");
        inject(w.p0, udpFrame());
        inject(w.p0, tcpFrame());
        for (byte[] f : take(w.p1Out)) {
            assertEquals(IpAddress.parse("172.16.5.1"), ip4At(f, 26), "egress: source prefix rewritten, host bits kept");
            assertEquals(IpAddress.parse("10.0.1.3"), ip4At(f, 30), "ingress: destination rewritten");
            assertTrue(checksumsOk(f, 14));
        }
    }

    @Test
    void tunnelKeyOptionsReachTheOuterHeaders() {
        w.add("tc filter add dev p0 ingress proto ip flower action tunnel_key set src_ip 7.7.7.100 dst_ip 7.7.7.8 id 4096 dst_port 8472 "
                + "tos 0x28 ttl 9 nocsum nofrag action mirred egress redirect dev vxlan0");
        byte[] in = udpFrame();
        inject(w.p0, in);
        byte[] f = take(w.up0Out).get(0);
        assertEquals(0x28, f[15] & 0xFF, "tos");
        assertEquals(0x4000, get16(f, 20), "DF");
        assertEquals(9, f[22] & 0xFF, "ttl");
        assertEquals(IpAddress.parse("7.7.7.100"), ip4At(f, 26), "explicit src_ip");
        assertEquals(8472, get16(f, 36));
        assertEquals(0, get16(f, 40), "nocsum: no UDP checksum");
        assertTrue(checksumsOk(f, 14));
        assertEquals(4096, get32(f, 46) >>> 8);
        assertArrayEquals(in, Arrays.copyOfRange(f, 50, f.length));
    }

    @Test
    void tunnelKeyUnsetLeavesTheVxlanDeviceWithoutMetadata() {
        w.add("tc filter add dev p0 ingress proto ip flower action tunnel_key set dst_ip 7.7.7.8 id 1 pipe action tunnel_key unset pipe "
                + "action mirred egress redirect dev vxlan0");
        inject(w.p0, udpFrame());
        assertTrue(take(w.up0Out).isEmpty());
        assertEquals(1, w.vxlan0.counters().get("no_metadata"));
        assertEquals(1, w.tc.stats().get("drop_tx_failed"));
    }

    @Test
    void vxlanWithoutRouteDropsAndAnUnresolvedVtepIsResolvedFirst() {
        w.add("tc filter add dev p0 ingress proto ip flower ip_proto udp action tunnel_key set dst_ip 8.8.8.8 id 1 action mirred egress redirect dev vxlan0");
        w.add("tc filter add dev p0 ingress proto ip flower ip_proto tcp action tunnel_key set dst_ip 7.7.7.9 id 1 action mirred egress redirect dev vxlan0");
        inject(w.p0, udpFrame());
        assertTrue(take(w.up0Out).isEmpty());
        assertEquals(1, w.vxlan0.counters().get("no_route"));
        inject(w.p0, tcpFrame());
        List<byte[]> out = take(w.up0Out);
        assertEquals(1, out.size(), "no VXLAN packet yet, only the ARP request for 7.7.7.9");
        assertEquals(0x0806, get16(out.get(0), 12));
        assertEquals(IpAddress.parse("7.7.7.9"), ip4At(out.get(0), 38), "ARP target");
        assertEquals(0, w.vxlan0.counters().get("no_neighbour"), "queued by the neighbour subsystem, not dropped");
    }

    @Test
    void vxlanSourcePortFollowsTheInnerFlow() {
        w.add("tc filter add dev p0 ingress proto ip flower action tunnel_key set dst_ip 7.7.7.8 id 1 action mirred egress redirect dev vxlan0");
        inject(w.p0, udpFrame());
        inject(w.p0, udpFrame());
        inject(w.p0, tcpFrame());
        List<byte[]> out = take(w.up0Out);
        assertEquals(get16(out.get(0), 34), get16(out.get(1), 34), "same flow, same source port");
        assertNotEquals(get16(out.get(0), 18), get16(out.get(1), 18), "each outer packet has its own IP id");
    }
}
