package org.flowgate.tc.action;

import static org.flowgate.tc.support.Frames.*;
import static org.flowgate.tc.support.TcWorld.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.CtState;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.tc.support.TcWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ct action between two access ports: A (p0) talks UDP to B (p1) through tc filters only,
 * both directions tracked; zones, mark, label, NAT, clear, and the miss-restore entry point.
 */
class CtActionTest {
    static final IpAddress NAT_IP = IpAddress.parse("100.64.0.1");
    TcWorld w;

    @BeforeEach
    void setUp() { w = new TcWorld(); }

    @AfterEach
    void tearDown() { w.close(); }

    static byte[] aToB(int sport) { return eth(HOST_B, HOST_A, 0x0800, ipv4(A_IP, B_IP, Packet.PROTO_UDP, udp(sport, 53, "q".getBytes()))); }

    static byte[] bToA(IpAddress dst, int dport) { return eth(HOST_A, HOST_B, 0x0800, ipv4(B_IP, dst, Packet.PROTO_UDP, udp(53, dport, "a".getBytes()))); }

    /** chain 0 tracks in {@code zone}; chain 1 commits new ones with {@code commitArgs}; established go through. */
    void forwardBothWays(String zone, String commitArgs) {
        for (String[] d : new String[][] {{"p0", "p1"}, {"p1", "p0"}}) {
            w.add("tc filter add dev " + d[0] + " ingress prio 10 chain 0 proto ip flower ct_state -trk action ct " + zone + " " + (d[0].equals("p0") ? "" : "nat") + " pipe action goto chain 1");
            w.add("tc filter add dev " + d[0] + " ingress prio 10 chain 1 proto ip flower ct_state +trk+new action ct commit " + zone + " " + commitArgs + " pipe action mirred egress redirect dev " + d[1]);
            w.add("tc filter add dev " + d[0] + " ingress prio 20 chain 1 proto ip flower ct_state +trk+est action ct " + zone + " nat pipe action mirred egress redirect dev " + d[1]);
        }
    }

    @Test
    void zoneMarkAndLabelAreSetOnCommitAndMatchedLater() {
        forwardBothWays("zone 5", "mark 0xab/0xff label 0x1f");
        w.add("tc filter add dev p1 ingress prio 5 chain 1 proto ip flower ct_state +trk+est+rpl ct_zone 5 ct_mark 0xab ct_label 1f action ct zone 5 pipe action mirred egress redirect dev p0");
        inject(w.p0, aToB(1111));
        assertEquals(1, take(w.p1Out).size());
        ConnEntry e = w.conntrack.find(5, FiveTuple.of(A_IP, 1111, B_IP, 53, 17));
        assertNotNull(e, "committed in zone 5");
        assertNull(w.conntrack.find(0, FiveTuple.of(A_IP, 1111, B_IP, 53, 17)), "zones are separate");
        assertEquals(5, e.zone());
        assertEquals(0xab, e.mark());
        assertEquals(0, e.labelsHi());
        assertEquals(0x1f, e.labelsLo());
        inject(w.p1, bToA(A_IP, 1111));
        assertEquals(1, take(w.p0Out).size());
        assertEquals(1, w.filter("p1", 1, 5, 1).packets(), "reply matched +rpl, zone, mark and label");
    }

    @Test
    void markMaskKeepsOtherBits() {
        w.add("tc filter add dev p0 ingress prio 1 chain 0 proto ip flower action ct commit mark 0x5 pipe action ct commit mark 0x30/0xf0 pipe action mirred egress redirect dev p1");
        inject(w.p0, aToB(1));
        ConnEntry e = w.conntrack.find(0, FiveTuple.of(A_IP, 1, B_IP, 53, 17));
        assertEquals(0x35, e.mark());
    }

    @Test
    void commitWithSourceNatTranslatesAndRepliesAreDeNatted() {
        forwardBothWays("", "nat src addr 100.64.0.1");
        byte[] q = aToB(2222);
        inject(w.p0, q);
        byte[] out = take(w.p1Out).get(0);
        assertEquals(NAT_IP, ip4At(out, 26), "source translated");
        assertEquals(2222, get16(out, 34), "port kept when free");
        assertTrue(checksumsOk(out, 14));
        inject(w.p1, bToA(NAT_IP, 2222));
        List<byte[]> back = take(w.p0Out);
        assertEquals(1, back.size());
        assertEquals(A_IP, ip4At(back.get(0), 30), "reply de-NATed by ct nat");
        assertTrue(checksumsOk(back.get(0), 14));
        inject(w.p0, q);
        assertEquals(NAT_IP, ip4At(take(w.p1Out).get(0), 26), "later packets of the connection are translated as well");
        assertEquals(1, w.filter("p0", 1, 20, 1).packets());
    }

    @Test
    void ctWithoutCommitDoesNotInsert() {
        w.add("tc filter add dev p0 ingress prio 1 chain 0 proto ip flower ct_state -trk action ct pipe action goto chain 1");
        w.add("tc filter add dev p0 ingress prio 1 chain 1 proto ip flower ct_state +trk+new action mirred egress redirect dev p1");
        inject(w.p0, aToB(3));
        inject(w.p0, aToB(3));
        assertEquals(2, take(w.p1Out).size());
        assertEquals(2, w.filter("p0", 1, 1, 1).packets(), "still new: act_ct without commit does not confirm");
        assertEquals(0, w.conntrack.count());
    }

    @Test
    void ctClearResetsTheState() {
        w.add("tc filter add dev p0 ingress prio 1 chain 0 proto ip flower ct_state -trk action ct commit pipe action ct clear pipe action goto chain 1");
        w.add("tc filter add dev p0 ingress prio 1 chain 1 proto ip flower ct_state -trk action mirred egress redirect dev p1");
        w.add("tc filter add dev p0 ingress prio 2 chain 1 proto ip flower ct_state +trk action drop");
        inject(w.p0, aToB(4));
        assertEquals(1, take(w.p1Out).size(), "after ct clear the packet is untracked again");
        assertEquals(1, w.filter("p0", 1, 1, 1).packets());
        assertEquals(1, w.conntrack.count(), "the commit before the clear stands");
    }

    @Test
    void invalidPacketsAreTrkInv() {
        w.add("tc filter add dev p0 ingress prio 1 chain 0 proto ip flower ct_state -trk action ct pipe action goto chain 1");
        w.add("tc filter add dev p0 ingress prio 1 chain 1 proto ip flower ct_state +trk+inv action drop");
        // a TCP segment with no connection and only ACK set cannot open one
        inject(w.p0, eth(HOST_B, HOST_A, 0x0800, ipv4(A_IP, B_IP, 6, tcp(1, 2, 5, 9, RST | ACK, 0, new byte[0]))));
        assertEquals(1, w.filter("p0", 1, 1, 1).packets());
    }

    @Test
    void withoutConntrackTheCtActionDrops() {
        w.ct.unsetTracker(w.conntrack);
        w.add("tc filter add dev p0 ingress proto ip flower action ct pipe action mirred egress redirect dev p1");
        inject(w.p0, aToB(5));
        assertTrue(take(w.p1Out).isEmpty());
        assertEquals(1, w.tc.stats().get("drop_no_conntrack"));
    }

    @Test
    void aMissedPacketResumesAtItsChainWithItsConnectionRestored() {
        forwardBothWays("zone 3", "");
        inject(w.p0, aToB(6));
        inject(w.p1, bToA(A_IP, 6));
        take(w.p0Out);
        take(w.p1Out);
        long chain0 = w.filter("p0", 0, 10, 1).packets();

        // as an offload driver hands it back: the frame, its device, the zone it reached, chain 1
        Packet p = new Packet();
        byte[] f = aToB(6);
        p.setFrame(f, 0, f.length);
        assertNull(p.parse());
        p.setInDevice(w.router.devices().byName("p0").orElseThrow());
        p.setCtZone(3);
        assertEquals(Verdict.STOLEN, w.tc.resume(p, 1));
        assertEquals(CtState.ESTABLISHED, p.ctState(), "conntrack info restored");
        assertSame(w.conntrack.find(3, FiveTuple.of(A_IP, 6, B_IP, 53, 17)), p.conn());
        assertEquals(1, take(w.p1Out).size());
        assertEquals(chain0, w.filter("p0", 0, 10, 1).packets(), "never from chain 0 again");
        assertEquals(1, w.filter("p0", 1, 20, 1).packets(), "continued at chain 1 as +trk+est");
        assertEquals(1, w.tc.stats().get("resumed"));
        assertEquals(0, w.tc.stats().get("resume_ct_miss"));
    }

    @Test
    void establishedUdpMovesToItsZonesFlowTableWithNatMetadataAndLeavesWhenIdle() {
        forwardBothWays("zone 9", "mark 7 nat src addr 100.64.0.1");
        inject(w.p0, aToB(7000));
        assertTrue(w.tc.ctFlows().isEmpty(), "new: not yet");
        inject(w.p1, bToA(NAT_IP, 7000));
        List<org.flowgate.api.tc.CtFlow> flows = w.tc.ctFlows();
        assertEquals(1, flows.size(), "the reply made it established");
        org.flowgate.api.tc.CtFlow f = flows.get(0);
        assertEquals(9, f.zone());
        assertEquals(7, f.mark());
        assertTrue(f.snat());
        assertFalse(f.dnat());
        assertEquals(NAT_IP, f.origRewrite().src());
        ConnEntry e = w.conntrack.find(9, FiveTuple.of(A_IP, 7000, B_IP, 53, 17));
        assertTrue(e.isOffloaded());
        assertNull(w.flowTables.table(0), "other zones have no table");

        inject(w.p0, aToB(7000));
        byte[] out = take(w.p1Out).get(1);
        assertEquals(NAT_IP, ip4At(out, 26), "NAT still applied to packets found in the flow table");
        assertTrue(checksumsOk(out, 14));
        assertEquals(1, w.tc.stats().get("ct_flow_hits"));

        w.now += 29_000_000_000L;
        assertEquals(0, w.flowTables.sweep(), "used 29 s ago: stays");
        w.now += 2_000_000_000L;
        assertEquals(1, w.flowTables.sweep(), "idle past 30 s: leaves");
        assertFalse(e.isOffloaded(), "given back to conntrack");
        assertTrue(w.tc.ctFlows().isEmpty());
        inject(w.p0, aToB(7000));
        assertEquals(NAT_IP, ip4At(take(w.p1Out).get(0), 26), "conntrack carries on with the connection");
        assertEquals(1, w.tc.ctFlows().size(), "and it is offered again as established");
    }

    @Test
    void deletedConnectionsLeaveTheFlowTable() {
        forwardBothWays("", "");
        inject(w.p0, aToB(8000));
        inject(w.p1, bToA(A_IP, 8000));
        assertEquals(1, w.tc.ctFlows().size());
        w.conntrack.flush();
        assertEquals(1, w.flowTables.sweep(), "the dying entry is dropped by the sweep");
        assertTrue(w.tc.ctFlows().isEmpty());
    }
}
