package org.flowgate.conntrack.nat;

import static org.flowgate.conntrack.nat.NatTest.*;
import static org.flowgate.conntrack.testing.Frames.*;
import static org.junit.jupiter.api.Assertions.*;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.conntrack.CtState;
import org.flowgate.api.conntrack.NatRange;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.conntrack.testing.Router;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** track / nat / confirm through {@link ConnTracker}, as tc's ct action drives conntrack outside the hook chain. */
class ConnTrackerApiTest {
    static final IpAddress C1 = ip4("10.0.1.2"), VIP = ip4("203.0.113.80"), S = ip4("10.0.2.7"), GW = ip4("10.0.2.1");

    Router r;
    ConnTracker t;

    @BeforeEach
    void setUp() {
        r = new Router();
        t = r.ct;
    }

    Packet udpFrom(IpAddress s, int sp, IpAddress d, int dp) {
        return packet(ip(s, d, Packet.PROTO_UDP, udp(sp, dp, "payload-0123456".getBytes()), false));
    }

    @Test
    void newConnectionIsInTheTableOnlyAfterConfirm() {
        Packet p = udpFrom(C1, 40000, S, 53);
        assertTrue(t.track(p));
        assertEquals(CtState.NEW, p.ctState());
        assertEquals(0, p.ctDirection());
        ConnEntry e = (ConnEntry) p.conn();
        assertNotNull(e);
        assertFalse(e.isConfirmed());
        assertNull(t.find(0, FiveTuple.of(C1, 40000, S, 53, Packet.PROTO_UDP)));
        assertTrue(t.confirm(p));
        assertTrue(e.isConfirmed());
        assertSame(e, t.find(0, FiveTuple.of(C1, 40000, S, 53, Packet.PROTO_UDP)));
        assertEquals(1, t.count());

        Packet reply = udpFrom(S, 53, C1, 40000);
        assertTrue(t.track(reply));
        assertSame(e, reply.conn());
        assertEquals(1, reply.ctDirection());
        assertEquals(CtState.ESTABLISHED, reply.ctState());
        assertTrue(t.confirm(reply), "a reply confirms nothing");
        assertEquals(1, t.count());
    }

    @Test
    void unconfirmedEntryIsForgotten() {
        Packet p = udpFrom(C1, 40000, S, 53);
        assertTrue(t.track(p));
        Packet again = udpFrom(C1, 40000, S, 53);
        assertTrue(t.track(again));
        assertNotSame(p.conn(), again.conn(), "without confirm the next packet is new again");
        assertEquals(CtState.NEW, again.ctState());
        assertEquals(0, t.count());
    }

    @Test
    void trackUsesThePacketsZone() {
        Packet p = udpFrom(C1, 40000, S, 53);
        p.setCtZone(7);
        assertTrue(t.track(p));
        assertTrue(t.confirm(p));
        assertNotNull(t.find(7, FiveTuple.of(C1, 40000, S, 53, Packet.PROTO_UDP)));
        assertNull(t.find(0, FiveTuple.of(C1, 40000, S, 53, Packet.PROTO_UDP)));
        Packet other = udpFrom(C1, 40000, S, 53); // zone 0: a different connection
        assertTrue(t.track(other));
        assertEquals(CtState.NEW, other.ctState());
        assertNotSame(p.conn(), other.conn());
    }

    @Test
    void natAppliesBothManipulationsEachWay() {
        NatRange dnat = new NatRange(NatRange.Kind.DNAT, S, S, 8053, 8053, false);
        NatRange snat = new NatRange(NatRange.Kind.SNAT, GW, GW, 0, 0, false);
        Packet first = udpFrom(C1, 40000, VIP, 53);
        assertTrue(t.track(first));
        assertTrue(t.bindNat(first, dnat));
        assertTrue(t.bindNat(first, snat));
        t.nat(first); // idempotent on the packet bindNat already rewrote
        assertTrue(t.confirm(first));
        byte[] b = ipBytes(first);
        verifyChecksums(b, false);
        assertEquals(GW, src(b));
        assertEquals(S, dst(b));
        assertEquals(8053, dport(b));

        Packet later = udpFrom(C1, 40000, VIP, 53);
        assertTrue(t.track(later));
        assertSame(first.conn(), later.conn());
        t.nat(later);
        b = ipBytes(later);
        verifyChecksums(b, false);
        assertEquals(GW, src(b), "source manipulation");
        assertEquals(40000, sport(b), "free port kept");
        assertEquals(S, dst(b), "destination manipulation");
        assertEquals(8053, dport(b));

        Packet reply = udpFrom(S, 8053, GW, 40000);
        assertTrue(t.track(reply));
        assertEquals(1, reply.ctDirection());
        t.nat(reply);
        b = ipBytes(reply);
        verifyChecksums(b, false);
        assertEquals(VIP, src(b), "de-DNAT");
        assertEquals(53, sport(b));
        assertEquals(C1, dst(b), "de-SNAT");
        assertEquals(40000, dport(b));
    }

    @Test
    void natWithoutConnectionOrBindingLeavesThePacketAlone() {
        Packet p = udpFrom(C1, 40000, S, 53);
        byte[] before = ipBytes(p);
        t.nat(p);
        assertArrayEquals(before, ipBytes(p));
        assertTrue(t.track(p));
        t.nat(p);
        assertArrayEquals(before, ipBytes(p));
    }

    @Test
    void trackVerifiesChecksumsAsPreroutingWhenConfigured() {
        r.ct.setVerifyChecksums(true);
        Packet bad = udpFrom(C1, 40000, S, 53);
        bad.array()[bad.end() - 1] ^= 0x5A;
        assertTrue(t.track(bad), "conntrack never drops invalid packets itself");
        assertEquals(CtState.INVALID, bad.ctState());
        assertNull(bad.conn());
        Packet good = udpFrom(C1, 40000, S, 53);
        assertTrue(t.track(good));
        assertEquals(CtState.NEW, good.ctState());
    }
}
