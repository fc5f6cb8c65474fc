package org.flowgate.packet;

import static org.flowgate.packet.TestFrames.*;
import static org.junit.jupiter.api.Assertions.*;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.DropReason;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.route.Neighbour;
import org.junit.jupiter.api.Test;

/** ARP and NDP answers, echo replies and unreachables for packets addressed to the router. */
class LocalDeliveryTest extends RouterFixture {

    @Test
    void answersArpForItsAddressAndLearnsTheAsker() {
        p0.inject(pad(eth(BCAST, H1, 0x0806, arp(1, H1, H1_IP, 0, R0_IP))));
        byte[] r = only(p0.take());
        assertEquals(H1, mac(r, 0));
        assertEquals(R0, mac(r, 6));
        assertEquals(0x0806, u16(r, 12));
        assertEquals(2, u16(r, 14 + 6), "ARP reply");
        assertEquals(R0, mac(r, 14 + 8));
        assertEquals(R0_IP, u32(r, 14 + 14));
        assertEquals(H1, mac(r, 14 + 18));
        assertEquals(H1_IP, u32(r, 14 + 24));
        assertEquals(H1, router.neighbours().resolved(eth0.ifIndex(), 4, 0, H1_IP & 0xFFFF_FFFFL));
        Neighbour n = router.neighbours().list().get(0);
        assertEquals(Neighbour.State.STALE, n.state(), "learnt from a request: stale, as Linux");
        assertEquals(1, eth0.counters().txPackets());
        assertEquals(1, eth0.counters().rxPackets());
    }

    @Test
    void ignoresArpForOtherAddressesAndOtherInterfaces() {
        p0.inject(pad(eth(BCAST, H1, 0x0806, arp(1, H1, H1_IP, 0, ip4("10.0.1.99")))));
        p0.inject(pad(eth(BCAST, H1, 0x0806, arp(1, H1, H1_IP, 0, R1_IP)))); // eth1's address asked on eth0
        assertTrue(p0.take().isEmpty());
        assertEquals(-1, router.neighbours().resolved(eth0.ifIndex(), 4, 0, H1_IP & 0xFFFF_FFFFL), "no entry created (arp_accept=0)");
    }

    @Test
    void gratuitousArpOnAConnectedNetworkIsLearnt() {
        p0.inject(pad(eth(BCAST, H1, 0x0806, arp(1, H1, H1_IP, 0, H1_IP))));
        assertTrue(p0.take().isEmpty());
        assertEquals(H1, router.neighbours().resolved(eth0.ifIndex(), 4, 0, H1_IP & 0xFFFF_FFFFL));
        long moved = 0x0200_0000_0999L;
        p0.inject(pad(eth(BCAST, moved, 0x0806, arp(2, moved, H1_IP, BCAST, H1_IP))));
        assertEquals(moved, router.neighbours().resolved(eth0.ifIndex(), 4, 0, H1_IP & 0xFFFF_FFFFL), "updated by gratuitous ARP");
    }

    @Test
    void echoReplyV4() {
        learnHosts();
        byte[] data = "abcdefgh0123456789".getBytes();
        p0.inject(pad(ping4(R0, H1, H1_IP, R0_IP, 64, 0x77, 3, data)));
        byte[] r = only(p0.take());
        Packet p = assertIcmp4(r, 0, 0);
        assertEquals(H1, p.ethDst());
        assertEquals(R0, p.ethSrc());
        assertEquals(R0_IP, p.ipv4Src());
        assertEquals(H1_IP, p.ipv4Dst());
        assertEquals(0x77, p.u16(p.l4() + 4));
        assertEquals(3, p.u16(p.l4() + 6));
        assertArrayEquals(data, slice(r, p.l4() - p.start() + 8, data.length));
        assertEquals(28 + data.length, p.ipLength());
        assertEquals(0, csum(r, 14, 20, 0), "IPv4 header checksum");
    }

    @Test
    void echoToTheOtherInterfaceAddressIsAnsweredToo() {
        learnHosts();
        p0.inject(ping4(R0, H1, H1_IP, R1_IP, 64, 1, 1, new byte[8]));
        Packet p = assertIcmp4(only(p0.take()), 0, 0);
        assertEquals(R1_IP, p.ipv4Src());
    }

    @Test
    void echoToBroadcastIsIgnored() {
        learnHosts();
        p0.inject(ping4(BCAST, H1, H1_IP, ip4("10.0.1.255"), 64, 1, 1, new byte[8]));
        p0.inject(ping4(BCAST, H1, H1_IP, -1, 64, 1, 1, new byte[8]));
        assertTrue(p0.take().isEmpty());
    }

    @Test
    void echoReplyV6() {
        learnHosts();
        byte[] data = "ping6 payload".getBytes();
        p0.inject(ping6(R0, H1, H1_6, R0_6, 64, 9, 2, data));
        byte[] r = only(p0.take());
        Packet p = assertIcmp6(r, 129, 0);
        assertEquals(H1, p.ethDst());
        assertArrayEquals(R0_6, slice(r, 22, 16));
        assertArrayEquals(H1_6, slice(r, 38, 16));
        assertEquals(9, p.u16(p.l4() + 4));
        assertEquals(2, p.u16(p.l4() + 6));
        assertArrayEquals(data, slice(r, p.l4() - p.start() + 8, data.length));
    }

    @Test
    void echoToLinkLocalIsAnsweredFromLinkLocal() {
        byte[] ll = IpAddress.parse("fe80::ff:fe00:1").toBytes(); // EUI-64 of R0
        byte[] h1ll = ip6("fe80::1:1");
        // the host's NS for our link-local address teaches us its MAC
        byte[] ns = icmp6(h1ll, solicitedNode(ll), 135, 0, nsBody(ll, H1));
        p0.inject(eth(solicitedNodeMac(ll), H1, 0x86DD, ipv6(h1ll, solicitedNode(ll), 58, 255, ns)));
        Packet na = assertIcmp6(only(p0.take()), 136, 0);
        assertEquals(H1, na.ethDst());
        p0.inject(ping6(R0, H1, h1ll, ll, 64, 1, 1, new byte[4]));
        byte[] r = only(p0.take());
        assertIcmp6(r, 129, 0);
        assertArrayEquals(ll, slice(r, 22, 16));
        assertArrayEquals(h1ll, slice(r, 38, 16));
    }

    @Test
    void neighbourSolicitationIsAnsweredWithASolicitedAdvertisement() {
        byte[] ns = icmp6(H1_6, solicitedNode(R0_6), 135, 0, nsBody(R0_6, H1));
        p0.inject(eth(solicitedNodeMac(R0_6), H1, 0x86DD, ipv6(H1_6, solicitedNode(R0_6), 58, 255, ns)));
        byte[] r = only(p0.take());
        Packet p = assertIcmp6(r, 136, 0);
        assertEquals(H1, p.ethDst());
        assertEquals(R0, p.ethSrc());
        assertEquals(255, p.ttl(), "NDP hop limit");
        assertArrayEquals(R0_6, slice(r, 22, 16), "from the target address");
        assertArrayEquals(H1_6, slice(r, 38, 16));
        int flags = p.u32(p.l4() + 4);
        assertEquals(0xE000_0000, flags, "router, solicited, override");
        assertArrayEquals(R0_6, slice(r, p.l4() - p.start() + 8, 16));
        assertEquals(2, p.u8(p.l4() + 24), "target link-layer address option");
        assertEquals(R0, p.mac(p.l4() + 26));
        assertEquals(H1, router.neighbours().resolved(eth0.ifIndex(), 6, p.u64(p.l3() + 24), p.u64(p.l3() + 32)));
    }

    @Test
    void duplicateAddressDetectionGetsAnAdvertisementToAllNodes() {
        byte[] unspecified = new byte[16];
        byte[] ns = icmp6(unspecified, solicitedNode(R0_6), 135, 0, nsBody(R0_6, -1));
        p0.inject(eth(solicitedNodeMac(R0_6), H1, 0x86DD, ipv6(unspecified, solicitedNode(R0_6), 58, 255, ns)));
        byte[] r = only(p0.take());
        Packet p = assertIcmp6(r, 136, 0);
        assertEquals(0x3333_0000_0001L, p.ethDst());
        assertArrayEquals(ip6("ff02::1"), slice(r, 38, 16));
        assertEquals(0xA000_0000, p.u32(p.l4() + 4), "router, override, not solicited");
    }

    @Test
    void invalidNdpIsDropped() {
        byte[] ns = icmp6(H1_6, solicitedNode(R0_6), 135, 0, nsBody(R0_6, H1));
        p0.inject(eth(solicitedNodeMac(R0_6), H1, 0x86DD, ipv6(H1_6, solicitedNode(R0_6), 58, 64, ns))); // hop limit 64
        byte[] bad = ns.clone();
        bad[3] ^= 1; // checksum
        p0.inject(eth(solicitedNodeMac(R0_6), H1, 0x86DD, ipv6(H1_6, solicitedNode(R0_6), 58, 255, bad)));
        assertTrue(p0.take().isEmpty());
        assertEquals(2, drops(eth0, DropReason.MALFORMED_L4));
        byte[] other = icmp6(H1_6, solicitedNode(H2_6), 135, 0, nsBody(H2_6, H1)); // not our address, not our group
        p0.inject(eth(solicitedNodeMac(H2_6), H1, 0x86DD, ipv6(H1_6, solicitedNode(H2_6), 58, 255, other)));
        assertTrue(p0.take().isEmpty());
        assertEquals(1, drops(eth0, DropReason.NOT_FOR_US));
    }

    @Test
    void routerSolicitationTeachesTheSender() {
        byte[] body = concat(new byte[4], new byte[] {1, 1}, mac(H1));
        byte[] rs = icmp6(H1_6, ip6("ff02::2"), 133, 0, body);
        p0.inject(eth(0x3333_0000_0002L, H1, 0x86DD, ipv6(H1_6, ip6("ff02::2"), 58, 255, rs)));
        assertTrue(p0.take().isEmpty(), "no router advertisements (no RA service)");
        assertEquals(H1, router.neighbours().resolved(eth0.ifIndex(), 6, IpAddress.of(H1_6).hi(), IpAddress.of(H1_6).lo()));
    }

    @Test
    void unsolicitedAdvertisementDoesNotCreateEntries() {
        byte[] na = icmp6(H1_6, ip6("ff02::1"), 136, 0, naBody(0x2000_0000, H1_6, H1));
        p0.inject(eth(0x3333_0000_0001L, H1, 0x86DD, ipv6(H1_6, ip6("ff02::1"), 58, 255, na)));
        assertTrue(router.neighbours().list().isEmpty());
    }

    @Test
    void udpToTheRouterGetsPortUnreachableLikeLinux() {
        learnHosts();
        byte[] udp = udp4(H1_IP, R0_IP, 40000, 9999, "hello".getBytes());
        p0.inject(eth(R0, H1, 0x0800, ipv4(H1_IP, R0_IP, 17, 64, udp)));
        byte[] r = only(p0.take());
        Packet p = assertIcmp4(r, 3, 3);
        assertEquals(R0_IP, p.ipv4Src());
        assertEquals(H1_IP, p.ipv4Dst());
        assertEquals(0xC0, p.u8(p.l3() + 1), "internetwork control precedence");
        // the quoted packet starts with the original IP header
        assertEquals(H1_IP, p.u32(p.l4() + 8 + 12));
        assertEquals(9999, p.u16(p.l4() + 8 + 20 + 2));
        assertEquals(1, drops(eth0, DropReason.UNREACHABLE_LOCAL));

        byte[] udp6 = TestFrames.udp6(H1_6, R0_6, 40000, 9999, new byte[3]);
        p0.inject(eth(R0, H1, 0x86DD, ipv6(H1_6, R0_6, 17, 64, udp6)));
        assertIcmp6(only(p0.take()), 1, 4);
    }

    @Test
    void badUdpChecksumIsDroppedSilently() {
        learnHosts();
        byte[] udp = udp4(H1_IP, R0_IP, 40000, 9999, "hello".getBytes());
        udp[7] ^= 0x55;
        p0.inject(eth(R0, H1, 0x0800, ipv4(H1_IP, R0_IP, 17, 64, udp)));
        assertTrue(p0.take().isEmpty());
        assertEquals(1, drops(eth0, DropReason.MALFORMED_L4));
    }

    @Test
    void tcpToTheRouterGetsAReset() {
        learnHosts();
        byte[] syn = tcp4(H1_IP, R0_IP, 40000, 22, 1000, 0, 0x02, new byte[0]);
        p0.inject(eth(R0, H1, 0x0800, ipv4(H1_IP, R0_IP, 6, 64, syn)));
        byte[] r = only(p0.take());
        Packet p = parsed(r);
        assertEquals(6, p.l4Proto());
        assertEquals(22, p.srcPort());
        assertEquals(40000, p.dstPort());
        assertEquals(0x14, p.tcpFlags(), "RST|ACK");
        assertEquals(0, p.u32(p.l4() + 4));
        assertEquals(1001, p.u32(p.l4() + 8), "acknowledges the SYN");
        assertEquals(0, csum(r, 34, 20, pseudo4(R0_IP, H1_IP, 6, 20)), "TCP checksum");

        byte[] ack = tcp4(H1_IP, R0_IP, 40000, 22, 5, 777, 0x10, new byte[0]);
        p0.inject(eth(R0, H1, 0x0800, ipv4(H1_IP, R0_IP, 6, 64, ack)));
        p = parsed(only(p0.take()));
        assertEquals(0x04, p.tcpFlags(), "RST only");
        assertEquals(777, p.u32(p.l4() + 4), "seq = the segment's ack");

        byte[] rst = tcp4(H1_IP, R0_IP, 40000, 22, 5, 777, 0x04, new byte[0]);
        p0.inject(eth(R0, H1, 0x0800, ipv4(H1_IP, R0_IP, 6, 64, rst)));
        assertTrue(p0.take().isEmpty(), "never a reset for a reset");
    }

    @Test
    void unknownProtocolGetsProtocolUnreachable() {
        learnHosts();
        p0.inject(eth(R0, H1, 0x0800, ipv4(H1_IP, R0_IP, 47, 64, new byte[8])));
        assertIcmp4(only(p0.take()), 3, 2);
        p0.inject(eth(R0, H1, 0x86DD, ipv6(H1_6, R0_6, 47, 64, new byte[8])));
        Packet p = assertIcmp6(only(p0.take()), 4, 1);
        assertEquals(6, p.u32(p.l4() + 4), "points at the Next Header field");
    }

    @Test
    void priorityTaggedFramesAreServedVlansAreNot() {
        learnHosts();
        byte[] req = ipv4(H1_IP, R0_IP, 1, 64, icmp4(8, 0, 0x00010001, new byte[4]));
        p0.inject(ethVlan(R0, H1, 0x6000, 0x0800, req)); // PCP 3, VID 0
        Packet p = assertIcmp4(only(p0.take()), 0, 0);
        assertEquals(-1, p.vlanTci(), "answered untagged");
        p0.inject(ethVlan(R0, H1, 100, 0x0800, req));
        assertTrue(p0.take().isEmpty());
        assertEquals(1, drops(eth0, DropReason.UNSUPPORTED_ETHERTYPE), "no VLAN device for VID 100");
    }

    @Test
    void layerTwoFilterAndMartians() {
        learnHosts();
        p0.inject(ping4(0x0200_0000_0777L, H1, H1_IP, R0_IP, 64, 1, 1, new byte[4]));
        assertEquals(1, drops(eth0, DropReason.NOT_FOR_US));
        p0.inject(ping4(0x0100_5E00_0005L, H1, H1_IP, ip4("224.0.0.5"), 64, 1, 1, new byte[4]));
        assertEquals(2, drops(eth0, DropReason.NOT_FOR_US), "multicast group we did not join");
        p0.inject(ping4(R0, H1, R1_IP, R0_IP, 64, 1, 1, new byte[4]));        // our own address as source
        p0.inject(ping4(R0, H1, ip4("127.0.0.1"), R0_IP, 64, 1, 1, new byte[4]));
        p0.inject(ping4(R0, H1, ip4("224.1.1.1"), R0_IP, 64, 1, 1, new byte[4]));
        p0.inject(ping4(R0, H1, ip4("10.0.2.255"), R0_IP, 64, 1, 1, new byte[4])); // a directed broadcast
        p0.inject(ping6(R0, H1, ip6("ff02::1"), R0_6, 64, 1, 1, new byte[4]));
        assertEquals(5, drops(eth0, DropReason.MARTIAN_SOURCE));
        assertTrue(p0.take().isEmpty());
        p0.inject(pad(eth(R0, H1, 0x88CC, new byte[30])));
        assertEquals(1, drops(eth0, DropReason.UNSUPPORTED_ETHERTYPE));
        p0.inject(new byte[10]);
        assertEquals(1, drops(eth0, DropReason.MALFORMED_ETHERNET));
        assertEquals(10, eth0.counters().rxPackets(), "every frame counted on receive (1 from learnHosts)");
    }

    @Test
    void adminDownDeviceDropsEverything() {
        router.devices().setUp("eth0", false);
        p0.inject(pad(eth(BCAST, H1, 0x0806, arp(1, H1, H1_IP, 0, R0_IP))));
        assertTrue(p0.take().isEmpty());
        assertEquals(1, drops(eth0, DropReason.LINK_DOWN));
    }
}
