package org.flowgate.conntrack.nat;

import static org.flowgate.conntrack.testing.Frames.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.List;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.CtState;
import org.flowgate.api.conntrack.CtStatus;
import org.flowgate.api.conntrack.NatRange;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.conntrack.testing.FakeDevice;
import org.flowgate.conntrack.testing.Router;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SNAT, masquerade and DNAT for IPv4 and IPv6: every rewritten packet's checksums are recomputed
 * from scratch in the test.
 */
class NatTest {
    static final IpAddress C1 = ip4("10.0.1.2"), C2 = ip4("10.0.1.3"), S = ip4("198.51.100.7"), PUB = ip4("203.0.113.1");
    static final IpAddress C6 = IpAddress.parse("fd00:1::2"), S6 = IpAddress.parse("2001:db8:2::7"), PUB6 = IpAddress.parse("2001:db8:ff::1");

    Router r;

    static IpAddress ip4(String s) { return IpAddress.parse(s); }

    static NatRange snat(IpAddress a) { return new NatRange(NatRange.Kind.SNAT, a, a, 0, 0, false); }

    @BeforeEach
    void setUp() { r = new Router(); }

    Packet tcpPkt(IpAddress s, int sp, IpAddress d, int dp, int seq, int ack, int flags) {
        return packet(ip(s, d, Packet.PROTO_TCP, tcp(sp, dp, seq, ack, flags, 64240, new byte[0], "data!".getBytes())));
    }

    Packet udpPkt(IpAddress s, int sp, IpAddress d, int dp, boolean zeroChecksum) {
        return packet(ip(s, d, Packet.PROTO_UDP, udp(sp, dp, "payload-0123456".getBytes()), zeroChecksum));
    }

    /** Forwards, asserts accepted, verifies checksums from scratch, returns the IP packet bytes. */
    byte[] fwd(Packet p) { return fwd(p, false); }

    byte[] fwd(Packet p, boolean udpZero) {
        assertTrue(r.forward(p), "dropped");
        byte[] b = ipBytes(p);
        verifyChecksums(b, udpZero);
        return b;
    }

    static IpAddress src(byte[] ip) { return ip[0] >>> 4 == 4 ? IpAddress.of(Arrays.copyOfRange(ip, 12, 16)) : IpAddress.of(Arrays.copyOfRange(ip, 8, 24)); }

    static IpAddress dst(byte[] ip) { return ip[0] >>> 4 == 4 ? IpAddress.of(Arrays.copyOfRange(ip, 16, 20)) : IpAddress.of(Arrays.copyOfRange(ip, 24, 40)); }

    static int hl(byte[] ip) { return ip[0] >>> 4 == 4 ? (ip[0] & 0xF) * 4 : 40; }

    static int sport(byte[] ip) { return get16(ip, hl(ip)); }

    static int dport(byte[] ip) { return get16(ip, hl(ip) + 2); }

    @Test
    void snatV4TcpRewritesSourceAndDeNatsReplies() {
        r.snat = snat(PUB);
        byte[] out = fwd(tcpPkt(C1, 40000, S, 80, 1000, 0, SYN));
        assertEquals(PUB, src(out));
        assertEquals(40000, sport(out), "a free source port is kept");
        assertEquals(S, dst(out));

        ConnEntry e = r.ct.find(0, FiveTuple.of(C1, 40000, S, 80, Packet.PROTO_TCP));
        assertNotNull(e);
        assertEquals(FiveTuple.of(S, 80, PUB, 40000, Packet.PROTO_TCP), e.reply());
        assertNotEquals(0, e.status() & CtStatus.SRC_NAT);
        assertEquals(0, e.status() & CtStatus.DST_NAT);

        byte[] back = fwd(tcpPkt(S, 80, PUB, 40000, 7000, 1001, SYN | ACK));
        assertEquals(S, src(back));
        assertEquals(C1, dst(back));
        assertEquals(40000, dport(back));

        byte[] ack = fwd(tcpPkt(C1, 40000, S, 80, 1001, 7001, ACK));
        assertEquals(PUB, src(ack));
        assertEquals("ESTABLISHED", e.protoState());
    }

    @Test
    void portClashPicksAnotherPortAndRepliesReachTheRightHost() {
        r.snat = snat(PUB);
        byte[] a = fwd(udpPkt(C1, 5000, S, 53, false));
        byte[] b = fwd(udpPkt(C2, 5000, S, 53, false));
        assertEquals(5000, sport(a));
        int other = sport(b);
        assertNotEquals(5000, other);
        assertTrue(other >= 1024 && other <= 65535, "unprivileged source ports map into 1024-65535: " + other);
        assertEquals(PUB, src(b));

        byte[] toB = fwd(udpPkt(S, 53, PUB, other, false));
        assertEquals(C2, dst(toB));
        assertEquals(5000, dport(toB));
        byte[] toA = fwd(udpPkt(S, 53, PUB, 5000, false));
        assertEquals(C1, dst(toA));
    }

    @Test
    void privilegedPortsStayPrivileged() {
        r.snat = snat(PUB);
        fwd(udpPkt(C1, 123, S, 123, false));
        byte[] b = fwd(udpPkt(C2, 123, S, 123, false));
        assertTrue(sport(b) >= 1 && sport(b) <= 511, "ports below 512 map below 512: " + sport(b));
    }

    @Test
    void exhaustedRangeFailsTheBindingAndCounts() {
        r.snat = new NatRange(NatRange.Kind.SNAT, PUB, PUB, 6000, 6001, false);
        IpAddress[] hosts = {ip4("10.0.1.10"), ip4("10.0.1.11"), ip4("10.0.1.12")};
        int first = sport(fwd(udpPkt(hosts[0], 7777, S, 53, false)));
        int second = sport(fwd(udpPkt(hosts[1], 7777, S, 53, false)));
        assertTrue(first >= 6000 && first <= 6001 && second >= 6000 && second <= 6001 && first != second);
        Packet third = udpPkt(hosts[2], 7777, S, 53, false);
        assertFalse(r.forward(third), "no free port left: the ruleset drops the packet");
        assertEquals(1L, r.ct.stats().get("nat_exhausted"));
        assertEquals(2, r.ct.count(), "the failed connection was never confirmed");
        // once an entry goes, the port is free again
        r.ct.delete(r.ct.find(0, FiveTuple.of(hosts[0], 7777, S, 53, Packet.PROTO_UDP)));
        assertTrue(r.forward(udpPkt(hosts[2], 7777, S, 53, false)));
    }

    @Test
    void portRangeIsHonoured() {
        r.snat = new NatRange(NatRange.Kind.SNAT, PUB, PUB, 20000, 20010, false);
        for (int i = 0; i < 11; i++) {
            byte[] b = fwd(udpPkt(C1, 3000 + i, S, 53, false));
            assertTrue(sport(b) >= 20000 && sport(b) <= 20010, "port " + sport(b));
        }
        assertFalse(r.forward(udpPkt(C1, 4000, S, 53, false)));
    }

    @Test
    void addressRangeSpreadsAndStaysInside() {
        IpAddress lo = ip4("203.0.113.10"), hi = ip4("203.0.113.13");
        r.snat = new NatRange(NatRange.Kind.SNAT, lo, hi, 0, 0, false);
        for (int i = 0; i < 20; i++) {
            byte[] b = fwd(udpPkt(ip4("10.0.1." + (20 + i)), 5000, S, 53, false));
            IpAddress a = src(b);
            assertTrue(a.compareTo(lo) >= 0 && a.compareTo(hi) <= 0, a.toString());
        }
    }

    @Test
    void masqueradeUsesTheEgressAddressOfTheFamily() {
        r.out = new FakeDevice("wan", List.of(IpPrefix.parse("fe80::1/64"), IpPrefix.parse("192.0.2.1/24"), IpPrefix.parse("2001:db8:ff::1/64")));
        r.snat = new NatRange(NatRange.Kind.MASQUERADE, null, null, 0, 0, false);
        byte[] v4 = fwd(tcpPkt(C1, 40000, S, 80, 1, 0, SYN));
        assertEquals(ip4("192.0.2.1"), src(v4));
        byte[] v6 = fwd(tcpPkt(C6, 40000, S6, 80, 1, 0, SYN));
        assertEquals(PUB6, src(v6));
        byte[] back = fwd(tcpPkt(S6, 80, PUB6, 40000, 50, 2, SYN | ACK));
        assertEquals(C6, dst(back));
    }

    /** Splits an IPv4 packet into two fragments at {@code at} payload bytes (a multiple of 8). */
    static byte[][] fragment(byte[] ip, int at) {
        int hl = 20, payload = ip.length - hl;
        byte[] a = new byte[hl + at], b = new byte[hl + payload - at];
        System.arraycopy(ip, 0, a, 0, hl + at);
        System.arraycopy(ip, 0, b, 0, hl);
        System.arraycopy(ip, hl + at, b, hl, payload - at);
        setLenOffCsum(a, a.length, 0x2000);
        setLenOffCsum(b, b.length, at / 8);
        return new byte[][] {a, b};
    }

    static void setLenOffCsum(byte[] h, int len, int fragField) {
        h[2] = (byte) (len >>> 8); h[3] = (byte) len;
        h[6] = (byte) (fragField >>> 8); h[7] = (byte) fragField;
        h[10] = 0; h[11] = 0;
        long sum = 0;
        for (int i = 0; i < 20; i += 2) sum += ((h[i] & 0xFF) << 8) | (h[i + 1] & 0xFF);
        while ((sum >>> 16) != 0) sum = (sum & 0xFFFF) + (sum >>> 16);
        int c = (int) (~sum & 0xFFFF);
        h[10] = (byte) (c >>> 8); h[11] = (byte) c;
    }

    @Test
    void laterFragmentsFollowTheirFirstFragmentsTranslation() {
        // a big ping (ICMP parses as a first fragment; a first UDP fragment is refused by
        // Packet.parse, whose UDP length check does not allow for fragments)
        r.snat = snat(PUB);
        byte[] data = new byte[300];
        data[250] = 42;
        fwd(packet(ip(C2, S, Packet.PROTO_ICMP, echo(8, 7, 1, new byte[8])))); // id 7 taken: ours gets remapped
        byte[] full = ip(C1, S, Packet.PROTO_ICMP, echo(8, 7, 1, data));
        byte[][] frags = fragment(full, 104);
        Packet first = packet(frags[0]), second = packet(frags[1]);
        assertTrue(second.hasFlag(Packet.F_LATER_FRAGMENT));

        // out of order: a later fragment before its first fragment is invalid
        Packet early = packet(frags[1]);
        assertTrue(r.forward(early));
        assertEquals(CtState.INVALID, early.ctState());

        assertTrue(r.forward(first));
        assertTrue(r.forward(second));
        assertEquals(CtState.NEW, second.ctState());
        assertSame(first.conn(), second.conn());
        byte[] a = ipBytes(first), b = ipBytes(second);
        assertEquals(PUB, src(a));
        assertEquals(PUB, src(b), "the later fragment is translated too: no private address leaks");
        assertNotEquals(7, get16(a, 24), "the echo id in the first fragment was remapped");
        // reassemble and check the ICMP checksum over the whole message from scratch
        byte[] re = new byte[20 + (a.length - 20) + (b.length - 20)];
        System.arraycopy(a, 0, re, 0, a.length);
        System.arraycopy(b, 20, re, a.length, b.length - 20);
        setLenOffCsum(re, re.length, 0);
        verifyChecksums(re, false);
        assertEquals(0, checksum(b, 0, 20, 0), "the later fragment's IPv4 header checksum");
    }

    @Test
    void masqueradedEntriesGoWhenTheAddressGoes() {
        java.util.List<IpPrefix> addrs = new java.util.concurrent.CopyOnWriteArrayList<>(List.of(IpPrefix.parse("192.0.2.1/24")));
        r.out = new FakeDevice("wan", addrs);
        r.snat = new NatRange(NatRange.Kind.MASQUERADE, null, null, 0, 0, false);
        fwd(tcpPkt(C1, 40000, S, 80, 1, 0, SYN));
        r.snat = snat(PUB);
        fwd(tcpPkt(C2, 40000, S, 80, 1, 0, SYN));
        r.ct.gcStep(0, r.ct.table().bucketCount());
        assertEquals(2, r.ct.count());
        addrs.add(IpPrefix.parse("192.0.2.99/24"));
        r.ct.gcStep(0, r.ct.table().bucketCount());
        assertEquals(2, r.ct.count(), "another address appearing changes nothing");
        addrs.removeFirst();
        r.ct.gcStep(0, r.ct.table().bucketCount());
        assertEquals(1, r.ct.count(), "the masqueraded entry went with its address, the SNAT one stays");
        assertNull(r.ct.find(0, FiveTuple.of(C1, 40000, S, 80, Packet.PROTO_TCP)));
    }

    @Test
    void masqueradeWithoutAddressFails() {
        r.out = new FakeDevice("wan", List.of(IpPrefix.parse("fe80::1/64")));
        r.snat = new NatRange(NatRange.Kind.MASQUERADE, null, null, 0, 0, false);
        assertFalse(r.forward(tcpPkt(C1, 40000, S, 80, 1, 0, SYN)));
        assertEquals(1L, r.ct.stats().get("nat_error"));
    }

    @Test
    void dnatV4PortForwardWithUdp() {
        IpAddress inside = ip4("10.0.2.2");
        r.dnat = new NatRange(NatRange.Kind.DNAT, inside, inside, 8080, 8080, false);
        byte[] in = fwd(udpPkt(S, 5555, PUB, 80, false));
        assertEquals(inside, dst(in));
        assertEquals(8080, dport(in));
        assertEquals(S, src(in));
        ConnEntry e = r.ct.find(0, FiveTuple.of(S, 5555, PUB, 80, Packet.PROTO_UDP));
        assertNotEquals(0, e.status() & CtStatus.DST_NAT);
        assertEquals(FiveTuple.of(inside, 8080, S, 5555, Packet.PROTO_UDP), e.reply());

        r.dnat = null;
        byte[] out = fwd(udpPkt(inside, 8080, S, 5555, false));
        assertEquals(PUB, src(out));
        assertEquals(80, sport(out));
        assertEquals(S, dst(out));
    }

    @Test
    void dnatAndSnatTogether() {
        IpAddress inside = ip4("10.0.2.2");
        r.dnat = new NatRange(NatRange.Kind.DNAT, inside, inside, 0, 0, false);
        r.snat = snat(ip4("10.0.2.1"));
        byte[] in = fwd(tcpPkt(S, 5555, PUB, 22, 1, 0, SYN));
        assertEquals(ip4("10.0.2.1"), src(in));
        assertEquals(inside, dst(in));
        assertEquals(22, dport(in), "a DNAT without ports keeps the port");
        r.dnat = null;
        r.snat = null;
        byte[] back = fwd(tcpPkt(inside, 22, ip4("10.0.2.1"), 5555, 100, 2, SYN | ACK));
        assertEquals(PUB, src(back));
        assertEquals(S, dst(back));
        assertEquals(22, sport(back));
        assertEquals(5555, dport(back));
    }

    @Test
    void snatAndDnatV6WithTcpAndUdp() {
        r.snat = snat(PUB6);
        byte[] t = fwd(tcpPkt(C6, 40000, S6, 443, 10, 0, SYN));
        assertEquals(PUB6, src(t));
        byte[] u = fwd(udpPkt(C6, 5353, S6, 53, false));
        assertEquals(PUB6, src(u));
        byte[] ub = fwd(udpPkt(S6, 53, PUB6, 5353, false));
        assertEquals(C6, dst(ub));

        r = new Router();
        IpAddress inside = IpAddress.parse("fd00:2::80");
        r.dnat = new NatRange(NatRange.Kind.DNAT, inside, inside, 8443, 8443, false);
        byte[] d = fwd(tcpPkt(S6, 33333, PUB6, 443, 5, 0, SYN));
        assertEquals(inside, dst(d));
        assertEquals(8443, dport(d));
        r.dnat = null;
        byte[] db = fwd(tcpPkt(inside, 8443, S6, 33333, 99, 6, SYN | ACK));
        assertEquals(PUB6, src(db));
        assertEquals(443, sport(db));
    }

    @Test
    void udpZeroChecksumStaysZero() {
        r.snat = snat(PUB);
        byte[] out = fwd(udpPkt(C1, 5000, S, 53, true), true);
        assertEquals(0, get16(out, 26), "no checksum stays no checksum");
        assertEquals(PUB, src(out));
        byte[] back = fwd(udpPkt(S, 53, PUB, 5000, true), true);
        assertEquals(0, get16(back, 26));
        assertEquals(C1, dst(back));
    }

    @Test
    void icmpEchoIdentifiersAreMappedLikePorts() {
        r.snat = snat(PUB);
        byte[] a = fwd(packet(ip(C1, S, Packet.PROTO_ICMP, echo(8, 100, 1, new byte[16]))));
        byte[] b = fwd(packet(ip(C2, S, Packet.PROTO_ICMP, echo(8, 100, 1, new byte[16]))));
        assertEquals(100, get16(a, 24));
        int idB = get16(b, 24);
        assertNotEquals(100, idB);
        byte[] toB = fwd(packet(ip(S, PUB, Packet.PROTO_ICMP, echo(0, idB, 1, new byte[16]))));
        assertEquals(C2, dst(toB));
        assertEquals(100, get16(toB, 24));
    }

    @Test
    void icmpErrorInnerHeaderIsTranslatedBack() {
        r.snat = snat(PUB);
        byte[] sent = fwd(udpPkt(C1, 5000, S, 53, false));
        // a router beyond answers "port unreachable" to the public address, quoting the whole datagram
        IpAddress router = ip4("198.51.100.1");
        byte[] err = ip(router, PUB, Packet.PROTO_ICMP, icmpError(3, 3, sent, sent.length));
        Packet p = packet(err);
        byte[] in = fwd(p);
        assertEquals(CtState.RELATED, p.ctState());
        assertEquals(router, src(in));
        assertEquals(C1, dst(in));
        byte[] quoted = Arrays.copyOfRange(in, 28, in.length);
        assertEquals(C1, src(quoted), "the quoted packet looks like what the client sent");
        assertEquals(5000, sport(quoted));
        assertEquals(S, dst(quoted));
        verifyChecksums(quoted, false);
    }

    @Test
    void icmpErrorTruncatedQuoteIsTranslated() {
        r.snat = snat(PUB);
        byte[] sent = fwd(tcpPkt(C1, 40000, S, 80, 1000, 0, SYN));
        byte[] err = ip(S, PUB, Packet.PROTO_ICMP, icmpError(3, 1, sent, 28));
        byte[] in = fwd(packet(err));
        assertEquals(C1, dst(in));
        byte[] quoted = Arrays.copyOfRange(in, 28, in.length);
        assertEquals(C1, src(quoted));
        assertEquals(40000, get16(quoted, 20));
    }

    @Test
    void icmpv6ErrorInnerHeaderIsTranslatedBack() {
        r.snat = snat(PUB6);
        byte[] sent = fwd(udpPkt(C6, 5000, S6, 53, false));
        byte[] body = new byte[8 + sent.length];
        body[0] = 1;
        body[1] = 4;
        System.arraycopy(sent, 0, body, 8, sent.length);
        IpAddress router = IpAddress.parse("2001:db8:2::1");
        Packet p = packet(ip(router, PUB6, Packet.PROTO_ICMPV6, body));
        byte[] in = fwd(p);
        assertEquals(CtState.RELATED, p.ctState());
        assertEquals(C6, dst(in));
        byte[] quoted = Arrays.copyOfRange(in, 48, in.length);
        assertEquals(C6, src(quoted));
        verifyChecksums(quoted, false);
    }

    @Test
    void dnatOfReplyDirectionIcmpErrorHidesTheInsideHost() {
        IpAddress inside = ip4("10.0.2.2");
        r.dnat = new NatRange(NatRange.Kind.DNAT, inside, inside, 0, 0, false);
        fwd(udpPkt(S, 5555, PUB, 53, false));
        r.dnat = null;
        // the inside host sends a reply; the client's side answers with an error about it
        byte[] reply = fwd(udpPkt(inside, 53, S, 5555, false));
        assertEquals(PUB, src(reply));
        byte[] err = ip(S, PUB, Packet.PROTO_ICMP, icmpError(3, 3, reply, reply.length));
        byte[] in = fwd(packet(err));
        assertEquals(inside, dst(in));
        byte[] quoted = Arrays.copyOfRange(in, 28, in.length);
        assertEquals(inside, src(quoted));
        verifyChecksums(quoted, false);
    }

    @Test
    void secondBindingOfTheSameKindIsIgnoredAndConfirmedEntriesAreNotRebound() {
        r.snat = snat(PUB);
        Packet p = udpPkt(C1, 5000, S, 53, false);
        assertTrue(r.ct.track(p));
        assertTrue(r.ct.bindNat(p, snat(PUB)));
        assertTrue(r.ct.bindNat(p, snat(ip4("203.0.113.99"))));
        assertEquals(PUB, src(ipBytes(p)));
        assertTrue(r.ct.confirm(p));
        Packet later = udpPkt(C1, 5000, S, 53, false);
        assertTrue(r.ct.track(later));
        assertTrue(r.ct.bindNat(later, snat(ip4("203.0.113.99"))));
        r.ct.nat(later, true);
        assertEquals(PUB, src(ipBytes(later)));
    }

    @Test
    void nullBindingMovesTheSourcePortOnAClash() {
        // S:5555 -> PUB:53 is DNATed to inside:53; then S sends 5555 -> inside:53 directly: its
        // reply tuple would clash with the first connection's, so its source port moves
        IpAddress inside = ip4("10.0.2.2");
        r.dnat = new NatRange(NatRange.Kind.DNAT, inside, inside, 0, 0, false);
        fwd(udpPkt(S, 5555, PUB, 53, false));
        r.dnat = null;
        byte[] b = fwd(udpPkt(S, 5555, inside, 53, false));
        assertEquals(2, r.ct.count());
        assertNotEquals(5555, sport(b));
        assertEquals(S, src(b));
    }
}
