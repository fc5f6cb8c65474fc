package org.flowgate.flowtable.table;

import static org.flowgate.flowtable.support.Scenario.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.flowgate.api.conntrack.CtStatus;
import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.flowtable.FlowPath;
import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.route.Route;
import org.flowgate.flowtable.support.FakeConn;
import org.flowgate.flowtable.support.Frames;
import org.flowgate.flowtable.support.TestWorld;
import org.junit.jupiter.api.Test;

class FlowTableTest {
    private final TestWorld w = new TestWorld();

    @Test
    void notAddedBeforeTheReplyIsSeen() {
        FakeConn c = masqueraded(Frames.TCP);
        w.table.offer(w.forwarded(outbound(Frames.TCP), c, 0, w.lan, w.wan));
        assertEquals(0, w.table.count());
        assertEquals(0, c.status & CtStatus.OFFLOAD);
    }

    @Test
    void notAddedWhileTcpIsNotEstablished() {
        FakeConn c = masqueraded(Frames.TCP).established();
        c.protoState = "SYN_RECV";
        w.table.offer(w.forwarded(outbound(Frames.TCP), c, 0, w.lan, w.wan));
        assertEquals(0, w.table.count());
    }

    @Test
    void notAddedForAFinPacketNorForDevicesTheTableDoesNotServe() {
        FakeConn c = masqueraded(Frames.TCP).established();
        Frames fin = outbound(Frames.TCP);
        fin.tcpFlags = 0x11;
        w.table.offer(w.forwarded(fin, c, 0, w.lan, w.wan));
        w.table.offer(w.forwarded(outbound(Frames.TCP), c, 0, w.dmz, w.wan));
        assertEquals(0, w.table.count());
    }

    @Test
    void addedOnceEstablishedWithBothDirectionsDescribed() {
        FakeConn c = offload(w, Frames.TCP);
        assertEquals(1, w.table.count());
        assertEquals(CtStatus.OFFLOAD, c.status & CtStatus.OFFLOAD);
        assertEquals(1, w.added.size());
        Flow f = w.added.get(0);
        assertSame(c, f.conn());

        FlowPath o = f.path(FlowEntry.ORIGINAL);
        assertEquals(IpAddress.parse(H1), o.match().src());
        assertEquals(IpAddress.parse(ROUTER_WAN), o.rewrite().src());
        assertEquals(IpAddress.parse(SERVER), o.rewrite().dst());
        assertTrue(o.snat());
        assertFalse(o.dnat());
        assertEquals("lan", o.inDevice());
        assertEquals("wan", o.outDevice());
        assertEquals(TestWorld.GW_MAC, o.dstMac());
        assertEquals(TestWorld.WAN_MAC, o.srcMac());
        assertEquals(1500, o.mtu());

        FlowPath r = f.path(FlowEntry.REPLY);
        assertEquals(IpAddress.parse(ROUTER_WAN), r.match().dst());
        assertEquals(IpAddress.parse(H1), r.rewrite().dst());
        assertEquals(40000, r.rewrite().dstPort);
        assertTrue(r.dnat());
        assertFalse(r.snat());
        assertEquals("wan", r.inDevice());
        assertEquals("lan", r.outDevice());
        assertEquals(TestWorld.H1_MAC, r.dstMac());
        assertEquals(FlowEntry.HwState.SOFTWARE, f.hwState());

        // a second offer (the flow exists) changes nothing
        w.table.offer(w.forwarded(outbound(Frames.TCP), c, 0, w.lan, w.wan));
        assertEquals(1, w.table.count());
        assertEquals(1, w.table.stats().added());
    }

    @Test
    void theReplyDirectionCanOfferToo() {
        FakeConn c = masqueraded(Frames.UDP).established();
        // the reply, already de-NATed at prerouting, at FORWARD from wan to lan
        w.table.offer(w.forwarded(inbound(Frames.UDP), c, FlowEntry.REPLY, w.wan, w.lan));
        assertEquals(1, w.table.count());
        FlowPath o = w.added.get(0).path(FlowEntry.ORIGINAL);
        assertEquals("lan", o.inDevice());
        assertEquals("wan", o.outDevice());
    }

    @Test
    void notAddedWhileTheNextHopIsUnresolved() {
        w.neigh.clear();
        FakeConn c = offload(w, Frames.TCP);
        assertEquals(0, w.table.count());
        assertEquals(0, c.status & CtStatus.OFFLOAD);
    }

    @Test
    void lookupFindsBothDirectionsByTheirArrivalTuple() {
        offload(w, Frames.TCP);
        Packet out = w.arriving(outbound(Frames.TCP), w.lan), in = w.arriving(inbound(Frames.TCP), w.wan);
        FlowTuple a = w.table.lookup(4, 0, out.srcLo(), 0, out.dstLo(), 6, 40000, 80, w.lan.ifIndex(), -1);
        FlowTuple b = w.table.lookup(4, 0, in.srcLo(), 0, in.dstLo(), 6, 80, 40000, w.wan.ifIndex(), -1);
        assertNotNull(a);
        assertNotNull(b);
        assertSame(a.flow, b.flow);
        assertEquals(FlowEntry.ORIGINAL, a.dir);
        assertEquals(FlowEntry.REPLY, b.dir);
        // another ingress device, VLAN or port is another key
        assertNull(w.table.lookup(4, 0, out.srcLo(), 0, out.dstLo(), 6, 40000, 80, w.wan.ifIndex(), -1));
        assertNull(w.table.lookup(4, 0, out.srcLo(), 0, out.dstLo(), 6, 40000, 80, w.lan.ifIndex(), 10));
        assertNull(w.table.lookup(4, 0, out.srcLo(), 0, out.dstLo(), 6, 40001, 80, w.lan.ifIndex(), -1));
    }

    @Test
    void idleFlowsAreCollectedAfterTheTimeoutAndGivenBack() {
        FakeConn c = offload(w, Frames.UDP);
        w.now += 29_000_000_000L;
        w.gc();
        assertEquals(1, w.table.count());
        assertTrue(w.conntrack.keepAlives > 0, "live offloaded entries are kept alive");
        // a hit refreshes the flow
        assertEquals(Verdict.STOLEN, w.fastPath.process(Hook.INGRESS, w.arriving(outbound(Frames.UDP), w.lan)));
        w.now += 29_000_000_000L;
        w.gc();
        assertEquals(1, w.table.count());
        w.now += 2_000_000_000L;
        w.gc();
        assertEquals(0, w.table.count());
        assertEquals(0, c.status & CtStatus.OFFLOAD);
        assertEquals(1, w.conntrack.tornDown.size());
        assertEquals(1, w.removed.size());
        assertEquals(1L, w.table.stats().gcEvictions().get("idle"));
    }

    @Test
    void theTimeoutIsConfigurable() {
        w.table.setTimeouts(5_000_000_000L, 5_000_000_000L);
        offload(w, Frames.TCP);
        w.now += 6_000_000_000L;
        w.gc();
        assertEquals(0, w.table.count());
    }

    @Test
    void flowsOfADyingConntrackEntryAreCollected() {
        FakeConn c = offload(w, Frames.TCP);
        c.status |= CtStatus.DYING;
        w.gc();
        assertEquals(0, w.table.count());
        assertEquals(1L, w.table.stats().gcEvictions().get("ct-dying"));
    }

    @Test
    void aRouteChangeEndsTheFlow() {
        offload(w, Frames.TCP);
        w.gc();
        assertEquals(1, w.table.count(), "unchanged routes keep the flow");
        w.fib.add(new Route(org.flowgate.api.net.IpPrefix.parse("198.51.100.0/24"), IpAddress.parse("192.0.2.253"), "wan", 0, Route.Type.STATIC));
        w.neighbour("wan", "192.0.2.253", 0x02_00_00_00_00_FDL);
        w.gc();
        assertEquals(0, w.table.count());
        assertEquals(1L, w.table.stats().gcEvictions().get("route"));
    }

    @Test
    void aNeighbourChangeEndsTheFlow() {
        offload(w, Frames.TCP);
        w.neighbour("lan", H1, TestWorld.H1B_MAC);
        w.gc();
        assertEquals(0, w.table.count());
        assertEquals(1L, w.table.stats().gcEvictions().get("neighbour"));
    }

    @Test
    void aDeviceGoingDownEndsTheFlow() {
        offload(w, Frames.TCP);
        w.wan.up = false;
        w.gc();
        assertEquals(0, w.table.count());
        assertEquals(1L, w.table.stats().gcEvictions().get("device"));
    }

    @Test
    void finTearsDownAtOnceAndTheCollectorRemovesTheFlow() {
        FakeConn c = offload(w, Frames.TCP);
        Frames fin = inbound(Frames.TCP);
        fin.tcpFlags = 0x11;
        assertEquals(Verdict.ACCEPT, w.fastPath.process(Hook.INGRESS, w.arriving(fin, w.wan)));
        // conntrack has the connection back before it sees the FIN
        assertEquals(0, c.status & CtStatus.OFFLOAD);
        assertEquals(1, w.conntrack.tornDown.size());
        // later packets of the torn-down flow take the classic path too
        assertEquals(Verdict.ACCEPT, w.fastPath.process(Hook.INGRESS, w.arriving(outbound(Frames.TCP), w.lan)));
        assertEquals(1L, w.table.stats().handedBack().get("teardown"));
        w.table.gcStep(1);
        assertEquals(0, w.table.count(), "the torn-down stack is drained whatever the budget");
        assertEquals(1L, w.table.stats().gcEvictions().get("tcp-fin-rst"));
        assertEquals(1, w.conntrack.tornDown.size(), "given back once");
        // the connection may be offloaded again (conntrack decides)
        c.status |= 0;
        w.table.offer(w.forwarded(outbound(Frames.TCP), c, 0, w.lan, w.wan));
        assertEquals(1, w.table.count());
    }

    @Test
    void rstTearsDownToo() {
        offload(w, Frames.TCP);
        Frames rst = outbound(Frames.TCP);
        rst.tcpFlags = 0x04;
        assertEquals(Verdict.ACCEPT, w.fastPath.process(Hook.INGRESS, w.arriving(rst, w.lan)));
        assertEquals(1L, w.table.stats().handedBack().get("tcp-fin-rst"));
        w.gc();
        assertEquals(0, w.table.count());
    }

    @Test
    void deleteAndFlushGiveConnectionsBack() {
        FakeConn c1 = offload(w, Frames.TCP);
        FakeConn c2 = FakeConn.of(Frames.UDP, H1, 5000, SERVER, 53, SERVER, 53, ROUTER_WAN, 5000).established();
        w.table.offer(w.forwarded(Frames.tcp(TestWorld.LAN_MAC, TestWorld.H1_MAC, H1, 5000, SERVER, 53).udp(), c2, 0, w.lan, w.wan));
        assertEquals(2, w.table.count());
        FlowEntry first = w.table.list().stream().filter(f -> f.conn() == c1).findFirst().orElseThrow();
        assertTrue(w.table.delete(first));
        assertFalse(w.table.delete(first));
        assertEquals(0, c1.status & CtStatus.OFFLOAD);
        assertEquals(1, w.table.flush());
        assertEquals(0, c2.status & CtStatus.OFFLOAD);
        assertEquals(0, w.table.count());
        assertEquals(2, w.removed.size());
        assertEquals(2L, w.table.stats().gcEvictions().get("admin"));
    }

    @Test
    void conntrackRefusingTheOffloadLeavesNoFlow() {
        FakeConn c = masqueraded(Frames.TCP).established();
        c.status |= CtStatus.DYING; // offer itself skips it
        w.table.offer(w.forwarded(outbound(Frames.TCP), c, 0, w.lan, w.wan));
        c.status &= ~CtStatus.DYING;
        c.protoState = "FIN_WAIT"; // conntrack refuses
        w.table.offer(w.forwarded(outbound(Frames.TCP), c, 0, w.lan, w.wan));
        assertEquals(0, w.table.count());
        assertTrue(w.added.isEmpty());
        assertNull(w.table.lookup(4, 0, IpAddress.parse(H1).lo(), 0, IpAddress.parse(SERVER).lo(), 6, 40000, 80, 1, -1));
    }

    @Test
    void aFlowInHardwareDiesOnlyOnceTheDriverLetGo() {
        FakeConn c = offload(w, Frames.UDP);
        Flow f = w.added.get(0);
        assertTrue(f.compareAndSetHwState(FlowEntry.HwState.SOFTWARE, FlowEntry.HwState.PENDING));
        assertTrue(f.compareAndSetHwState(FlowEntry.HwState.PENDING, FlowEntry.HwState.HW));
        w.now += 31_000_000_000L;
        w.gc();
        assertEquals(1, w.table.count(), "kept while hardware holds it");
        assertEquals(FlowEntry.HwState.DYING, f.hwState());
        assertEquals(List.of(f), w.dying);
        assertEquals(0, c.status & CtStatus.OFFLOAD, "conntrack has it back already");
        w.gc();
        assertEquals(1, w.dying.size(), "told once");
        assertTrue(f.compareAndSetHwState(FlowEntry.HwState.DYING, FlowEntry.HwState.DEAD));
        w.gc();
        assertEquals(0, w.table.count());
        assertEquals(List.of(f), w.removed);
        assertEquals(1L, w.table.stats().gcEvictions().get("idle"));
    }

    @Test
    void hardwareStatsCountAndKeepTheFlowAlive() {
        offload(w, Frames.UDP);
        Flow f = w.added.get(0);
        f.compareAndSetHwState(FlowEntry.HwState.SOFTWARE, FlowEntry.HwState.HW);
        for (int i = 0; i < 3; i++) {
            w.now += 20_000_000_000L;
            w.table.hardwareUsed(f, FlowEntry.REPLY, 10, 1000);
            w.gc();
        }
        assertEquals(1, w.table.count(), "busy in hardware for 60 s");
        assertEquals(30, f.packets(FlowEntry.REPLY));
        assertEquals(3000, f.bytes(FlowEntry.REPLY));
        assertTrue(w.dying.isEmpty());
    }

    @Test
    void flushOfHardwareFlowsWaitsForTheDriverAndRemoveAllDoesNot() {
        offload(w, Frames.UDP);
        Flow f = w.added.get(0);
        f.compareAndSetHwState(FlowEntry.HwState.SOFTWARE, FlowEntry.HwState.HW_REFRESH);
        assertEquals(1, w.table.flush());
        assertEquals(1, w.table.count());
        assertEquals(FlowEntry.HwState.DYING, f.hwState());
        assertEquals(1, w.table.removeAll());
        assertEquals(0, w.table.count());
    }
}
