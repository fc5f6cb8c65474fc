package org.flowgate.fuzz;

import static org.junit.jupiter.api.Assertions.*;

import org.flowgate.api.packet.DropReason;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.fuzz.support.RouterWorld;
import org.flowgate.fuzz.support.SeedFrames;
import org.flowgate.io.virtual.host.TcpConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Floods of unique tuples against a small conntrack table (512 entries) in the in-process router:
 * the table never grows past its limit (early drop of non-assured entries, as Linux), established
 * connections keep forwarding every packet during the flood, and once it stops the table drains
 * back to the established connections after the flood's timeouts (conntrack's clock is moved by
 * the test), then to zero.
 */
class ConntrackExhaustionTest {
    static final int MAX = 512;
    RouterWorld w;

    @AfterEach
    void tearDown() throws Exception { if (w != null) w.close(); }

    /** Flood frame number i: a unique (source address, source port) from h1's subnet to h2. */
    static byte[] flood(int proto, int i) {
        int src = SeedFrames.ip(10, 0, 1, 3 + (i % 190));
        int sport = 1024 + (i / 190) % 60000;
        byte[] l4 = proto == Packet.PROTO_TCP ? SeedFrames.tcp(sport, 80, 1000 + i, 0, 0x02) : SeedFrames.udp(sport, 5001, new byte[8]);
        return SeedFrames.ipv4(src, SeedFrames.ip(10, 0, 2, 2), proto, l4, 64, 0);
    }

    @Test
    void synFloodClassicPath() throws Exception { floodKeepsEstablishedFlows(RouterWorld.CLASSIC_RULESET, Packet.PROTO_TCP); }

    @Test
    void udpFloodClassicPath() throws Exception { floodKeepsEstablishedFlows(RouterWorld.CLASSIC_RULESET, Packet.PROTO_UDP); }

    @Test
    void synFloodWithFlowTable() throws Exception { floodKeepsEstablishedFlows(RouterWorld.RULESET, Packet.PROTO_TCP); }

    @Test
    void udpFloodWithFlowTable() throws Exception { floodKeepsEstablishedFlows(RouterWorld.RULESET, Packet.PROTO_UDP); }

    void floodKeepsEstablishedFlows(String ruleset, int proto) throws Exception {
        w = new RouterWorld(MAX, MAX, ruleset);
        TcpConnection c = w.h1.tcpConnect(RouterWorld.H2, 40000, 5001);
        assertTrue(c.isEstablished(), c.toString());
        Packet buf = new Packet();
        for (int i = 0; i < 3; i++) assertTrue(w.h1.tcpSend(c, buf, 100, i) > 0);
        FiveTuple udp = w.establishUdp(30000);
        // UDP becomes ASSURED once replied and older than 2 s (Linux's stream rule): let 3 s pass, then use it
        w.advance(3);
        assertTrue(w.h1.sendUdp(RouterWorld.H2, 30000, 5001, 18));
        assertEquals(2, w.ct.count(), w.ct.list().toString());

        int natPort = w.ct.find(0, FiveTuple.of(RouterWorld.H1, 40000, RouterWorld.H2, 5001, Packet.PROTO_TCP)).reply().dstPort;
        FiveTuple tcp = FiveTuple.of(RouterWorld.R1, natPort, RouterWorld.H2, 5001, Packet.PROTO_TCP);
        long tcpAtH2 = w.h2.flowPackets(tcp), udpAtH2 = w.h2.flowPackets(udp);
        int flood = 20 * MAX;
        for (int i = 0; i < flood; i++) {
            byte[] f = flood(proto, i);
            w.p0().inject(f, 0, f.length);
            if (i % 64 == 0) {
                assertTrue(w.ct.count() <= MAX, "table over its limit: " + w.ct.count());
                assertTrue(w.h1.tcpSend(c, buf, 200, i) > 0, "tcp send during the flood");
                assertTrue(w.h1.sendUdp(RouterWorld.H2, 30000, 5001, 18));
            }
        }
        PacketPathFuzzTest.check(w);
        int sent = flood / 64 + (flood % 64 == 0 ? 0 : 1);
        assertEquals(udpAtH2 + sent, w.h2.flowPackets(udp), "every UDP packet of the established stream arrived");
        assertEquals(tcpAtH2 + sent, w.h2.flowPackets(tcp), "every TCP segment of the established connection arrived");
        assertEquals(0, c.retransmits(), c.toString());
        assertTrue(c.inFlight() <= 200, () -> "all acknowledged but a delayed-ACK segment: " + c);
        assertTrue(w.ct.stats().get("early_drop") > flood - 2 * MAX, "early drop made room: " + w.ct.stats());
        assertTrue(w.ct.count() <= MAX);
        assertEquals(0, w.v0.counterSet().drops(DropReason.HOOK_DROP) + w.v1.counterSet().drops(DropReason.HOOK_DROP),
                () -> "no packet was refused for lack of room (early drop always found one): " + w.ct.stats());

        // the flood stops: its entries time out (SYN_SENT/SYN_RECV 120/60 s, unreplied UDP 30 s);
        // the established ones stay as long as they carry packets (UDP stream: 120 s)
        for (int step = 0; step < 3; step++) {
            w.advance(61);
            assertTrue(w.h1.sendUdp(RouterWorld.H2, 30000, 5001, 18));
            assertTrue(w.h1.tcpSend(c, buf, 100, step) > 0);
        }
        assertEquals(2, w.ct.count(), () -> "drained back to the two established connections: " + w.ct.list());
        assertNotNull(w.ct.find(0, FiveTuple.of(RouterWorld.H1, 40000, RouterWorld.H2, 5001, Packet.PROTO_TCP)));
        assertTrue(w.h1.tcpSend(c, buf, 100, 0) > 0);
        w.h1.tcpClose(c);
        w.flows.runWorkerOnce();
        w.advance(432_001); // TIME_WAIT and then the UDP stream (offloaded ones were handed back at close / stay keep-alive)
        for (var t : w.flows.tables()) t.flush();
        w.advance(200);
        assertEquals(0, w.ct.count(), () -> "empty in the end: " + w.ct.list());
    }
}
