package org.flowgate.tc.action;

import static org.flowgate.tc.support.Frames.*;
import static org.flowgate.tc.support.TcWorld.*;
import static org.junit.jupiter.api.Assertions.*;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.tc.support.TcWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code ct commit force} (tc-ct(8)): a packet already tracked in the reply direction of a
 * committed connection removes it and commits a new one in its own direction.
 */
class CtForceTest {
    TcWorld w;

    @BeforeEach
    void setUp() { w = new TcWorld(); }

    @AfterEach
    void tearDown() { w.close(); }

    static byte[] aToB() { return eth(HOST_B, HOST_A, 0x0800, ipv4(A_IP, B_IP, Packet.PROTO_UDP, udp(4000, 53, "q".getBytes()))); }

    static byte[] bToA() { return eth(HOST_A, HOST_B, 0x0800, ipv4(B_IP, A_IP, Packet.PROTO_UDP, udp(53, 4000, "a".getBytes()))); }

    static final FiveTuple A_TO_B = FiveTuple.of(A_IP, 4000, B_IP, 53, 17), B_TO_A = FiveTuple.of(B_IP, 53, A_IP, 4000, 17);

    /** A commits A->B; B's side commits with {@code commitArgs}, then tells the new state apart in chain 2. */
    void filters(String commitArgs) {
        w.add("tc filter add dev p0 ingress prio 1 chain 0 proto ip flower ct_state -trk action ct pipe action goto chain 1");
        w.add("tc filter add dev p0 ingress prio 1 chain 1 proto ip flower ct_state +trk+new action ct commit pipe action mirred egress redirect dev p1");
        w.add("tc filter add dev p0 ingress prio 2 chain 1 proto ip flower ct_state +trk+est action mirred egress redirect dev p1");
        w.add("tc filter add dev p1 ingress prio 1 chain 0 proto ip flower ct_state -trk action ct pipe action goto chain 1");
        w.add("tc filter add dev p1 ingress prio 1 chain 1 proto ip flower ct_state +trk action ct " + commitArgs + " pipe action goto chain 2");
        w.add("tc filter add dev p1 ingress prio 1 chain 2 proto ip flower ct_state +trk+new-rpl action mirred egress redirect dev p0");
        w.add("tc filter add dev p1 ingress prio 2 chain 2 proto ip flower ct_state +trk+est+rpl action mirred egress redirect dev p0");
        w.add("tc filter add dev p1 ingress prio 3 chain 2 proto ip flower ct_state +trk+est-rpl action mirred egress redirect dev p0");
    }

    @Test
    void forceTurnsTheConnectionAroundForAReplyDirectionPacket() {
        filters("commit force");
        inject(w.p0, aToB());
        assertEquals(1, take(w.p1Out).size());
        ConnEntry first = w.conntrack.find(0, A_TO_B);
        assertEquals(A_TO_B, first.original());

        inject(w.p1, bToA()); // the first ct finds it in the reply direction; force removes it
        assertEquals(1, take(w.p0Out).size());
        assertTrue(first.isDying(), "the old entry was deleted");
        ConnEntry turned = w.conntrack.find(0, B_TO_A);
        assertNotNull(turned);
        assertNotSame(first, turned);
        assertEquals(B_TO_A, turned.original(), "committed anew in B's direction");
        assertTrue(turned.isConfirmed());
        assertEquals(1, w.filter("p1", 2, 1, 1).packets(), "after force the packet is +trk+new, not +rpl");
        assertEquals(0, w.filter("p1", 2, 2, 1).packets());

        inject(w.p0, aToB()); // now A is the reply side
        assertEquals(1, take(w.p1Out).size());
        assertEquals(1, w.filter("p0", 1, 2, 1).packets(), "A's next packet is a reply of the turned connection");
        assertSame(turned, w.conntrack.find(0, A_TO_B));

        inject(w.p1, bToA()); // the original direction: force changes nothing
        assertEquals(1, take(w.p0Out).size());
        assertSame(turned, w.conntrack.find(0, B_TO_A));
        assertFalse(turned.isDying());
        assertEquals(1, w.filter("p1", 2, 3, 1).packets(), "+trk+est in its own (original) direction");
    }

    @Test
    void withoutForceTheReplyKeepsTheConnection() {
        filters("commit");
        inject(w.p0, aToB());
        ConnEntry first = w.conntrack.find(0, A_TO_B);
        inject(w.p1, bToA());
        assertEquals(1, take(w.p0Out).size());
        assertFalse(first.isDying());
        assertSame(first, w.conntrack.find(0, B_TO_A));
        assertEquals(A_TO_B, first.original());
        assertEquals(1, w.filter("p1", 2, 2, 1).packets(), "+trk+est+rpl");
    }

    @Test
    void forceInAnotherZoneLeavesThisOneAlone() {
        filters("commit force zone 7");
        inject(w.p0, aToB());
        ConnEntry first = w.conntrack.find(0, A_TO_B);
        inject(w.p1, bToA()); // tracked in zone 0 as a reply, then committed in zone 7: a different zone is not "cached"
        assertFalse(first.isDying());
        ConnEntry z7 = w.conntrack.find(7, B_TO_A);
        assertNotNull(z7);
        assertEquals(B_TO_A, z7.original());
    }

    @Test
    void forceTakesAnOffloadedConnectionOutOfTheZoneFlowTable() {
        w.add("tc filter add dev p0 ingress prio 1 chain 0 proto ip flower ct_state -trk action ct pipe action goto chain 1");
        w.add("tc filter add dev p0 ingress prio 1 chain 1 proto ip flower ct_state +trk+new action ct commit pipe action mirred egress redirect dev p1");
        w.add("tc filter add dev p0 ingress prio 2 chain 1 proto ip flower ct_state +trk+est action mirred egress redirect dev p1");
        w.add("tc filter add dev p1 ingress prio 1 chain 0 proto ip flower ct_state -trk action ct pipe action goto chain 1");
        // B's packets with TTL 10 force the connection around; the others just pass
        w.add("tc filter add dev p1 ingress prio 1 chain 1 proto ip flower ip_ttl 10 ct_state +trk action ct commit force pipe "
                + "action mirred egress redirect dev p0");
        w.add("tc filter add dev p1 ingress prio 2 chain 1 proto ip flower ct_state +trk+est action mirred egress redirect dev p0");
        inject(w.p0, aToB());
        inject(w.p1, bToA());
        ConnEntry first = w.conntrack.find(0, A_TO_B);
        assertTrue(first.isOffloaded(), "established: in zone 0's flow table");
        assertEquals(1, w.tc.ctFlows().size());

        inject(w.p1, eth(HOST_A, HOST_B, 0x0800, ipv4(B_IP, A_IP, Packet.PROTO_UDP, 10, 0, udp(53, 4000, "a".getBytes()))));
        assertEquals(2, take(w.p0Out).size());
        assertTrue(first.isDying(), "the offloaded entry was deleted");
        assertTrue(w.tc.ctFlows().isEmpty(), "and left the flow table");
        ConnEntry turned = w.conntrack.find(0, B_TO_A);
        assertEquals(B_TO_A, turned.original());
        assertTrue(turned.isConfirmed());
        assertFalse(turned.isOffloaded(), "new: not offloaded until established");
    }
}
