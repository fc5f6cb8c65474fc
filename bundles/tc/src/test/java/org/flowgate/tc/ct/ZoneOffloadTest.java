package org.flowgate.tc.ct;

import static org.flowgate.tc.support.Frames.*;
import static org.flowgate.tc.support.TcWorld.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.CtState;
import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.flowtable.FlowEntry.HwState;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.flowtable.FlowTableListener;
import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.tc.flowtable.ZoneTableView;
import org.flowgate.tc.hook.TcIngressHook;
import org.flowgate.tc.support.TcWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A ct zone's table as offload drivers see it: events to subscribers, one entry object per flow
 * with a hardware state, removal waiting for dead, hardware counters keeping a flow alive, and a
 * packet handed back after a hardware miss (NAT already applied) resumed at its chain by the hook.
 */
class ZoneOffloadTest {
    static final IpAddress NAT_IP = IpAddress.parse("100.64.0.1");
    TcWorld w;
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<FlowEntry> seen = new CopyOnWriteArrayList<>();
    final FlowTableListener listener = new FlowTableListener() {
        @Override public void flowAdded(FlowTable t, FlowEntry f) { events.add("added " + t.ctZone() + " " + f.id()); seen.add(f); }
        @Override public void flowDying(FlowTable t, FlowEntry f) { events.add("dying " + f.id()); }
        @Override public void flowRemoved(FlowTable t, FlowEntry f) { events.add("removed " + f.id()); }
    };

    @BeforeEach
    void setUp() {
        w = new TcWorld();
        w.flowTables.deliverOnCallerThread();
        for (String[] d : new String[][] {{"p0", "p1"}, {"p1", "p0"}}) {
            w.add("tc filter add dev " + d[0] + " ingress prio 10 chain 0 proto ip flower ct_state -trk action ct zone 9 " + (d[0].equals("p0") ? "" : "nat") + " pipe action goto chain 1");
            w.add("tc filter add dev " + d[0] + " ingress prio 10 chain 1 proto ip flower ct_state +trk+new action ct commit zone 9 mark 7 nat src addr 100.64.0.1 pipe action mirred egress redirect dev " + d[1]);
            w.add("tc filter add dev " + d[0] + " ingress prio 20 chain 1 proto ip flower ct_state +trk+est action ct zone 9 nat pipe action mirred egress redirect dev " + d[1]);
        }
    }

    @AfterEach
    void tearDown() { w.close(); }

    static byte[] aToB(IpAddress src, int sport) { return eth(HOST_B, HOST_A, 0x0800, ipv4(src, B_IP, Packet.PROTO_UDP, udp(sport, 53, "q".getBytes()))); }

    static byte[] bToA(IpAddress dst, int dport) { return eth(HOST_A, HOST_B, 0x0800, ipv4(B_IP, dst, Packet.PROTO_UDP, udp(53, dport, "a".getBytes()))); }

    /** A UDP exchange through the filters: established, in zone 9's table; returns the table's view, subscribed to. */
    ZoneTableView establishedAndSubscribed() {
        inject(w.p0, aToB(A_IP, 7000));
        inject(w.p1, bToA(NAT_IP, 7000));
        take(w.p0Out);
        take(w.p1Out);
        ZoneTableView v = new ZoneTableView(w.flowTables, w.flowTables.table(9));
        assertTrue(v.addListener(listener));
        return v;
    }

    @Test
    void flowsOfAZoneAreReportedToSubscribersAsOneEntryEach() {
        ZoneTableView v = new ZoneTableView(w.flowTables, w.flowTables.table(9) == null ? new ZoneFlowTable(9, 16) : w.flowTables.table(9));
        assertEquals(9, v.ctZone());
        assertTrue(v.hardwareOffload(), "act_ct's tables are offloadable");
        inject(w.p0, aToB(A_IP, 7000));
        inject(w.p1, bToA(NAT_IP, 7000));
        v = new ZoneTableView(w.flowTables, w.flowTables.table(9));
        assertTrue(v.addListener(listener));
        inject(w.p0, aToB(A_IP, 7001));
        inject(w.p1, bToA(NAT_IP, 7001));
        w.flowTables.deliverPending();
        assertEquals(List.of("added 9 2"), events, "only flows added after subscribing; existing ones are listed");
        assertSame(seen.get(0), v.list().stream().filter(f -> f.id() == 2).findFirst().orElseThrow(), "one entry object per flow");
        FlowEntry f = seen.get(0);
        ConnEntry e = f.conn();
        assertEquals(9, e.zone());
        assertEquals(7, e.mark());
        assertTrue(f.path(0).snat(), "the NAT mangle is in the paths");
        assertEquals(NAT_IP.lo(), f.path(0).rewrite().srcLo);
        assertEquals(HwState.SOFTWARE, f.hwState());
        assertTrue(f.compareAndSetHwState(HwState.SOFTWARE, HwState.PENDING));
        assertEquals(HwState.PENDING, v.list().stream().filter(x -> x.id() == 2).findFirst().orElseThrow().hwState());
        v.removeListener(listener);
        assertFalse(w.flowTables.hasListeners());
    }

    @Test
    void aFlowEndingInHardwareWaitsForDeadBeforeItIsRemoved() {
        ZoneTableView v = establishedAndSubscribed();
        FlowEntry f = v.list().get(0);
        assertTrue(f.compareAndSetHwState(HwState.SOFTWARE, HwState.PENDING) && f.compareAndSetHwState(HwState.PENDING, HwState.HW));
        assertTrue(v.delete(f));
        assertEquals(0, v.count(), "software sees the connection's packets again at once");
        assertFalse(f.conn().isOffloaded(), "given back to conntrack");
        assertEquals(HwState.DYING, f.hwState());
        w.flowTables.deliverPending();
        assertEquals(List.of("dying 1"), events);
        w.flowTables.sweep();
        w.flowTables.deliverPending();
        assertEquals(1, w.flowTables.dyingCount(), "kept until the driver let it go");
        assertEquals(List.of("dying 1"), events);
        assertTrue(f.compareAndSetHwState(HwState.DYING, HwState.DEAD));
        w.flowTables.sweep();
        w.flowTables.deliverPending();
        assertEquals(0, w.flowTables.dyingCount());
        assertEquals(List.of("dying 1", "removed 1"), events);
    }

    @Test
    void aFlowInSoftwareIsRemovedAtOnce() {
        ZoneTableView v = establishedAndSubscribed();
        FlowEntry f = v.list().get(0);
        assertTrue(v.delete(f));
        w.flowTables.deliverPending();
        assertEquals(List.of("removed 1"), events);
        assertEquals(HwState.SOFTWARE, f.hwState());
    }

    @Test
    void hardwareCountersKeepABusyFlowFromAgeingOut() {
        ZoneTableView v = establishedAndSubscribed();
        FlowEntry f = v.list().get(0);
        long before = f.packets(1);
        w.now += 20_000_000_000L;
        v.hardwareUsed(f, 1, 5, 500);
        assertEquals(before + 5, f.packets(1));
        w.now += 20_000_000_000L; // 40 s since software saw it, 20 s since the hardware did
        assertEquals(0, w.flowTables.sweep());
        assertEquals(1, v.count());
        w.now += 31_000_000_000L;
        assertEquals(1, w.flowTables.sweep(), "idle everywhere: aged out");
    }

    /** As the emulated NIC hands a frame up after its CT stage (NAT applied) with the chain after the ct action. */
    Packet missedAtChain1(byte[] frame, String dev) {
        Packet p = new Packet();
        p.setFrame(frame, 0, frame.length);
        assertNull(p.parse());
        p.setInDevice(w.router.devices().byName(dev).orElseThrow());
        p.setCtZone(9);
        p.setMissChain(1);
        return p;
    }

    @Test
    void theHookResumesAMissedPacketAtItsChainWithNatAlreadyApplied() {
        establishedAndSubscribed();
        long chain0 = w.filter("p0", 0, 10, 1).packets(), chain0Reply = w.filter("p1", 0, 10, 1).packets();
        ConnEntry e = w.conntrack.find(9, FiveTuple.of(A_IP, 7000, B_IP, 53, 17));
        TcIngressHook hook = new TcIngressHook(w.tc);

        Packet p = missedAtChain1(aToB(NAT_IP, 7000), "p0"); // original direction, source already translated
        assertEquals(Verdict.STOLEN, hook.process(Hook.INGRESS, p));
        assertSame(e, p.conn(), "conntrack info restored from the NATed tuple");
        assertEquals(0, p.ctDirection());
        assertEquals(CtState.ESTABLISHED, p.ctState());
        assertEquals(-1, p.missChain(), "consumed");
        List<byte[]> out = take(w.p1Out);
        assertEquals(1, out.size());
        assertEquals(NAT_IP, ip4At(out.get(0), 26));
        assertTrue(checksumsOk(out.get(0), 14));
        assertEquals(chain0, w.filter("p0", 0, 10, 1).packets(), "chain 0 filters did not see it");
        assertEquals(1, w.filter("p0", 1, 20, 1).packets(), "continued at chain 1 as +trk+est");

        Packet r = missedAtChain1(bToA(A_IP, 7000), "p1"); // reply direction, destination already de-NATed
        assertEquals(Verdict.STOLEN, hook.process(Hook.INGRESS, r));
        assertSame(e, r.conn());
        assertEquals(1, r.ctDirection(), "+rpl");
        List<byte[]> back = take(w.p0Out);
        assertEquals(1, back.size());
        assertEquals(A_IP, ip4At(back.get(0), 30));
        assertTrue(checksumsOk(back.get(0), 14));
        assertEquals(chain0Reply, w.filter("p1", 0, 10, 1).packets());
        assertEquals(2, w.tc.stats().get("resumed"));
        assertEquals(0, w.tc.stats().get("resume_ct_miss"));
    }

    @Test
    void withoutAMissChainTheHookClassifiesFromChain0() {
        establishedAndSubscribed();
        long chain0 = w.filter("p0", 0, 10, 1).packets();
        Packet p = missedAtChain1(aToB(A_IP, 7000), "p0");
        p.setMissChain(-1);
        new TcIngressHook(w.tc).process(Hook.INGRESS, p);
        assertEquals(chain0 + 1, w.filter("p0", 0, 10, 1).packets());
        assertEquals(0, w.tc.stats().get("resumed"));
    }
}
