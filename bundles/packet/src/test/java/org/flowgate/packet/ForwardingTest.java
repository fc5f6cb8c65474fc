package org.flowgate.packet;

import static org.flowgate.packet.TestFrames.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.util.List;

import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.packet.DropReason;
import org.flowgate.api.packet.Packet;
import org.flowgate.packet.config.RouteSyntax;
import org.junit.jupiter.api.Test;

/** Forwarding decisions: MAC rewrite, TTL, MTU, ICMP errors and their limits. */
class ForwardingTest extends RouterFixture {

    @Test
    void forwardsIpv4WithMacRewriteAndTtlDecrement() {
        learnHosts();
        long txBefore = eth1.counters().txPackets(), bytesBefore = eth1.counters().txBytes();
        byte[] udp = udp4(H1_IP, H2_IP, 5000, 6000, "payload".getBytes());
        byte[] in = pad(eth(R0, H1, 0x0800, ipv4(H1_IP, H2_IP, 17, 64, udp)));
        p0.inject(in);
        byte[] out = only(p1.take());
        assertEquals(14 + 20 + udp.length, out.length, "Ethernet padding removed");
        assertEquals(H2, mac(out, 0));
        assertEquals(R1, mac(out, 6));
        assertEquals(63, u8(out, 14 + 8));
        assertEquals(0, csum(out, 14, 20, 0), "IPv4 header checksum still valid after the incremental update");
        assertArrayEquals(slice(in, 14 + 12, 8 + udp.length), slice(out, 14 + 12, 8 + udp.length), "addresses and payload untouched");
        assertEquals(u16(in, 14 + 2), u16(out, 14 + 2));
        assertTrue(p0.take().isEmpty());
        assertEquals(txBefore + 1, eth1.counters().txPackets());
        assertEquals(bytesBefore + out.length, eth1.counters().txBytes());
        assertEquals(2, eth0.counters().rxPackets(), "learnHosts' ARP and this one");
        assertTrue(p1.flushes() > 0, "endOfBatch flushed the egress port");
    }

    @Test
    void checksumStaysValidForEveryTtl() {
        learnHosts();
        for (int ttl = 2; ttl <= 255; ttl++) {
            p0.inject(eth(R0, H1, 0x0800, ipv4(H1_IP, H2_IP, 17, ttl, 0x4000, ttl * 257, new byte[0], udp4(H1_IP, H2_IP, 1, 2, new byte[ttl % 7]))));
            byte[] out = only(p1.take());
            assertEquals(ttl - 1, u8(out, 22));
            assertEquals(0, csum(out, 14, 20, 0), "ttl " + ttl);
        }
    }

    @Test
    void forwardsIpv6AndDecrementsHopLimit() {
        learnHosts();
        byte[] udp = udp6(H1_6, H2_6, 1, 2, new byte[10]);
        p0.inject(eth(R0, H1, 0x86DD, ipv6(H1_6, H2_6, 17, 9, udp)));
        byte[] out = only(p1.take());
        assertEquals(H2, mac(out, 0));
        assertEquals(R1, mac(out, 6));
        assertEquals(8, u8(out, 14 + 7));
        assertArrayEquals(udp, slice(out, 54, udp.length));
    }

    @Test
    void forwardsViaAGatewayOfAStaticRoute() {
        learnHosts();
        router.routes().add(RouteSyntax.parse("192.168.0.0/16 via 10.0.2.20"));
        p0.inject(eth(R0, H1, 0x0800, ipv4(H1_IP, ip4("192.168.7.7"), 17, 64, udp4(H1_IP, ip4("192.168.7.7"), 1, 2, new byte[0]))));
        byte[] out = only(p1.take());
        assertEquals(H2, mac(out, 0), "sent to the gateway's MAC");
        assertEquals(ip4("192.168.7.7"), u32(out, 30));
    }

    @Test
    void ttlExpiryV4SendsTimeExceeded() {
        learnHosts();
        byte[] orig = ipv4(H1_IP, H2_IP, 17, 1, udp4(H1_IP, H2_IP, 1, 2, new byte[4]));
        p0.inject(eth(R0, H1, 0x0800, orig));
        assertTrue(p1.take().isEmpty());
        byte[] r = only(p0.take());
        Packet p = assertIcmp4(r, 11, 0);
        assertEquals(H1, p.ethDst());
        assertEquals(R0_IP, p.ipv4Src(), "from the address towards the sender");
        assertEquals(H1_IP, p.ipv4Dst());
        assertArrayEquals(orig, slice(r, p.l4() - p.start() + 8, orig.length), "quotes the original packet, TTL 1");
        assertEquals(1, drops(eth0, DropReason.TTL_EXCEEDED));
    }

    @Test
    void hopLimitExpiryV6SendsTimeExceeded() {
        learnHosts();
        byte[] orig = ipv6(H1_6, H2_6, 17, 1, udp6(H1_6, H2_6, 1, 2, new byte[4]));
        p0.inject(eth(R0, H1, 0x86DD, orig));
        byte[] r = only(p0.take());
        Packet p = assertIcmp6(r, 3, 0);
        assertArrayEquals(R0_6, slice(r, 22, 16));
        assertArrayEquals(orig, slice(r, p.l4() - p.start() + 8, orig.length));
        assertEquals(1, drops(eth0, DropReason.TTL_EXCEEDED));
    }

    @Test
    void dontFragmentOverMtuSendsFragNeeded() {
        learnHosts();
        router.devices().setMtu("eth1", 1000);
        byte[] big = ipv4(H1_IP, H2_IP, 17, 64, 0x4000, 1, new byte[0], udp4(H1_IP, H2_IP, 1, 2, new byte[1200]));
        p0.inject(eth(R0, H1, 0x0800, big));
        assertTrue(p1.take().isEmpty());
        byte[] r = only(p0.take());
        Packet p = assertIcmp4(r, 3, 4);
        assertEquals(1000, p.u16(p.l4() + 6), "next-hop MTU");
        assertEquals(576, p.ipLength(), "quote limited to 576 bytes");
        assertEquals(1, drops(eth0, DropReason.MTU_EXCEEDED));
    }

    @Test
    void ipv6OverMtuSendsPacketTooBig() {
        learnHosts();
        router.devices().setMtu("eth1", 1280);
        byte[] big = ipv6(H1_6, H2_6, 17, 64, udp6(H1_6, H2_6, 1, 2, new byte[1300]));
        p0.inject(eth(R0, H1, 0x86DD, big));
        assertTrue(p1.take().isEmpty());
        byte[] r = only(p0.take());
        Packet p = assertIcmp6(r, 2, 0);
        assertEquals(1280, p.u32(p.l4() + 4));
        assertEquals(1280, p.ipLength(), "quote limited to the minimum MTU");
    }

    @Test
    void ipv4WithoutDfIsFragmentedLikeLinux() {
        learnHosts();
        router.devices().setMtu("eth1", 576);
        byte[] data = new byte[1400];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 31);
        byte[] options = {(byte) 0x94, 4, 0, 0, 7, 3, 4, 0}; // router alert (copied), record route (not copied), EOL
        byte[] udp = udp4(H1_IP, H2_IP, 1, 2, data);
        byte[] orig = ipv4(H1_IP, H2_IP, 17, 64, 0, 0xBEEF, options, udp);
        p0.inject(eth(R0, H1, 0x0800, orig));
        List<byte[]> frags = p1.take();
        assertEquals(3, frags.size(), "(576-28)&~7 = 544 data bytes per fragment: 1408 -> 544+544+320");
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        int expectOffset = 0;
        for (int i = 0; i < frags.size(); i++) {
            byte[] f = frags.get(i);
            Packet p = parsed(f);
            assertEquals(H2, p.ethDst());
            assertEquals(28, p.ipv4HeaderLength());
            assertTrue(p.ipLength() <= 576);
            assertEquals(0, csum(f, 14, 28, 0), "fragment header checksum");
            assertEquals(0xBEEF, u16(f, 18), "same identification");
            assertEquals(63, u8(f, 22));
            int field = u16(f, 20);
            assertEquals(expectOffset, (field & 0x1FFF) * 8);
            assertEquals(i < frags.size() - 1, (field & 0x2000) != 0, "MF on all but the last");
            assertEquals(0x94, u8(f, 34), "copied option kept");
            if (i == 0) assertEquals(7, u8(f, 38), "first fragment keeps every option");
            else assertArrayEquals(new byte[] {1, 1, 1, 0}, slice(f, 38, 4), "uncopied option replaced by NOPs");
            payload.writeBytes(slice(f, 42, p.ipLength() - 28));
            expectOffset += p.ipLength() - 28;
        }
        assertArrayEquals(udp, payload.toByteArray(), "fragments reassemble to the original payload");
    }

    @Test
    void noRouteSendsNetUnreachable() {
        learnHosts();
        p0.inject(eth(R0, H1, 0x0800, ipv4(H1_IP, ip4("198.51.100.1"), 17, 64, udp4(H1_IP, ip4("198.51.100.1"), 1, 2, new byte[0]))));
        assertIcmp4(only(p0.take()), 3, 0);
        assertEquals(1, drops(eth0, DropReason.NO_ROUTE));
        byte[] dst = ip6("2001:db8::1");
        p0.inject(eth(R0, H1, 0x86DD, ipv6(H1_6, dst, 17, 64, udp6(H1_6, dst, 1, 2, new byte[0]))));
        assertIcmp6(only(p0.take()), 1, 0);
    }

    @Test
    void linkLocalSourcesAreNotForwarded() {
        learnHosts();
        byte[] ll = ip6("fe80::1:1");
        p0.inject(eth(R0, H1, 0x86DD, ipv6(ll, H2_6, 17, 64, udp6(ll, H2_6, 1, 2, new byte[0]))));
        assertTrue(p1.take().isEmpty());
        assertEquals(1, drops(eth0, DropReason.NO_ROUTE));
    }

    @Test
    void framesToBroadcastMacAreNotForwarded() {
        learnHosts();
        p0.inject(eth(BCAST, H1, 0x0800, ipv4(H1_IP, H2_IP, 17, 64, udp4(H1_IP, H2_IP, 1, 2, new byte[0]))));
        assertTrue(p1.take().isEmpty());
        assertEquals(1, drops(eth0, DropReason.NOT_FOR_US));
    }

    @Test
    void noErrorAboutErrorsFragmentsOrBroadcasts() {
        learnHosts();
        byte[] quoted = ipv4(H2_IP, H1_IP, 17, 64, udp4(H2_IP, H1_IP, 1, 2, new byte[0]));
        byte[] icmpErr = icmp4(3, 3, 0, quoted);
        p0.inject(eth(R0, H1, 0x0800, ipv4(H1_IP, H2_IP, 1, 1, icmpErr)));                 // TTL 1 ICMP error
        p0.inject(eth(R0, H1, 0x0800, ipv4(H1_IP, H2_IP, 17, 1, 0x0010, 5, new byte[0], new byte[16]))); // later fragment
        p0.inject(eth(R0, H1, 0x0800, ipv4(H1_IP, ip4("10.0.2.255"), 17, 64, udp4(H1_IP, ip4("10.0.2.255"), 1, 2, new byte[0]))));
        assertTrue(p0.take().isEmpty());
        assertEquals(2, drops(eth0, DropReason.TTL_EXCEEDED));
        p0.inject(eth(R0, H1, 0x0800, ipv4(H1_IP, H2_IP, 1, 1, icmp4(8, 0, 1, new byte[4]))));
        assertIcmp4(only(p0.take()), 11, 0); // an echo request is informational: it gets its error
    }

    @Test
    void icmpErrorsAreRateLimited() {
        learnHosts();
        byte[] expiring = eth(R0, H1, 0x0800, ipv4(H1_IP, H2_IP, 17, 1, udp4(H1_IP, H2_IP, 1, 2, new byte[0])));
        for (int i = 0; i < 60; i++) p0.inject(expiring);
        assertEquals(50, p0.take().size(), "the burst");
        assertEquals(60, drops(eth0, DropReason.TTL_EXCEEDED));
        now.addAndGet(10_000_000L); // 10 ms at 1000/s = 10 tokens
        for (int i = 0; i < 20; i++) p0.inject(expiring);
        assertEquals(10, p0.take().size());
        // echo replies are not limited
        for (int i = 0; i < 5; i++) p0.inject(ping4(R0, H1, H1_IP, R0_IP, 64, 1, i, new byte[4]));
        assertEquals(5, p0.take().size());
    }

    @Test
    void forwardingOffMeansNotForUs() {
        learnHosts();
        router.path().setSettings(new org.flowgate.packet.path.PathSettings(false, 1000, 50));
        p0.inject(eth(R0, H1, 0x0800, ipv4(H1_IP, H2_IP, 17, 64, udp4(H1_IP, H2_IP, 1, 2, new byte[0]))));
        assertTrue(p1.take().isEmpty());
        assertEquals(1, drops(eth0, DropReason.NOT_FOR_US));
    }

    @Test
    void addressesConfiguredLaterTakeEffect() {
        router.devices().addAddress("eth1", IpPrefix.parse("172.16.0.1/12"));
        learnHosts();
        p1.inject(pad(eth(BCAST, 0x0200_0000_0303L, 0x0806, arp(1, 0x0200_0000_0303L, ip4("172.16.5.5"), 0, ip4("172.16.0.1")))));
        byte[] r = only(p1.take());
        assertEquals(2, u16(r, 20));
        p0.inject(eth(R0, H1, 0x0800, ipv4(H1_IP, ip4("172.16.5.5"), 17, 64, udp4(H1_IP, ip4("172.16.5.5"), 1, 2, new byte[0]))));
        assertEquals(0x0200_0000_0303L, mac(only(p1.take()), 0));
    }
}
