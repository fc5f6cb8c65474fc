package org.flowgate.conntrack.core;

import static org.flowgate.conntrack.testing.Frames.*;
import static org.junit.jupiter.api.Assertions.*;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.CtState;
import org.flowgate.api.conntrack.CtStatus;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.conntrack.testing.Router;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The flow table contract: offload, keep alive while offloaded, teardown as Linux's flow_offload_teardown. */
class OffloadTest {
    static final IpAddress C = IpAddress.parse("10.0.1.2"), S = IpAddress.parse("10.0.2.2");
    Router r;

    @BeforeEach
    void setUp() { r = new Router(); }

    ConnEntry established() {
        assertTrue(r.forward(packet(ip(C, S, Packet.PROTO_TCP, tcp(5000, 80, 1, 0, SYN, 1000)))));
        assertTrue(r.forward(packet(ip(S, C, Packet.PROTO_TCP, tcp(80, 5000, 100, 2, SYN | ACK, 1000)))));
        assertTrue(r.forward(packet(ip(C, S, Packet.PROTO_TCP, tcp(5000, 80, 2, 101, ACK, 1000)))));
        return r.ct.find(0, FiveTuple.of(C, 5000, S, 80, Packet.PROTO_TCP));
    }

    @Test
    void onlyEstablishedTcpAndUdpAreOffloaded() {
        Packet syn = packet(ip(C, S, Packet.PROTO_TCP, tcp(6000, 80, 1, 0, SYN, 1000)));
        assertTrue(r.forward(syn));
        assertFalse(r.ct.offload((ConnEntry) syn.conn()), "SYN_SENT is not offloadable");
        Packet ping = packet(ip(C, S, Packet.PROTO_ICMP, echo(8, 1, 1, new byte[4])));
        assertTrue(r.forward(ping));
        assertFalse(r.ct.offload((ConnEntry) ping.conn()));
        ConnEntry e = established();
        assertTrue(r.ct.offload(e));
        assertFalse(r.ct.offload(e), "already offloaded");
        assertTrue(e.isOffloaded());
        assertNotEquals(0, e.status() & CtStatus.OFFLOAD);
    }

    @Test
    void offloadedEntriesLiveWhileTheFlowTableHasThemAndTeardownShortensTheTimeout() {
        ConnEntry e = established();
        assertTrue(r.ct.offload(e));
        assertEquals(86400, e.timeoutSeconds());
        // ten days without a packet through conntrack: the collector keeps re-arming it
        for (int day = 0; day < 20; day++) {
            r.clock.advanceSeconds(43_200 - 1);
            r.ct.gcStep(0, r.ct.table().bucketCount());
        }
        assertEquals(1, r.ct.count());
        r.ct.keepAlive(e);
        assertEquals(86400, e.timeoutSeconds());

        r.ct.teardown(e);
        assertFalse(e.isOffloaded());
        assertEquals("ESTABLISHED", e.protoState(), "state kept");
        // ESTABLISHED timeout minus the 30 s offload timeout is longer than what is left: unchanged
        assertEquals(86400, e.timeoutSeconds());
        // the window is learned again: a segment far ahead (the fast path moved the sequence on) is accepted
        Packet later = packet(ip(C, S, Packet.PROTO_TCP, tcp(5000, 80, 2 + 5_000_000, 101 + 7_000_000, ACK, 1000)));
        assertTrue(r.forward(later));
        assertEquals(CtState.ESTABLISHED, later.ctState());
    }

    @Test
    void udpTeardownUsesStreamTimeoutMinusOffloadTimeout() {
        assertTrue(r.forward(packet(ip(C, S, Packet.PROTO_UDP, udp(5000, 53, new byte[4])))));
        assertTrue(r.forward(packet(ip(S, C, Packet.PROTO_UDP, udp(53, 5000, new byte[4])))));
        ConnEntry e = r.ct.find(0, FiveTuple.of(C, 5000, S, 53, Packet.PROTO_UDP));
        assertTrue(r.ct.offload(e));
        r.ct.teardown(e);
        assertEquals(90, e.timeoutSeconds(), "udp_timeout_stream 120 - udp offload timeout 30");
        r.clock.advanceSeconds(91);
        r.ct.gcStep(0, r.ct.table().bucketCount());
        assertEquals(0, r.ct.count());
    }

    @Test
    void deletingAnOffloadedEntryMarksItDying() {
        ConnEntry e = established();
        assertTrue(r.ct.offload(e));
        assertTrue(r.ct.delete(e));
        assertTrue(e.isDying(), "the flow table sees DYING and drops its flow");
    }
}
