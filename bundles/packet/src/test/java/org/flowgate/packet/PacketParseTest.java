package org.flowgate.packet;

import static org.flowgate.packet.TestFrames.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.Random;

import org.flowgate.api.packet.DropReason;
import org.flowgate.api.packet.Packet;
import org.junit.jupiter.api.Test;

/** {@link Packet#parse()} on frames built from the RFC layouts, valid and broken. */
class PacketParseTest {
    static final long A = 0x0200_0000_0001L, B = 0x0200_0000_0002L;
    static final int S = ip4("10.0.1.10"), D = ip4("10.0.2.20");
    static final byte[] S6 = ip6("fd00:1::10"), D6 = ip6("fd00:2::20");

    static Packet packet(byte[] frame) {
        Packet p = new Packet();
        p.setFrame(frame, 0, frame.length);
        return p;
    }

    static DropReason parse(byte[] frame) { return packet(frame).parse(); }

    @Test
    void udpOverIpv4() {
        byte[] f = eth(B, A, 0x0800, ipv4(S, D, 17, 64, udp4(S, D, 1234, 53, new byte[] {1, 2, 3})));
        Packet p = packet(f);
        assertNull(p.parse());
        assertEquals(0x0800, p.etherType());
        assertEquals(4, p.ipVersion());
        assertEquals(Packet.HEADROOM + 14, p.l3());
        assertEquals(Packet.HEADROOM + 34, p.l4());
        assertEquals(17, p.l4Proto());
        assertEquals(S, p.ipv4Src());
        assertEquals(D, p.ipv4Dst());
        assertEquals(1234, p.srcPort());
        assertEquals(53, p.dstPort());
        assertEquals(64, p.ttl());
        assertEquals(31, p.ipLength());
        assertEquals(A, p.ethSrc());
        assertEquals(B, p.ethDst());
        assertTrue(p.hasPorts());
        assertEquals(-1, p.vlanTci());
        assertEquals(p.l4() + 6, p.l4ChecksumOffset());
    }

    @Test
    void ethernetPaddingIsNotPartOfTheIpPacket() {
        byte[] f = pad(eth(B, A, 0x0800, ipv4(S, D, 17, 64, udp4(S, D, 1, 2, new byte[0]))));
        assertEquals(60, f.length);
        Packet p = packet(f);
        assertNull(p.parse());
        assertEquals(28, p.ipLength());
        assertEquals(p.l3() + 28, p.l3End());
    }

    @Test
    void shortOrBrokenEthernet() {
        assertEquals(DropReason.MALFORMED_ETHERNET, parse(new byte[13]));
        assertNull(parse(eth(B, A, 0x1234, new byte[4])), "unknown EtherType is left to the path");
        byte[] tagOnly = slice(ethVlan(B, A, 5, 0x0800, new byte[0]), 0, 16);
        assertEquals(DropReason.MALFORMED_ETHERNET, parse(tagOnly));
        byte[] threeTags = ByteBuffer.allocate(40).put(mac(B)).put(mac(A)).putShort((short) 0x88A8).putShort((short) 1)
                .putShort((short) 0x8100).putShort((short) 2).putShort((short) 0x8100).putShort((short) 3).putShort((short) 0x0800).array();
        assertEquals(DropReason.MALFORMED_ETHERNET, parse(threeTags));
    }

    @Test
    void vlanAndQinQ() {
        byte[] f = ethVlan(B, A, 0x2064, 0x0800, ipv4(S, D, 17, 64, udp4(S, D, 1, 2, new byte[0])));
        Packet p = packet(f);
        assertNull(p.parse());
        assertEquals(0x2064, p.vlanTci());
        assertEquals(100, p.vlanId());
        assertTrue(p.hasFlag(Packet.F_VLAN));
        assertEquals(Packet.HEADROOM + 18, p.l3());
        assertEquals(S, p.ipv4Src());

        byte[] inner = ipv4(S, D, 17, 64, udp4(S, D, 1, 2, new byte[0]));
        byte[] q = ByteBuffer.allocate(22 + inner.length).put(mac(B)).put(mac(A)).putShort((short) 0x88A8).putShort((short) 10)
                .putShort((short) 0x8100).putShort((short) 20).putShort((short) 0x0800).put(inner).array();
        p = packet(q);
        assertNull(p.parse());
        assertEquals(10, p.vlanId());
        assertTrue(p.hasFlag(Packet.F_QINQ));
        assertEquals(Packet.HEADROOM + 22, p.l3());
        // popping the outer tag leaves the inner one as the outer
        p.popVlan();
        assertEquals(20, p.vlanId());
        assertFalse(p.hasFlag(Packet.F_QINQ));
        p.popVlan();
        assertEquals(-1, p.vlanTci());
        assertEquals(0x0800, p.u16(p.start() + 12));
        assertNull(p.parse(), "the frame is a valid untagged frame now");
        assertEquals(S, p.ipv4Src());
    }

    @Test
    void pushVlanMakesTheNewTagTheOuterOne() {
        Packet p = packet(ethVlan(B, A, 7, 0x0800, ipv4(S, D, 17, 64, udp4(S, D, 1, 2, new byte[0]))));
        assertNull(p.parse());
        p.pushVlan(9);
        assertEquals(9, p.vlanTci());
        assertTrue(p.hasFlag(Packet.F_QINQ));
        assertNull(p.parse());
        assertEquals(9, p.vlanId());
    }

    @Test
    void arp() {
        assertNull(parse(pad(eth(BCAST, A, 0x0806, TestFrames.arp(1, A, S, 0, D)))));
        assertEquals(DropReason.MALFORMED_ARP, parse(eth(BCAST, A, 0x0806, new byte[27])));
        byte[] a = TestFrames.arp(1, A, S, 0, D);
        a[5] = 16; // protocol address length 16: not Ethernet/IPv4 ARP
        assertEquals(DropReason.MALFORMED_ARP, parse(eth(BCAST, A, 0x0806, a)));
        byte[] op = TestFrames.arp(9, A, S, 0, D);
        assertEquals(DropReason.MALFORMED_ARP, parse(eth(BCAST, A, 0x0806, op)));
    }

    @Test
    void ipv4HeaderChecks() {
        byte[] good = ipv4(S, D, 17, 64, udp4(S, D, 1, 2, new byte[4]));
        byte[] badVersion = good.clone();
        badVersion[0] = 0x55;
        assertEquals(DropReason.MALFORMED_IPV4, parse(eth(B, A, 0x0800, badVersion)));
        byte[] shortIhl = good.clone();
        shortIhl[0] = 0x44;
        assertEquals(DropReason.MALFORMED_IPV4, parse(eth(B, A, 0x0800, shortIhl)));
        byte[] tooLong = good.clone();
        tooLong[3] += 1;
        assertEquals(DropReason.MALFORMED_IPV4, parse(eth(B, A, 0x0800, tooLong)));
        byte[] badSum = good.clone();
        badSum[8] = 1; // TTL changed, checksum not
        assertEquals(DropReason.BAD_IPV4_CHECKSUM, parse(eth(B, A, 0x0800, badSum)));
        assertEquals(DropReason.MALFORMED_IPV4, parse(eth(B, A, 0x0800, new byte[19])));
    }

    @Test
    void ipv4OptionsAndFragments() {
        byte[] rr = {7, 7, 4, 0, 0, 0, 0, 1}; // record route (3 bytes free) + EOL padding
        Packet p = packet(eth(B, A, 0x0800, ipv4(S, D, 17, 64, 0, 1, rr, udp4(S, D, 1, 2, new byte[0]))));
        assertNull(p.parse());
        assertTrue(p.hasFlag(Packet.F_IPV4_OPTIONS));
        assertEquals(p.l3() + 28, p.l4());

        Packet first = packet(eth(B, A, 0x0800, ipv4(S, D, 17, 64, 0x2000, 1, new byte[0], udp4(S, D, 1, 2, new byte[16]))));
        assertNull(first.parse());
        assertTrue(first.hasFlag(Packet.F_FRAGMENT));
        assertFalse(first.hasFlag(Packet.F_LATER_FRAGMENT));
        assertEquals(1, first.srcPort());
        assertTrue(first.hasPorts(), "the UDP length covers the whole datagram, not this fragment");
        byte[] shortUdp = udp4(S, D, 1, 2, new byte[16]);
        shortUdp[5] = 100;
        assertEquals(DropReason.MALFORMED_L4, parse(eth(B, A, 0x0800, ipv4(S, D, 17, 64, shortUdp))), "unfragmented: must fit");

        Packet later = packet(eth(B, A, 0x0800, ipv4(S, D, 17, 64, 3, 1, new byte[0], new byte[16])));
        assertNull(later.parse());
        assertTrue(later.hasFlag(Packet.F_LATER_FRAGMENT));
        assertEquals(-1, later.l4());
        assertEquals(17, later.l4Proto());
        assertFalse(later.hasPorts());
    }

    @Test
    void transportHeaderChecks() {
        assertEquals(DropReason.MALFORMED_L4, parse(eth(B, A, 0x0800, ipv4(S, D, 6, 64, new byte[19]))));
        byte[] tcp = tcp4(S, D, 1, 2, 0, 0, 2, new byte[0]);
        tcp[12] = 0x40; // data offset 16 bytes < 20
        assertEquals(DropReason.MALFORMED_L4, parse(eth(B, A, 0x0800, ipv4(S, D, 6, 64, tcp))));
        tcp[12] = (byte) 0xF0; // 60 bytes > segment
        assertEquals(DropReason.MALFORMED_L4, parse(eth(B, A, 0x0800, ipv4(S, D, 6, 64, tcp))));
        byte[] udp = udp4(S, D, 1, 2, new byte[4]);
        udp[5] = 40; // UDP length beyond the IP payload
        assertEquals(DropReason.MALFORMED_L4, parse(eth(B, A, 0x0800, ipv4(S, D, 17, 64, udp))));
        assertEquals(DropReason.MALFORMED_L4, parse(eth(B, A, 0x0800, ipv4(S, D, 1, 64, new byte[7]))));
        Packet p = packet(eth(B, A, 0x0800, ipv4(S, D, 47, 64, new byte[4])));
        assertNull(p.parse(), "GRE and other protocols pass the parser");
        assertEquals(47, p.l4Proto());
        Packet t = packet(eth(B, A, 0x0800, ipv4(S, D, 6, 64, tcp4(S, D, 80, 443, 1, 2, 0x12, new byte[0]))));
        assertNull(t.parse());
        assertEquals(0x12, t.tcpFlags());
        assertEquals(t.l4() + 16, t.l4ChecksumOffset());
    }

    @Test
    void ipv6WithExtensionHeaders() {
        byte[] udp = udp6(S6, D6, 5000, 53, new byte[3]);
        // hop-by-hop (8 bytes, PadN) -> destination options (8) -> fragment (first) -> UDP
        byte[] hbh = {60, 0, 1, 4, 0, 0, 0, 0};
        byte[] dst = {44, 0, 1, 4, 0, 0, 0, 0};
        byte[] frag = {17, 0, 0, 1, 0, 0, 0, 42};
        byte[] f = eth(B, A, 0x86DD, ipv6(S6, D6, 0, 64, concat(hbh, dst, frag, udp)));
        Packet p = packet(f);
        assertNull(p.parse());
        assertEquals(6, p.ipVersion());
        assertTrue(p.hasFlag(Packet.F_IPV6_EXT));
        assertTrue(p.hasFlag(Packet.F_FRAGMENT));
        assertFalse(p.hasFlag(Packet.F_LATER_FRAGMENT));
        assertEquals(17, p.l4Proto());
        assertEquals(p.l3() + 40 + 24, p.l4());
        assertEquals(5000, p.srcPort());
        assertEquals(0xFD00_0001_0000_0000L, p.ipv6SrcHi());
        assertEquals(0x10, p.ipv6SrcLo());

        byte[] laterFrag = {17, 0, 0, 8 | 1, 0, 0, 0, 42}; // offset 1 (8 bytes), M
        Packet l = packet(eth(B, A, 0x86DD, ipv6(S6, D6, 44, 64, concat(laterFrag, new byte[8]))));
        assertNull(l.parse());
        assertTrue(l.hasFlag(Packet.F_LATER_FRAGMENT));
        assertEquals(-1, l.l4());
        assertEquals(17, l.l4Proto());

        byte[] ah = {58, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1}; // AH, payload len 1 -> (1+2)*4 = 12 bytes
        byte[] icmp = icmp6(S6, D6, 128, 0, new byte[4]);
        Packet a = packet(eth(B, A, 0x86DD, ipv6(S6, D6, 51, 64, concat(ah, icmp))));
        assertNull(a.parse());
        assertEquals(58, a.l4Proto());
        assertEquals(a.l3() + 52, a.l4());
        assertEquals(128, a.icmpType());
    }

    @Test
    void brokenIpv6() {
        assertEquals(DropReason.MALFORMED_IPV6, parse(eth(B, A, 0x86DD, new byte[39])));
        byte[] v = ipv6(S6, D6, 59, 64, new byte[0]);
        v[0] = 0x40;
        assertEquals(DropReason.MALFORMED_IPV6, parse(eth(B, A, 0x86DD, v)));
        byte[] longer = ipv6(S6, D6, 59, 64, new byte[8]);
        longer[5] = 9; // payload length beyond the frame
        assertEquals(DropReason.MALFORMED_IPV6, parse(eth(B, A, 0x86DD, longer)));
        byte[] runsOver = {17, 4, 0, 0, 0, 0, 0, 0}; // says 40 bytes, has 8
        assertEquals(DropReason.MALFORMED_IPV6, parse(eth(B, A, 0x86DD, ipv6(S6, D6, 60, 64, runsOver))));
        byte[] hbhSecond = {0, 0, 1, 4, 0, 0, 0, 0};    // destination options -> hop-by-hop: not allowed
        byte[] hbh = {59, 0, 1, 4, 0, 0, 0, 0};
        assertEquals(DropReason.MALFORMED_IPV6, parse(eth(B, A, 0x86DD, ipv6(S6, D6, 60, 64, concat(hbhSecond, hbh)))));
        byte[] chain = new byte[8 * 9];
        for (int i = 0; i < 9; i++) chain[i * 8] = 60;    // nine destination option headers: over the limit
        assertEquals(DropReason.MALFORMED_IPV6, parse(eth(B, A, 0x86DD, ipv6(S6, D6, 60, 64, chain))));
        assertEquals(DropReason.MALFORMED_L4, parse(eth(B, A, 0x86DD, ipv6(S6, D6, 58, 64, new byte[4]))));
    }

    @Test
    void copyFromKeepsLayoutAndMetadata() {
        Packet p = packet(ethVlan(B, A, 3, 0x0800, ipv4(S, D, 17, 64, udp4(S, D, 7, 9, new byte[2]))));
        assertNull(p.parse());
        p.setMark(42);
        p.setCtZone(3);
        Packet q = new Packet();
        q.copyFrom(p);
        assertEquals(p.l4() - p.start(), q.l4() - q.start());
        assertEquals(7, q.srcPort());
        assertEquals(42, q.mark());
        assertEquals(3, q.vlanId());
        assertArrayEquals(p.toByteArray(), q.toByteArray());
    }

    /** The fuzzing contract: arbitrary bytes and every truncation of valid frames never throw. */
    @Test
    void neverThrowsOnGarbage() {
        Random r = new Random(1);
        Packet p = new Packet();
        byte[][] seeds = {
                eth(B, A, 0x0800, ipv4(S, D, 6, 64, tcp4(S, D, 1, 2, 3, 4, 0x18, new byte[30]))),
                eth(B, A, 0x86DD, ipv6(S6, D6, 0, 64, concat(new byte[] {44, 0, 1, 4, 0, 0, 0, 0},
                        new byte[] {17, 0, 0, 1, 0, 0, 0, 1}, udp6(S6, D6, 1, 2, new byte[9])))),
                ethVlan(B, A, 1, 0x0806, TestFrames.arp(2, A, S, B, D)),
        };
        for (byte[] seed : seeds) {
            for (int len = 0; len <= seed.length; len++) {
                p.setFrame(seed, 0, len);
                assertDoesNotThrow(p::parse);
            }
            for (int i = 0; i < 20_000; i++) {
                byte[] m = seed.clone();
                int flips = 1 + r.nextInt(4);
                for (int k = 0; k < flips; k++) m[r.nextInt(m.length)] = (byte) r.nextInt();
                int len = r.nextInt(m.length + 1);
                p.setFrame(m, 0, len);
                DropReason d = p.parse();
                if (d == null) {
                    // whatever parsed must lie inside the frame
                    assertTrue(p.l3End() <= p.end());
                    if (p.l4() >= 0) assertTrue(p.l4() <= p.l3End());
                    if (p.hasPorts()) assertTrue(p.l4() + 8 <= p.l3End());
                }
            }
        }
        for (int i = 0; i < 50_000; i++) {
            byte[] m = new byte[r.nextInt(120)];
            r.nextBytes(m);
            if (m.length > 13 && r.nextBoolean()) { m[12] = (byte) 0x86; m[13] = (byte) 0xDD; }
            p.setFrame(m, 0, m.length);
            assertDoesNotThrow(p::parse);
        }
    }
}
