package org.flowgate.driver.emulated.tc;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.flowtable.FlowEntry.HwState;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.packet.Checksums;
import org.flowgate.api.tc.TcException;
import org.flowgate.api.tc.TcFilter;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.conntrack.core.Conntrack;
import org.flowgate.driver.emulated.driver.EmulatedDriver;
import org.flowgate.driver.emulated.driver.Faults;
import org.flowgate.driver.emulated.eswitch.Eswitch;
import org.flowgate.io.virtual.port.CaptureSink;
import org.flowgate.io.virtual.port.VirtualPort;
import org.flowgate.offload.manager.command.OffloadCommands;
import org.flowgate.offload.manager.core.OffloadManager;
import org.flowgate.offload.manager.core.Settings;
import org.flowgate.tc.action.Devices;
import org.flowgate.tc.ct.CtEngine;
import org.flowgate.tc.ct.CtFlowTables;
import org.flowgate.tc.flowtable.ZoneTableView;
import org.flowgate.tc.hook.TcIngressHook;
import org.flowgate.tc.service.TcEngine;
import org.flowgate.testsupport.router.TestRouter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The second seed end to end: tc filters with the ct action (zone 0, source NAT) between two NIC
 * ports, zone 0's flow table offered to the emulated NIC by the offload manager as ct-only rules,
 * the ports' ct pre_ct rules standing for the offloaded chain 0 filter ({@code ct zone 0 nat pipe
 * goto chain 2}). Once the flow is in the NIC, its frames are NATed by the NIC's CT stage and miss
 * to software at chain 2 with zone 0: tc resumes there (chain 0's counters stand still), restores
 * the connection and redirects. Removing the driver gives the flow back to software, no frame lost.
 */
class TcZoneOffloadEndToEndTest {
    static final MacAddress P0 = MacAddress.parse("02:00:00:00:00:01"), P1 = MacAddress.parse("02:00:00:00:01:01"),
            HA = MacAddress.parse("24:8a:07:a5:28:01"), HB = MacAddress.parse("24:8a:07:a5:28:02");
    static final IpAddress A = IpAddress.parse("10.0.0.1"), B = IpAddress.parse("10.0.0.2"), SNAT = IpAddress.parse("100.64.0.1");

    TestRouter router;
    Conntrack conntrack;
    TcEngine tc;
    CtFlowTables zones;
    Eswitch nic;
    EmulatedDriver driver;
    OffloadManager offload;
    VirtualPort w0, w1;
    final CaptureSink out0 = new CaptureSink(), out1 = new CaptureSink();
    long now = 1_000_000_000L;

    @BeforeEach
    void setUp() throws TcException, IOException {
        nic = new Eswitch("nic0", 64);
        w0 = new VirtualPort("p0", P0, 1500);
        w1 = new VirtualPort("p1", P1, 1500);
        w0.connect(out0);
        w1.connect(out1);
        router = TestRouter.builder()
                .conntrack(1024, 10_000, 64)
                .port(nic.addPort(w0), nic.addPort(w1))
                .offload(new Settings(64, 1, 16, 1000, 0, 10_000)) // no flow tables: no nft flowtables here
                .build();
        conntrack = router.conntrack();
        offload = router.offload();
        CtEngine ct = new CtEngine();
        ct.setTracker(conntrack);
        zones = new CtFlowTables(() -> now, 64, 30_000_000_000L);
        zones.deliverOnCallerThread();
        zones.setTracker(conntrack);
        ct.setFlowTables(zones);
        Devices devices = new Devices();
        devices.set(router.router().devices());
        tc = new TcEngine(ct, devices);
        router.router().hooks().addService(new TcIngressHook(tc), Map.of(PacketHook.HOOK, "ingress", PacketHook.PRIORITY, TcIngressHook.DEFAULT_PRIORITY));
        // the offloaded chain 0 filters: ct zone 0, then chain 2
        nic.setCtPreCt("p0", 0, 2);
        nic.setCtPreCt("p1", 0, 2);

        tc.add("tc filter add dev p0 ingress prio 1 chain 0 proto ip flower ct_state -trk action ct zone 0 nat pipe action goto chain 2");
        tc.add("tc filter add dev p0 ingress prio 1 chain 2 proto ip flower ct_state +trk+new action ct commit zone 0 nat src addr 100.64.0.1 pipe action mirred egress redirect dev p1");
        tc.add("tc filter add dev p0 ingress prio 2 chain 2 proto ip flower ct_state +trk+est action mirred egress redirect dev p1");
        tc.add("tc filter add dev p1 ingress prio 1 chain 0 proto ip flower ct_state -trk action ct zone 0 nat pipe action goto chain 2");
        tc.add("tc filter add dev p1 ingress prio 2 chain 2 proto ip flower ct_state +trk+est action mirred egress redirect dev p0");

        driver = new EmulatedDriver(nic, new Faults());
        offload.addDriver(driver);
    }

    @AfterEach
    void tearDown() {
        router.close();
    }

    /** Ethernet + IPv4 + UDP with 4 payload bytes, checksums computed (RFC 791 / 768). */
    static byte[] udp(MacAddress dst, MacAddress src, IpAddress s, int sport, IpAddress d, int dport) {
        byte[] f = new byte[46];
        dst.write(f, 0);
        src.write(f, 6);
        f[12] = 0x08;
        f[14] = 0x45;
        f[17] = 32;
        f[22] = 64;
        f[23] = 17;
        put32(f, 26, (int) s.lo());
        put32(f, 30, (int) d.lo());
        put16(f, 24, Checksums.checksum(f, 14, 20));
        put16(f, 34, sport);
        put16(f, 36, dport);
        put16(f, 38, 12);
        f[42] = 'd'; f[43] = 'a'; f[44] = 't'; f[45] = 'a';
        int c = Checksums.finish(Checksums.sum(f, 34, 12, Checksums.pseudoV4((int) s.lo(), (int) d.lo(), 17, 12)));
        put16(f, 40, c == 0 ? 0xFFFF : c);
        return f;
    }

    /** Ethernet + IPv4 + TCP (20-byte header, no payload), checksums computed (RFC 793). */
    static byte[] tcp(MacAddress dst, MacAddress src, IpAddress s, int sport, IpAddress d, int dport, int seq, int ack, int flags) {
        byte[] f = new byte[54];
        dst.write(f, 0);
        src.write(f, 6);
        f[12] = 0x08;
        f[14] = 0x45;
        f[17] = 40;
        f[22] = 64;
        f[23] = 6;
        put32(f, 26, (int) s.lo());
        put32(f, 30, (int) d.lo());
        put16(f, 24, Checksums.checksum(f, 14, 20));
        put16(f, 34, sport);
        put16(f, 36, dport);
        put32(f, 38, seq);
        put32(f, 42, ack);
        f[46] = 0x50;
        f[47] = (byte) flags;
        put16(f, 48, 65535);
        put16(f, 50, Checksums.finish(Checksums.sum(f, 34, 20, Checksums.pseudoV4((int) s.lo(), (int) d.lo(), 6, 20))));
        return f;
    }

    static void put16(byte[] b, int i, int v) { b[i] = (byte) (v >>> 8); b[i + 1] = (byte) v; }

    static void put32(byte[] b, int i, int v) { put16(b, i, v >>> 16); put16(b, i + 2, v); }

    static int u16(byte[] b, int i) { return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF); }

    static int ip(byte[] f, int at) { return u16(f, at) << 16 | u16(f, at + 2); }

    static void assertChecksums(byte[] f) {
        assertEquals(0, Checksums.checksum(f, 14, 20), "IPv4 header checksum");
        long pseudo = Checksums.pseudoV4(ip(f, 26), ip(f, 30), 17, 12);
        assertEquals(0, Checksums.finish(Checksums.sum(f, 34, 12, pseudo)), "UDP checksum");
    }

    byte[] aToB() { return udp(HB, HA, A, 7000, B, 53); }

    byte[] bToA() { return udp(HA, HB, B, 53, SNAT, 7000); }

    TcFilter filter(String dev, int chain, int prio) {
        for (TcFilter f : tc.filters(dev)) if (f.chain() == chain && f.prio() == prio) return f;
        throw new AssertionError("no filter " + dev + " chain " + chain + " prio " + prio);
    }

    static List<byte[]> take(CaptureSink s) {
        List<byte[]> l = s.frames();
        s.clear();
        return l;
    }

    String diag() {
        return new OffloadCommands(offload).stats() + new OffloadCommands(offload).flows() + nic.dumpTables() + nic.dumpStats() + tc.stats();
    }

    /** A -> B (new, committed with SNAT), B -> A (established: zone 0's table takes it), then the manager offers it to the NIC. */
    FlowEntry establishedAndOffloaded() {
        w0.inject(aToB(), 0, 46);
        w1.inject(bToA(), 0, 46);
        assertEquals(1, take(out1).size());
        assertEquals(1, take(out0).size());
        assertNotNull(zones.table(0), "zone 0's flow table holds the connection");
        ZoneTableView view = new ZoneTableView(zones, zones.table(0)); // as TcComponent registers it
        offload.addTable(view); // as the manager's dynamic reference binds it
        offload.tick(); // the existing flow is offered
        offload.drain();
        FlowEntry f = view.list().get(0);
        assertEquals(HwState.HW, f.hwState(), diag());
        assertEquals(2, nic.entries());
        return f;
    }

    @Test
    void offloadedZoneFlowMissesToSoftwareAtChain2WithItsZone() {
        FlowEntry flow = establishedAndOffloaded();
        ConnEntry conn = conntrack.find(0, FiveTuple.of(A, 7000, B, 53, 17));
        assertSame(conn, flow.conn());
        long chain0 = filter("p0", 0, 1).packets(), chain0Reply = filter("p1", 0, 1).packets(), est = filter("p0", 2, 2).packets();
        long zoneHits = zones.hits();

        for (int i = 0; i < 5; i++) w0.inject(aToB(), 0, 46);
        List<byte[]> out = take(out1);
        assertEquals(5, out.size(), diag());
        for (byte[] f : out) {
            assertEquals((int) SNAT.lo(), ip(f, 26), "source NAT by the NIC's CT stage");
            assertChecksums(f);
        }
        assertEquals(chain0, filter("p0", 0, 1).packets(), "chain 0 never saw them: resumed at chain 2");
        assertEquals(est + 5, filter("p0", 2, 2).packets(), "chain 2 +trk+est: ct state restored in zone 0");
        assertEquals(zoneHits, zones.hits(), "the software zone table was not consulted");
        assertEquals(5, nic.ctHitPackets());
        assertEquals(5, nic.misses(Eswitch.Miss.POST_CT_CHAIN));
        assertEquals(5, tc.stats().get("resumed"));
        assertEquals(0, tc.stats().get("resume_ct_miss"));

        w1.inject(bToA(), 0, 46);
        List<byte[]> back = take(out0);
        assertEquals(1, back.size());
        assertEquals((int) A.lo(), ip(back.get(0), 30), "reply de-NATed by the NIC");
        assertChecksums(back.get(0));
        assertEquals(chain0Reply, filter("p1", 0, 1).packets());

        // the stats pull: the NIC's counters reach the zone flow and keep it alive
        long orig = flow.packets(0), reply = flow.packets(1);
        offload.tick();
        offload.drain();
        assertEquals(orig + 5, flow.packets(0), diag());
        assertEquals(reply + 1, flow.packets(1));
        now += 20_000_000_000L;
        w0.inject(aToB(), 0, 46); // busy in hardware only
        assertEquals(1, take(out1).size());
        offload.tick();
        offload.drain();
        now += 20_000_000_000L; // 40 s since software's table last saw it, 20 s since the NIC did
        assertEquals(0, zones.sweep(), "idle in software but not in hardware: still there");
        assertEquals(HwState.HW, flow.hwState());
        now += 31_000_000_000L;
        assertEquals(1, zones.sweep(), "idle everywhere: aged out");
        assertEquals(HwState.DYING, flow.hwState(), "the GC waits for the driver");
        zones.deliverPending();
        offload.drain();
        assertEquals(HwState.DEAD, flow.hwState());
        assertEquals(0, nic.entries());
    }

    @Test
    void aTcpFinMissesToChain0AndTheFlowLeavesTheNicBeforeItIsDead() {
        final int SYN = 0x02, ACK = 0x10, FIN = 0x01;
        w0.inject(tcp(HB, HA, A, 40000, B, 80, 1000, 0, SYN), 0, 54);
        w1.inject(tcp(HA, HB, B, 80, SNAT, 40000, 5000, 1001, SYN | ACK), 0, 54);
        w0.inject(tcp(HB, HA, A, 40000, B, 80, 1001, 5001, ACK), 0, 54);
        assertEquals(2, take(out1).size());
        assertEquals(1, take(out0).size());
        ConnEntry conn = conntrack.find(0, FiveTuple.of(A, 40000, B, 80, 6));
        assertEquals("ESTABLISHED", conn.protoState());
        assertNotNull(zones.table(0), "established TCP is in zone 0's table");
        ZoneTableView view = new ZoneTableView(zones, zones.table(0));
        offload.addTable(view);
        offload.tick();
        offload.drain();
        FlowEntry flow = view.list().get(0);
        assertEquals(HwState.HW, flow.hwState(), diag());

        w0.inject(tcp(HB, HA, A, 40000, B, 80, 1001, 5001, ACK), 0, 54);
        List<byte[]> out = take(out1);
        assertEquals(1, out.size());
        assertEquals((int) SNAT.lo(), ip(out.get(0), 26));
        assertEquals(0, Checksums.checksum(out.get(0), 14, 20));
        assertEquals(0, Checksums.finish(Checksums.sum(out.get(0), 34, 20, Checksums.pseudoV4(ip(out.get(0), 26), ip(out.get(0), 30), 6, 20))),
                "TCP checksum after the NIC's NAT");
        assertEquals(1, nic.ctHitPackets());

        long chain0 = filter("p0", 0, 1).packets();
        w0.inject(tcp(HB, HA, A, 40000, B, 80, 1001, 5001, FIN | ACK), 0, 54);
        assertEquals(1, take(out1).size(), "the FIN is forwarded by software");
        assertEquals(chain0 + 1, filter("p0", 0, 1).packets(), "a FIN misses to chain 0: conntrack must see it");
        assertEquals(1, nic.misses(Eswitch.Miss.TCP_FIN_RST));
        assertEquals("FIN_WAIT", conn.protoState());
        assertFalse(conn.isOffloaded(), "given back to conntrack");
        assertEquals(HwState.DYING, flow.hwState(), "the zone table waits for the driver");
        zones.deliverPending();
        offload.drain();
        assertEquals(HwState.DEAD, flow.hwState());
        assertEquals(0, nic.entries(), "the NIC let go of both directions");
        zones.sweep();
        assertEquals(0, zones.dyingCount());
    }

    @Test
    void removingTheDriverGivesTheFlowBackToSoftwareWithNothingLost() {
        FlowEntry flow = establishedAndOffloaded();
        w0.inject(aToB(), 0, 46);
        assertEquals(1, take(out1).size());
        assertEquals(1, nic.ctHitPackets());

        offload.removeDriver(driver);
        assertEquals(HwState.SOFTWARE, flow.hwState());
        assertEquals(0, nic.entries(), "the NIC let go of the zone's entries");
        long chain0 = filter("p0", 0, 1).packets(), zoneHits = zones.hits();
        for (int i = 0; i < 3; i++) w0.inject(aToB(), 0, 46);
        List<byte[]> out = take(out1);
        assertEquals(3, out.size(), "no frame lost");
        for (byte[] f : out) assertEquals((int) SNAT.lo(), ip(f, 26));
        assertEquals(chain0 + 3, filter("p0", 0, 1).packets(), "software runs chain 0 and the ct action again");
        assertEquals(zoneHits + 3, zones.hits(), "ct state from zone 0's software table");
        assertEquals(1, nic.ctHitPackets());
        assertEquals(1, zones.table(0).count());
    }

    @Test
    void aFlowEndingInSoftwareIsDeletedFromTheNicBeforeItIsDead() {
        FlowEntry flow = establishedAndOffloaded();
        ZoneTableView view = new ZoneTableView(zones, zones.table(0));
        assertTrue(view.delete(flow));
        assertEquals(HwState.DYING, flow.hwState(), "kept for the driver");
        zones.deliverPending(); // the notifier's work, on this thread
        offload.drain();
        assertEquals(HwState.DEAD, flow.hwState());
        assertEquals(0, nic.entries());
        w0.inject(aToB(), 0, 46);
        assertEquals(1, take(out1).size(), "software tracks the connection again");
        assertEquals(0, nic.ctHitPackets());
    }
}
