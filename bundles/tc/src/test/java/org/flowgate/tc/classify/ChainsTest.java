package org.flowgate.tc.classify;

import static org.flowgate.tc.support.Frames.*;
import static org.flowgate.tc.support.TcWorld.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.tc.support.TcWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Chains, priorities and controls on the router: a UDP packet from host A on p0 to 10.0.1.2 behind
 * p1 is routed there when tc lets it pass, and not when tc drops or steals it.
 */
class ChainsTest {
    final TcWorld w = TcWorld.routed();

    @AfterEach
    void tearDown() { w.close(); }

    byte[] frame() { return eth(P0_MAC, HOST_A, 0x0800, ipv4(A_IP, DST, Packet.PROTO_UDP, udp(1000, 2000, new byte[8]))); }

    /** Sends the frame and returns whether it was routed out of p1. */
    boolean routed() {
        inject(w.p0, frame());
        List<byte[]> out = take(w.p1Out);
        assertTrue(out.size() <= 1);
        if (out.size() == 1) assertEquals(63, out.get(0)[22] & 0xFF, "routed: TTL decremented");
        return out.size() == 1;
    }

    @Test
    void noFiltersOrNoMatchPassesToTheStack() {
        assertTrue(routed());
        w.add("tc filter add dev p0 ingress proto ip flower src_ip 10.9.9.9 action drop");
        assertTrue(routed(), "no filter of chain 0 matched");
        assertEquals(0, w.filter("p0", 0, 0xC000, 1).packets());
    }

    @Test
    void gotoAnEmptyChainIsAMissAndThePacketContinues() {
        w.add("tc filter add dev p0 ingress prio 1 proto ip flower action goto chain 7");
        assertTrue(routed(), "a chain without filters: classification ends, the packet goes on (TC_ACT_UNSPEC)");
        assertEquals(1, w.filter("p0", 0, 1, 1).packets());
        assertEquals(List.of(0, 7), w.tc.chains("p0"), "the goto target exists as a chain");
        w.add("tc filter add dev p0 ingress prio 1 chain 7 proto ip flower ip_proto tcp action drop");
        assertTrue(routed(), "chain 7 has a filter but it does not match UDP: a miss again");
        w.add("tc filter add dev p0 ingress prio 2 chain 7 proto ip flower ip_proto udp action drop");
        assertFalse(routed(), "now the second filter of chain 7 drops it");
        assertEquals(3, w.filter("p0", 0, 1, 1).packets());
        assertEquals(1, w.filter("p0", 7, 2, 1).packets());
        assertEquals(0, w.filter("p0", 7, 1, 1).packets());
    }

    @Test
    void lowerPriorityRunsFirst() {
        w.add("tc filter add dev p0 ingress prio 10 proto ip flower action drop");
        w.add("tc filter add dev p0 ingress prio 5 proto ip flower action pass");
        assertTrue(routed());
        assertEquals(1, w.filter("p0", 0, 5, 1).packets());
        assertEquals(0, w.filter("p0", 0, 10, 1).packets());
        assertEquals(1, w.tc.delete("p0", 0, 5, -1));
        assertFalse(routed(), "after deleting prio 5 the drop filter is first");
    }

    @Test
    void continueTriesTheNextFilter() {
        w.add("tc filter add dev p0 ingress prio 1 proto ip flower action continue");
        w.add("tc filter add dev p0 ingress prio 2 proto ip flower action drop");
        assertFalse(routed());
        assertEquals(1, w.filter("p0", 0, 1, 1).packets());
        assertEquals(1, w.filter("p0", 0, 2, 1).packets());
    }

    @Test
    void pipeAtTheEndPassesAndStolenEndsThePath() {
        w.add("tc filter add dev p0 ingress prio 1 proto ip flower action pipe");
        assertTrue(routed());
        w.tc.delete("p0", -1, -1, -1);
        w.add("tc filter add dev p0 ingress prio 1 proto ip flower action mirred egress redirect dev p1");
        inject(w.p0, frame());
        List<byte[]> out = take(w.p1Out);
        assertEquals(1, out.size());
        assertArrayEquals(frame(), out.get(0), "redirected as received: no routing, no TTL change");
        assertEquals(1, w.tc.stats().get("stolen"));
    }

    @Test
    void gotoLoopsAreDroppedAndCounted() {
        w.add("tc filter add dev p0 ingress chain 0 proto ip flower action goto chain 1");
        w.add("tc filter add dev p0 ingress chain 1 proto ip flower action goto chain 0");
        assertFalse(routed());
        assertEquals(1, w.tc.stats().get("drop_goto_loop"));
    }

    @Test
    void skipSwFiltersDoNotRunInSoftware() {
        w.add("tc filter add dev p0 ingress prio 1 proto ip flower skip_sw action drop");
        assertTrue(routed());
        assertEquals(0, w.filter("p0", 0, 1, 1).packets());
    }

    @Test
    void filtersOnlySeeTheirDevice() {
        w.add("tc filter add dev p1 ingress proto ip flower action drop");
        assertTrue(routed());
    }

    @Test
    void protocolAllMatchesArpToo() {
        w.add("tc filter add dev p0 ingress proto all flower action drop");
        w.add("tc filter add dev p1 ingress proto arp flower action drop");
        byte[] arp = new byte[28];
        put16(arp, 0, 1); put16(arp, 2, 0x0800); arp[4] = 6; arp[5] = 4; put16(arp, 6, 1);
        HOST_A.write(arp, 8);
        System.arraycopy(A_IP.toBytes(), 0, arp, 14, 4);
        System.arraycopy(IpAddress.parse("10.0.0.254").toBytes(), 0, arp, 24, 4);
        inject(w.p0, eth(MacAddress.BROADCAST, HOST_A, 0x0806, arp));
        assertTrue(take(w.p0Out).isEmpty(), "the ARP request was dropped by tc before the router answered it");
        assertEquals(1, w.filter("p0", 0, 0xC000, 1).packets());
    }

    @Test
    void reclassifyStartsOverAtTheFirstChain() {
        // the classic use: track, then classify again with the ct state set
        w.add("tc filter add dev p0 ingress prio 1 chain 0 proto ip flower ct_state -trk action ct reclassify");
        w.add("tc filter add dev p0 ingress prio 2 chain 0 proto ip flower ct_state +trk+new action drop");
        assertFalse(routed(), "the second pass matched +trk+new and dropped");
        assertEquals(1, w.filter("p0", 0, 1, 1).packets());
        assertEquals(1, w.filter("p0", 0, 2, 1).packets());
        assertEquals("reclassify", org.flowgate.tc.action.Act.name(org.flowgate.tc.action.Act.RECLASSIFY));
    }

    @Test
    void reclassifyRestartsAtTheChainAGotoCameFromNotAtTheGotoTarget() {
        w.add("tc filter add dev p0 ingress prio 1 chain 0 proto ip flower ct_state -trk action goto chain 3");
        w.add("tc filter add dev p0 ingress prio 2 chain 0 proto ip flower ct_state +trk action pass");
        w.add("tc filter add dev p0 ingress prio 1 chain 3 proto ip flower action ct reclassify");
        assertTrue(routed(), "chain 3 tracked and reclassified: chain 0 again, +trk passes");
        assertEquals(1, w.filter("p0", 0, 1, 1).packets());
        assertEquals(1, w.filter("p0", 3, 1, 1).packets());
        assertEquals(1, w.filter("p0", 0, 2, 1).packets());
    }

    @Test
    void aReclassifyLoopIsDropped() {
        w.add("tc filter add dev p0 ingress prio 1 proto ip flower action reclassify");
        assertFalse(routed(), "nothing changes between passes: the kernel's loop limit drops it");
        assertEquals(Classifier.MAX_JUMPS + 1, w.filter("p0", 0, 1, 1).packets());
    }
}
