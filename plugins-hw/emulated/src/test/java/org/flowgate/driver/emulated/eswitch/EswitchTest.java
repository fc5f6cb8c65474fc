package org.flowgate.driver.emulated.eswitch;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.PortReceiver;
import org.flowgate.api.packet.Checksums;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.io.virtual.port.CaptureSink;
import org.flowgate.io.virtual.port.VirtualPort;
import org.flowgate.offload.FlowRule;
import org.flowgate.offload.OffloadException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The eswitch pipeline with frames built byte by byte (RFC 791 / 768 layouts). */
class EswitchTest {
    static final long R0 = 0x02_00_00_00_00_10L, R1 = 0x02_00_00_00_00_11L, H1 = 0x02_00_00_00_00_a1L, H2 = 0x02_00_00_00_00_b2L;
    static final IpAddress A = IpAddress.parse("10.0.1.2"), B = IpAddress.parse("10.0.2.2"), NAT = IpAddress.parse("10.0.2.1");

    Eswitch sw;
    VirtualPort w0, w1;
    CaptureSink out0 = new CaptureSink(), out1 = new CaptureSink();
    final List<String> upstairs = new ArrayList<>();

    @BeforeEach
    void setUp() {
        sw = new Eswitch("t", 2, () -> 42);
        w0 = new VirtualPort("p0", new MacAddress(R0), 1500);
        w1 = new VirtualPort("p1", new MacAddress(R1), 1500);
        w0.connect(out0);
        w1.connect(out1);
        for (NicPort p : List.of(sw.addPort(w0), sw.addPort(w1))) {
            p.start(new PortReceiver() {
                @Override public void receive(Packet pk) { upstairs.add(p.name() + " zone " + pk.ctZone()); }
                @Override public void endOfBatch() {}
            });
        }
    }

    /** Ethernet + IPv4 (no options) + UDP with 4 payload bytes, checksums computed. */
    static byte[] udp(long dstMac, long srcMac, IpAddress src, int sport, IpAddress dst, int dport, int ttl) {
        byte[] f = new byte[14 + 20 + 8 + 4];
        new MacAddress(dstMac).write(f, 0);
        new MacAddress(srcMac).write(f, 6);
        f[12] = 0x08; f[13] = 0x00;
        int ip = 14;
        f[ip] = 0x45; f[ip + 3] = 32; // total length 32
        f[ip + 8] = (byte) ttl; f[ip + 9] = 17;
        put32(f, ip + 12, (int) src.lo()); put32(f, ip + 16, (int) dst.lo());
        put16(f, ip + 10, Checksums.checksum(f, ip, 20));
        int u = ip + 20;
        put16(f, u, sport); put16(f, u + 2, dport); put16(f, u + 4, 12);
        f[u + 8] = 'd'; f[u + 9] = 'a'; f[u + 10] = 't'; f[u + 11] = 'a';
        long sum = Checksums.pseudoV4((int) src.lo(), (int) dst.lo(), 17, 12);
        int c = Checksums.finish(Checksums.sum(f, u, 12, sum));
        put16(f, u + 6, c == 0 ? 0xFFFF : c);
        return f;
    }

    static void put16(byte[] b, int i, int v) { b[i] = (byte) (v >>> 8); b[i + 1] = (byte) v; }

    static void put32(byte[] b, int i, int v) { put16(b, i, v >>> 16); put16(b, i + 2, v); }

    static int u16(byte[] b, int i) { return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF); }

    FlowRule rule(long cookie, String in, String out, int zone, int sport) {
        FiveTuple m = FiveTuple.of(A, sport, B, 5001, 17), w = FiveTuple.of(NAT, 40000, B, 5001, 17);
        return new FlowRule(cookie, 1, 0, in, -1, m, zone, 7, 0, 1, true, w, R1, H2, true, out, -1, 1500);
    }

    @Test
    void aHitIsMangledAndForwardedByTheNic() throws OffloadException {
        sw.install(rule(1, "p0", "p1", 3, 10000), sw.chain("inet x ft"));
        assertTrue(w0.inject(udp(R0, H1, A, 10000, B, 5001, 64), 0, 46));
        assertTrue(upstairs.isEmpty(), "never reached software: " + upstairs);
        assertEquals(1, out1.size());
        byte[] f = out1.frames().get(0);
        assertEquals(H2, new MacAddress(((long) u16(f, 0) << 32) | ((long) u16(f, 2) << 16) | u16(f, 4)).bits());
        assertEquals(63, f[22] & 0xFF, "TTL decremented");
        assertEquals((int) NAT.lo(), (u16(f, 26) << 16) | u16(f, 28), "source NAT");
        assertEquals(40000, u16(f, 34));
        assertEquals(0, Checksums.checksum(f, 14, 20), "IPv4 header checksum still valid");
        long pseudo = Checksums.pseudoV4((int) NAT.lo(), (int) B.lo(), 17, 12);
        assertEquals(0, Checksums.finish(Checksums.sum(f, 34, 12, pseudo)), "UDP checksum still valid");
        assertEquals(new org.flowgate.offload.FlowStats(1, 46, 42), sw.stats(1));
        assertTrue(sw.dumpTables().contains("zone=3 port=p0 udp 10.0.1.2:10000 > 10.0.2.2:5001 nat udp 10.0.2.1:40000 > 10.0.2.2:5001 set mark=7"), sw.dumpTables());
    }

    @Test
    void missesGoUpWithTheZoneRestored() throws OffloadException {
        assertTrue(w0.inject(udp(R0, H1, A, 10000, B, 5001, 64), 0, 46));
        assertEquals(List.of("p0 zone 0"), upstairs, "no pre_ct rule: plain software");
        assertEquals(1, sw.misses(Eswitch.Miss.NO_PRE_CT));
        sw.install(rule(1, "p0", "p1", 3, 10000), sw.chain("inet x ft"));
        upstairs.clear();
        assertTrue(w0.inject(udp(R0, H1, A, 10001, B, 5001, 64), 0, 46));
        assertTrue(w0.inject(udp(R0, H1, A, 10000, B, 5001, 1), 0, 46));
        assertTrue(w0.inject(udp(H2, H1, A, 10000, B, 5001, 64), 0, 46));
        assertEquals(List.of("p0 zone 3", "p0 zone 3", "p0 zone 3"), upstairs, "chain-miss mapping: software resumes in zone 3");
        assertEquals(1, sw.misses(Eswitch.Miss.CT_MISS));
        assertEquals(1, sw.misses(Eswitch.Miss.TTL));
        assertEquals(1, sw.misses(Eswitch.Miss.NOT_FOR_US));
        assertEquals(0, out1.size());
        assertTrue(sw.remove(1));
        assertFalse(sw.remove(1));
        upstairs.clear();
        assertTrue(w0.inject(udp(R0, H1, A, 10000, B, 5001, 64), 0, 46));
        assertEquals(List.of("p0 zone 0"), upstairs, "pre_ct rule gone with its last entry");
    }

    @Test
    void tablesAreFiniteAndRefuseWhatTheyCannotDo() throws OffloadException {
        int chain = sw.chain("inet x ft");
        sw.install(rule(1, "p0", "p1", 0, 10000), chain);
        sw.install(rule(2, "p0", "p1", 0, 10001), chain);
        OffloadException full = assertThrows(OffloadException.class, () -> sw.install(rule(3, "p0", "p1", 0, 10002), chain));
        assertEquals(OffloadException.Reason.CAPACITY, full.reason());
        sw.remove(2);
        OffloadException zone = assertThrows(OffloadException.class, () -> sw.install(rule(3, "p0", "p1", 5, 10002), chain));
        assertEquals(OffloadException.Reason.UNSUPPORTED, zone.reason(), "one zone per port in pre_ct");
        OffloadException dev = assertThrows(OffloadException.class, () -> sw.install(rule(3, "p0", "eth9", 0, 10002), chain));
        assertEquals(OffloadException.Reason.DEVICE, dev.reason());
        sw.removePort("p1");
        assertEquals(0, sw.entries(), "rules towards a removed port go with it");
    }

    @Test
    void hitsAllocateNothing() throws OffloadException {
        sw.install(rule(1, "p0", "p1", 0, 10000), sw.chain("inet x ft"));
        w1.connect(frame -> {}); // a wire that copies nothing
        byte[] f = udp(R0, H1, A, 10000, B, 5001, 64);
        for (int i = 0; i < 50_000; i++) w0.inject(f, 0, f.length);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId(), allocated = Long.MAX_VALUE;
        // the steady state is what counts: on a loaded machine C2 may still be compiling after the
        // warm-up, so measure up to five rounds and take the first that ran on compiled code
        int rounds = 0;
        while (rounds < 5 && allocated >= 200_000) {
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 200_000; i++) w0.inject(f, 0, f.length);
            allocated = mx.getThreadAllocatedBytes(tid) - before;
            rounds++;
        }
        assertEquals(50_000 + 200_000L * rounds, sw.hitPackets());
        assertTrue(upstairs.isEmpty());
        assertTrue(allocated < 200_000, "under 1 byte per forwarded frame: " + allocated + " bytes for 200000 frames");
    }

    @Test
    void shrinkingThousandsOfFlowsEvictsTheNewestWholeInOnePass() throws OffloadException {
        int flows = 3000;
        Eswitch big = new Eswitch("big", 2 * flows, () -> 42);
        big.addPort(new VirtualPort("p0", new MacAddress(R0), 1500));
        big.addPort(new VirtualPort("p1", new MacAddress(R1), 1500));
        List<long[]> reports = new ArrayList<>();
        big.setEvictionListener((cookie, reason) -> reports.add(new long[] {cookie, reason.ordinal()}));
        int chain = big.chain("inet x ft");
        for (int f = 1; f <= flows; f++) { // the manager's cookies: 2f-1 original, 2f reply, in the order flows arrive
            FiveTuple o = FiveTuple.of(A, f, B, 5001, 17), r = FiveTuple.of(B, 5001, NAT, f, 17);
            big.install(new FlowRule(2L * f - 1, f, 0, "p0", -1, o, 0, 0, 0, 0, true, FiveTuple.of(NAT, f, B, 5001, 17), R1, H2, true, "p1", -1, 1500), chain);
            big.install(new FlowRule(2L * f, f, 1, "p1", -1, r, 0, 0, 0, 0, true, FiveTuple.of(B, 5001, A, f, 17), R0, H1, true, "p0", -1, 1500), chain);
        }

        int keep = 1001; // an odd limit: 500 whole flows fit, the 501st would not
        assertEquals(2 * (flows - 500), big.setCapacity(keep), "the newest flows leave whole until the rest fits");
        assertEquals(2 * (flows - 500), reports.size());
        long expectFlow = flows;
        for (int i = 0; i < reports.size(); i += 2) { // newest flow first, both directions together
            long a = reports.get(i)[0], b = reports.get(i + 1)[0];
            assertEquals(expectFlow, (Math.min(a, b) + 1) / 2, "report " + i);
            assertEquals(2 * expectFlow - 1, Math.min(a, b));
            assertEquals(2 * expectFlow, Math.max(a, b));
            assertEquals(org.flowgate.offload.EvictionReason.CAPACITY.ordinal(), reports.get(i)[1]);
            expectFlow--;
        }
        assertEquals(500, expectFlow, "flows 1..500 stay");
        for (int f = 1; f <= 500; f++) {
            assertNotNull(big.stats(2L * f - 1), "flow " + f + " original kept");
            assertNotNull(big.stats(2L * f), "flow " + f + " reply kept");
        }
        assertNull(big.stats(1001), "flow 501 left");
        assertEquals(2 * (flows - 500), big.evicted());
    }
}
