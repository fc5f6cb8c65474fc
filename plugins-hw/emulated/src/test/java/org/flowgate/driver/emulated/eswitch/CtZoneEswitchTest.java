package org.flowgate.driver.emulated.eswitch;

import static org.flowgate.driver.emulated.eswitch.EswitchTest.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.PortReceiver;
import org.flowgate.api.packet.Checksums;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.io.virtual.port.CaptureSink;
import org.flowgate.io.virtual.port.VirtualPort;
import org.flowgate.offload.FlowRule;
import org.flowgate.offload.FlowStats;
import org.flowgate.offload.OffloadException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ct-only entries (tc ct zone tables) behind a port's ct pre_ct rule: a CT hit applies the NAT
 * mangles and misses to software at the chain after the ct action with the zone; and the CT table
 * resized at runtime.
 */
class CtZoneEswitchTest {
    static final IpAddress SNAT = IpAddress.parse("100.64.0.1");

    Eswitch sw;
    VirtualPort w0, w1;
    final CaptureSink out0 = new CaptureSink(), out1 = new CaptureSink();
    /** What software got: port, zone, miss chain, and the frame. */
    final List<String> upstairs = new ArrayList<>();
    final List<byte[]> upFrames = new ArrayList<>();

    @BeforeEach
    void setUp() {
        sw = new Eswitch("t", 4, () -> 42);
        w0 = new VirtualPort("p0", new MacAddress(R0), 1500);
        w1 = new VirtualPort("p1", new MacAddress(R1), 1500);
        w0.connect(out0);
        w1.connect(out1);
        for (NicPort p : List.of(sw.addPort(w0), sw.addPort(w1))) {
            p.start(new PortReceiver() {
                @Override public void receive(Packet pk) {
                    upstairs.add(p.name() + " zone " + pk.ctZone() + " chain " + pk.missChain());
                    upFrames.add(pk.toByteArray());
                }
                @Override public void endOfBatch() {}
            });
        }
    }

    /** The original direction of A:sport -> B:5001 in {@code zone}, source-NATed to 100.64.0.1:sport. */
    static FlowRule ctRule(long cookie, long flowId, int zone, int sport) {
        FiveTuple m = FiveTuple.of(A, sport, B, 5001, 17), w = FiveTuple.of(SNAT, sport, B, 5001, 17);
        return FlowRule.ctOnly(cookie, flowId, 0, m, zone, 7, 0, 1, true, w);
    }

    static FlowRule ctReply(long cookie, long flowId, int zone, int sport) {
        FiveTuple m = FiveTuple.of(B, 5001, SNAT, sport, 17), w = FiveTuple.of(B, 5001, A, sport, 17);
        return FlowRule.ctOnly(cookie, flowId, 1, m, zone, 7, 0, 1, true, w);
    }

    @Test
    void aCtHitIsNatedAndContinuesInSoftwareAtTheChainAfterTheCtAction() throws OffloadException {
        sw.setCtPreCt("p0", 3, 2);
        sw.installCt(ctRule(1, 1, 3, 10000), sw.chain("tc ct zone 3"));
        assertTrue(w0.inject(udp(0x02_00_00_00_00_99L, H1, A, 10000, B, 5001, 64), 0, 46)); // any destination MAC: tc is layer 2
        assertEquals(List.of("p0 zone 3 chain 2"), upstairs);
        assertEquals(0, out1.size(), "the NIC does not forward: chain 2's filters are software's");
        byte[] f = upFrames.get(0);
        assertEquals((int) SNAT.lo(), (u16(f, 26) << 16) | u16(f, 28), "the CT stage's NAT was applied");
        assertEquals(64, f[22] & 0xFF, "no TTL decrement: tc does not route");
        assertEquals(0, Checksums.checksum(f, 14, 20), "IPv4 header checksum valid");
        long pseudo = Checksums.pseudoV4((int) SNAT.lo(), (int) B.lo(), 17, 12);
        assertEquals(0, Checksums.finish(Checksums.sum(f, 34, 12, pseudo)), "UDP checksum valid");
        assertEquals(new FlowStats(1, 46, 42), sw.stats(1), "counted on the CT entry: the stats pull keeps the zone flow alive");
        assertEquals(1, sw.misses(Eswitch.Miss.POST_CT_CHAIN));
        assertEquals(1, sw.ctHitPackets());
        assertEquals(0, sw.hitPackets());
        String tables = sw.dumpTables();
        assertTrue(tables.contains("port p0 ct zone 3 goto ct; hit -> nat, miss to software chain=2 zone=3"), tables);
        assertTrue(tables.contains("zone=3 port=* udp 10.0.1.2:10000 > 10.0.2.2:5001 nat udp 100.64.0.1:10000 > 10.0.2.2:5001 set mark=7"), tables);
    }

    @Test
    void aCtEntryMatchesOnAnyPortWithTheZonesPreCt() throws OffloadException {
        sw.setCtPreCt("p0", 3, 2);
        sw.setCtPreCt("p1", 3, 4);
        sw.installCt(ctRule(1, 1, 3, 10000), 1);
        sw.installCt(ctReply(2, 1, 3, 10000), 1);
        assertTrue(w1.inject(udp(R1, H2, B, 5001, SNAT, 10000, 64), 0, 46));
        assertEquals(List.of("p1 zone 3 chain 4"), upstairs);
        byte[] f = upFrames.get(0);
        assertEquals((int) A.lo(), (u16(f, 30) << 16) | u16(f, 32), "the reply is de-NATed");
        assertEquals(1, sw.stats(2).packets());
    }

    @Test
    void withoutAHitSoftwareStartsAtChain0() throws OffloadException {
        sw.setCtPreCt("p0", 3, 2);
        sw.installCt(ctRule(1, 1, 3, 10000), 1);
        assertTrue(w0.inject(udp(R0, H1, A, 10001, B, 5001, 64), 0, 46)); // another connection
        assertTrue(w1.inject(udp(R1, H2, A, 10000, B, 5001, 64), 0, 46)); // p1 has no ct pre_ct
        sw.setCtPreCt("p0", 5, 2); // another zone: the entry of zone 3 does not match
        assertTrue(w0.inject(udp(R0, H1, A, 10000, B, 5001, 64), 0, 46));
        assertEquals(List.of("p0 zone 0 chain -1", "p1 zone 0 chain -1", "p0 zone 0 chain -1"), upstairs);
        assertEquals(2, sw.misses(Eswitch.Miss.CT_MISS));
        assertEquals(1, sw.misses(Eswitch.Miss.NO_PRE_CT));
        byte[] f = upFrames.get(2);
        assertEquals((int) A.lo(), (u16(f, 26) << 16) | u16(f, 28), "untouched");
        sw.setCtPreCt("p0", -1, 0);
        assertTrue(w0.inject(udp(R0, H1, A, 10000, B, 5001, 64), 0, 46));
        assertEquals(2, sw.misses(Eswitch.Miss.NO_PRE_CT), "rule removed");
    }

    @Test
    void ctPreCtRulesFollowThePortName() throws OffloadException {
        sw.setCtPreCts(Map.of("p9", new int[] { 3, 2 }));
        sw.installCt(ctRule(1, 1, 3, 10000), 1);
        VirtualPort w9 = new VirtualPort("p9", new MacAddress(0x02_00_00_00_00_19L), 1500);
        NicPort p9 = sw.addPort(w9);
        List<String> got = new ArrayList<>();
        p9.start(new PortReceiver() {
            @Override public void receive(Packet pk) { got.add(pk.ctZone() + "/" + pk.missChain()); }
            @Override public void endOfBatch() {}
        });
        assertTrue(w9.inject(udp(0x02_00_00_00_00_19L, H1, A, 10000, B, 5001, 64), 0, 46));
        assertEquals(List.of("3/2"), got, "a port arriving later gets its configured rule");
    }

    @Test
    void ctOnlyEntriesTakeCapacityAndRemoveCleanly() throws OffloadException {
        for (int i = 0; i < 4; i++) sw.installCt(ctRule(i + 1, i + 1, 3, 10000 + i), 1);
        OffloadException full = assertThrows(OffloadException.class, () -> sw.installCt(ctRule(9, 9, 3, 10009), 1));
        assertEquals(OffloadException.Reason.CAPACITY, full.reason());
        assertTrue(sw.remove(4));
        sw.installCt(ctRule(9, 9, 3, 10009), 1);
        assertTrue(sw.remove(3));
        OffloadException dup = assertThrows(OffloadException.class, () -> sw.installCt(ctRule(10, 10, 3, 10009), 1));
        assertEquals(OffloadException.Reason.FAILED, dup.reason(), "same match twice");
        sw.removePort("p0");
        assertEquals(3, sw.entries(), "ct-only entries belong to no port");
    }

    @Test
    void shrinkingEvictsTheNewestFlowsWholeAndGrowingKeepsCounters() throws OffloadException {
        sw = new Eswitch("t", 6, () -> 42);
        w0 = new VirtualPort("p0", new MacAddress(R0), 1500);
        w1 = new VirtualPort("p1", new MacAddress(R1), 1500);
        w1.connect(out1);
        sw.addPort(w0).start(new PortReceiver() {
            @Override public void receive(Packet pk) { upstairs.add("p0 up"); }
            @Override public void endOfBatch() {}
        });
        sw.addPort(w1);
        int chain = sw.chain("inet x ft");
        for (int flow = 1; flow <= 3; flow++) { // three flows, both directions each (cookies 2f-1, 2f)
            sw.install(rule(2 * flow - 1, flow, "p0", "p1", 10000 + flow), chain);
            sw.install(reply(2 * flow, flow, "p1", "p0", 10000 + flow), chain);
        }
        assertTrue(w0.inject(udp(R0, H1, A, 10001, B, 5001, 64), 0, 46));
        assertEquals(1, sw.stats(1).packets());

        assertEquals(4, sw.setCapacity(3), "flows 3 and 2 leave whole (4 entries) so that 2 entries fit in 3");
        assertEquals(2, sw.entries());
        assertTrue(sw.installed(1) && sw.installed(2));
        assertFalse(sw.installed(3) || sw.installed(4) || sw.installed(5) || sw.installed(6));
        assertEquals(4, sw.evicted());
        assertTrue(sw.dumpStats().contains("evicted=4"), sw.dumpStats());
        assertTrue(w0.inject(udp(R0, H1, A, 10002, B, 5001, 64), 0, 46));
        assertEquals(List.of("p0 up"), upstairs, "an evicted flow's packets go to software");
        sw.install(rule(7, 4, "p0", "p1", 10004), chain);
        assertThrows(OffloadException.class, () -> sw.install(rule(8, 5, "p0", "p1", 10005), chain), "3 entries now");

        assertEquals(0, sw.setCapacity(64));
        assertEquals(1, sw.stats(1).packets(), "counters kept across resizes");
        for (int i = 0; i < 40; i++) sw.install(rule(100 + i, 100 + i, "p0", "p1", 20000 + i), chain);
        assertEquals(43, sw.entries());
        assertTrue(w0.inject(udp(R0, H1, A, 10001, B, 5001, 64), 0, 46));
        assertEquals(2, sw.stats(1).packets(), "still forwarded by the NIC");
    }

    @Test
    void ctHitsAllocateNothing() throws OffloadException {
        Eswitch quiet = new Eswitch("q", 4, () -> 42);
        VirtualPort w = new VirtualPort("p0", new MacAddress(R0), 1500);
        quiet.addPort(w).start(new PortReceiver() { // software that takes the frame and does nothing
            @Override public void receive(Packet pk) {}
            @Override public void endOfBatch() {}
        });
        quiet.setCtPreCt("p0", 3, 2);
        quiet.installCt(ctRule(1, 1, 3, 10000), 1);
        byte[] f = udp(R0, H1, A, 10000, B, 5001, 64);
        for (int i = 0; i < 50_000; i++) w.inject(f, 0, f.length);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId(), allocated = Long.MAX_VALUE;
        int rounds = 0; // as EswitchTest: the first round that ran on compiled code counts
        while (rounds < 5 && allocated >= 200_000) {
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 200_000; i++) w.inject(f, 0, f.length);
            allocated = mx.getThreadAllocatedBytes(tid) - before;
            rounds++;
        }
        assertEquals(50_000 + 200_000L * rounds, quiet.ctHitPackets());
        assertTrue(allocated < 200_000, "under 1 byte per frame: " + allocated + " bytes for 200000 frames");
    }

    static FlowRule rule(long cookie, long flowId, String in, String out, int sport) {
        FiveTuple m = FiveTuple.of(A, sport, B, 5001, 17), w = FiveTuple.of(NAT, sport, B, 5001, 17);
        return new FlowRule(cookie, flowId, 0, in, -1, m, 0, 0, 0, 0, true, w, R1, H2, true, out, -1, 1500);
    }

    static FlowRule reply(long cookie, long flowId, String in, String out, int sport) {
        FiveTuple m = FiveTuple.of(B, 5001, NAT, sport, 17), w = FiveTuple.of(B, 5001, A, sport, 17);
        return new FlowRule(cookie, flowId, 1, in, -1, m, 0, 0, 0, 0, true, w, R0, H1, true, out, -1, 1500);
    }
}
