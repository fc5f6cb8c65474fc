package org.flowgate.conntrack.proto;

import static org.flowgate.conntrack.testing.Frames.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.CtState;
import org.flowgate.api.conntrack.CtStatus;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.conntrack.testing.Router;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** UDP, ICMP/ICMPv6 echo, ICMP errors (RELATED), untracked neighbour discovery, zones. */
class UdpIcmpTrackingTest {
    static final IpAddress A = IpAddress.parse("10.0.1.2"), B = IpAddress.parse("10.0.2.2");
    static final IpAddress A6 = IpAddress.parse("2001:db8:1::2"), B6 = IpAddress.parse("2001:db8:2::2");

    Router r;

    @BeforeEach
    void setUp() { r = new Router(); }

    Packet udp(IpAddress s, int sp, IpAddress d, int dp) {
        return packet(ip(s, d, Packet.PROTO_UDP, udpSegment(sp, dp)));
    }

    static byte[] udpSegment(int sp, int dp) { return org.flowgate.conntrack.testing.Frames.udp(sp, dp, "hello".getBytes()); }

    @Test
    void udpNewThenEstablishedOnReplyWithThirtyAndHundredTwentySeconds() {
        Packet first = udp(A, 5000, B, 53);
        assertTrue(r.forward(first));
        assertEquals(CtState.NEW, first.ctState());
        ConnEntry e = r.ct.find(0, FiveTuple.of(A, 5000, B, 53, Packet.PROTO_UDP));
        assertNotNull(e);
        assertEquals(30, e.timeoutSeconds());
        assertEquals(0, e.status() & CtStatus.SEEN_REPLY);

        r.clock.advanceSeconds(1);
        Packet reply = udp(B, 53, A, 5000);
        assertTrue(r.forward(reply));
        assertEquals(CtState.ESTABLISHED, reply.ctState());
        assertEquals(1, reply.ctDirection());
        assertNotEquals(0, e.status() & CtStatus.SEEN_REPLY);
        assertEquals(30, e.timeoutSeconds(), "Linux: replied but younger than 2 s keeps the 30 s timeout");
        assertEquals(0, e.status() & CtStatus.ASSURED);

        r.clock.advanceSeconds(2);
        Packet again = udp(A, 5000, B, 53);
        assertTrue(r.forward(again));
        assertEquals(CtState.ESTABLISHED, again.ctState());
        assertEquals(120, e.timeoutSeconds());
        assertNotEquals(0, e.status() & CtStatus.ASSURED);
    }

    @Test
    void udpEntryExpiresAfterItsTimeoutWithoutSleeping() {
        assertTrue(r.forward(udp(A, 5000, B, 53)));
        r.clock.advanceSeconds(29);
        r.ct.gcStep(0, r.ct.table().bucketCount());
        assertEquals(1, r.ct.count());
        r.clock.advanceSeconds(1.5);
        assertNull(r.ct.find(0, FiveTuple.of(A, 5000, B, 53, Packet.PROTO_UDP)), "expired entries are not found");
        r.ct.gcStep(0, r.ct.table().bucketCount());
        assertEquals(0, r.ct.count());
        assertEquals(1L, r.ct.stats().get("expired"));
        Packet p = udp(A, 5000, B, 53);
        assertTrue(r.forward(p));
        assertEquals(CtState.NEW, p.ctState());
    }

    @Test
    void firstPacketDroppedLaterLeavesNothing() {
        Packet p = udp(A, 5000, B, 53);
        assertTrue(r.preroutingOnly(p));
        assertEquals(CtState.NEW, p.ctState());
        assertEquals(0, r.ct.count());
        Packet p2 = udp(A, 5000, B, 53);
        assertTrue(r.forward(p2));
        assertEquals(CtState.NEW, p2.ctState());
        assertEquals(1, r.ct.count());
    }

    @Test
    void untrackedPacketsAreLeftAlone() {
        Packet p = udp(A, 5000, B, 53);
        p.setCtState(CtState.UNTRACKED);
        assertTrue(r.forward(p));
        assertEquals(CtState.UNTRACKED, p.ctState());
        assertNull(p.conn());
        assertEquals(0, r.ct.count());
    }

    @Test
    void zonesSeparateIdenticalTuples() {
        Packet z1 = udp(A, 5000, B, 53);
        z1.setCtZone(1);
        Packet z2 = udp(A, 5000, B, 53);
        z2.setCtZone(2);
        assertTrue(r.forward(z1));
        assertTrue(r.forward(z2));
        assertEquals(2, r.ct.count());
        assertNotSame(z1.conn(), z2.conn());
        assertEquals(2, r.conn(z2).zone());
        assertNull(r.ct.find(0, FiveTuple.of(A, 5000, B, 53, Packet.PROTO_UDP)));
    }

    @Test
    void icmpEchoIsTrackedByIdentifier() {
        Packet req = packet(ip(A, B, Packet.PROTO_ICMP, echo(8, 0x1234, 1, new byte[8])));
        assertTrue(r.forward(req));
        assertEquals(CtState.NEW, req.ctState());
        ConnEntry e = r.conn(req);
        assertEquals(30, e.timeoutSeconds());
        assertEquals(0x1234, e.original().srcPort);
        Packet rep = packet(ip(B, A, Packet.PROTO_ICMP, echo(0, 0x1234, 1, new byte[8])));
        assertTrue(r.forward(rep));
        assertEquals(CtState.ESTABLISHED, rep.ctState());
        assertSame(e, rep.conn());
        // another identifier is another connection
        Packet other = packet(ip(A, B, Packet.PROTO_ICMP, echo(8, 0x9999, 1, new byte[8])));
        assertTrue(r.forward(other));
        assertNotSame(e, other.conn());
    }

    @Test
    void unsolicitedEchoReplyIsInvalid() {
        Packet rep = packet(ip(B, A, Packet.PROTO_ICMP, echo(0, 7, 1, new byte[8])));
        assertTrue(r.forward(rep));
        assertEquals(CtState.INVALID, rep.ctState());
        assertEquals(0, r.ct.count());
    }

    @Test
    void icmpv6EchoAndNeighbourDiscovery() {
        Packet req = packet(ip(A6, B6, Packet.PROTO_ICMPV6, echo(128, 77, 1, new byte[4])));
        assertTrue(r.forward(req));
        assertEquals(CtState.NEW, req.ctState());
        Packet rep = packet(ip(B6, A6, Packet.PROTO_ICMPV6, echo(129, 77, 1, new byte[4])));
        assertTrue(r.forward(rep));
        assertEquals(CtState.ESTABLISHED, rep.ctState());

        byte[] ns = new byte[24];
        ns[0] = (byte) 135;
        Packet nsPkt = packet(ip(A6, B6, Packet.PROTO_ICMPV6, ns));
        assertTrue(r.forward(nsPkt));
        assertEquals(CtState.UNTRACKED, nsPkt.ctState());
        assertEquals(1, r.ct.count());
    }

    @Test
    void icmpErrorIsRelatedToTheConnectionItQuotes() {
        Packet out = udp(A, 5000, B, 53);
        byte[] sent = ipBytes(out);
        assertTrue(r.forward(out));
        // B answers port unreachable, quoting the datagram
        Packet err = packet(ip(B, A, Packet.PROTO_ICMP, icmpError(3, 3, sent, 28)));
        assertTrue(r.forward(err));
        assertEquals(CtState.RELATED, err.ctState());
        assertEquals(1, err.ctDirection());
        assertSame(out.conn(), err.conn());

        // an error about an unknown connection is invalid
        byte[] unknown = ip(A, B, Packet.PROTO_UDP, org.flowgate.conntrack.testing.Frames.udp(6000, 53, new byte[4]));
        Packet err2 = packet(ip(B, A, Packet.PROTO_ICMP, icmpError(3, 3, unknown, 28)));
        assertTrue(r.forward(err2));
        assertEquals(CtState.INVALID, err2.ctState());

        // a corrupted ICMP checksum makes it invalid as well
        byte[] bad = ip(B, A, Packet.PROTO_ICMP, icmpError(3, 3, sent, 28));
        bad[22] ^= 0x55;
        Packet err3 = packet(bad);
        assertTrue(r.forward(err3));
        assertEquals(CtState.INVALID, err3.ctState());
    }

    @Test
    void icmpv6ErrorIsRelated() {
        Packet out = packet(ip(A6, B6, Packet.PROTO_UDP, org.flowgate.conntrack.testing.Frames.udp(5000, 53, new byte[4])));
        byte[] sent = ipBytes(out);
        assertTrue(r.forward(out));
        byte[] err = new byte[8 + sent.length];
        err[0] = 1; // destination unreachable
        err[1] = 4;
        System.arraycopy(sent, 0, err, 8, sent.length);
        Packet e = packet(ip(B6, A6, Packet.PROTO_ICMPV6, err));
        assertTrue(r.forward(e));
        assertEquals(CtState.RELATED, e.ctState());
        assertSame(out.conn(), e.conn());
    }

    @Test
    void badChecksumsAreInvalidWhenVerificationIsOn() {
        byte[] good = ip(A, B, Packet.PROTO_UDP, udpSegment(5000, 53));
        byte[] bad = good.clone();
        bad[bad.length - 1] ^= 1;
        Packet off = packet(bad);
        assertTrue(r.ct.track(off, true));
        assertEquals(CtState.NEW, off.ctState(), "verification is off by default");
        r = new Router();
        r.ct.setVerifyChecksums(true);
        Packet p = packet(bad);
        assertTrue(r.ct.track(p, true));
        assertEquals(CtState.INVALID, p.ctState());
        Packet local = packet(bad);
        assertTrue(r.ct.track(local, false), "the router's own packets are not verified");
        Packet ok = packet(good);
        assertTrue(r.ct.track(ok, true));
        assertEquals(CtState.NEW, ok.ctState());
        Packet noSum = packet(ip(A, B, Packet.PROTO_UDP, udpSegment(5001, 53), true));
        assertTrue(r.ct.track(noSum, true));
        assertEquals(CtState.NEW, noSum.ctState(), "IPv4 UDP without checksum is fine");
        byte[] tcpBad = ip(A, B, Packet.PROTO_TCP, org.flowgate.conntrack.testing.Frames.tcp(1, 2, 3, 0, org.flowgate.conntrack.testing.Frames.SYN, 100));
        tcpBad[36] ^= 0x10;
        Packet t = packet(tcpBad);
        assertTrue(r.ct.track(t, true));
        assertEquals(CtState.INVALID, t.ctState());
    }

    @Test
    void laterFragmentsAreInvalidWithoutReassembly() {
        byte[] b = ip(A, B, Packet.PROTO_UDP, org.flowgate.conntrack.testing.Frames.udp(5000, 53, new byte[16]));
        b[6] = 0; b[7] = 10; // fragment offset 80 bytes
        b[10] = 0; b[11] = 0;
        int c = checksum(b);
        b[10] = (byte) (c >>> 8); b[11] = (byte) c;
        Packet p = packet(b);
        assertTrue(r.forward(p));
        assertEquals(CtState.INVALID, p.ctState());
        assertTrue(Arrays.equals(b, ipBytes(p)));
    }

    static int checksum(byte[] b) {
        long s = 0;
        for (int i = 0; i < 20; i += 2) s += ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
        while ((s >>> 16) != 0) s = (s & 0xFFFF) + (s >>> 16);
        return (int) (~s & 0xFFFF);
    }
}
