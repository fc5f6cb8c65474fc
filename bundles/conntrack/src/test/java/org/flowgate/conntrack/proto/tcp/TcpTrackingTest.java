package org.flowgate.conntrack.proto.tcp;

import static org.flowgate.conntrack.testing.Frames.*;
import static org.junit.jupiter.api.Assertions.*;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.CtState;
import org.flowgate.api.conntrack.CtStatus;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.conntrack.proto.Timeouts;
import org.flowgate.conntrack.testing.Router;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** TCP state machine transitions, timeouts and window checks, as Linux conntrack. */
class TcpTrackingTest {
    static final IpAddress C = IpAddress.parse("10.0.1.2"), S = IpAddress.parse("10.0.2.2");
    static final int CP = 40000, SP = 80;
    static final int ISN_C = 1000, ISN_S = 500_000;

    Router r;

    @BeforeEach
    void setUp() { r = new Router(); }

    Packet c2s(int seq, int ack, int flags, byte[] payload) {
        return packet(ip(C, S, Packet.PROTO_TCP, tcp(CP, SP, seq, ack, flags, 64240, new byte[0], payload)));
    }

    Packet s2c(int seq, int ack, int flags, byte[] payload) {
        return packet(ip(S, C, Packet.PROTO_TCP, tcp(SP, CP, seq, ack, flags, 65160, new byte[0], payload)));
    }

    Packet c2s(int seq, int ack, int flags) { return c2s(seq, ack, flags, new byte[0]); }

    Packet s2c(int seq, int ack, int flags) { return s2c(seq, ack, flags, new byte[0]); }

    ConnEntry entry() {
        return r.ct.find(0, FiveTuple.of(C, CP, S, SP, Packet.PROTO_TCP));
    }

    /** Runs a packet; asserts it was accepted and returns its ct state. */
    int send(Packet p) {
        assertTrue(r.forward(p), "packet dropped");
        return p.ctState();
    }

    void handshake() {
        assertEquals(CtState.NEW, send(c2s(ISN_C, 0, SYN)));
        assertEquals(CtState.ESTABLISHED, send(s2c(ISN_S, ISN_C + 1, SYN | ACK)));
        assertEquals(CtState.ESTABLISHED, send(c2s(ISN_C + 1, ISN_S + 1, ACK)));
    }

    @Test
    void handshakeGoesThroughSynSentSynRecvEstablishedWithLinuxTimeouts() {
        Packet syn = c2s(ISN_C, 0, SYN);
        assertEquals(CtState.NEW, send(syn));
        assertEquals(0, syn.ctDirection());
        ConnEntry e = entry();
        assertEquals("SYN_SENT", e.protoState());
        assertEquals(120, e.timeoutSeconds());
        assertEquals(0, e.status() & CtStatus.SEEN_REPLY);

        Packet synAck = s2c(ISN_S, ISN_C + 1, SYN | ACK);
        assertEquals(CtState.ESTABLISHED, send(synAck));
        assertEquals(1, synAck.ctDirection());
        assertEquals("SYN_RECV", e.protoState());
        assertEquals(60, e.timeoutSeconds());
        assertNotEquals(0, e.status() & CtStatus.SEEN_REPLY);
        assertEquals(0, e.status() & CtStatus.ASSURED);

        assertEquals(CtState.ESTABLISHED, send(c2s(ISN_C + 1, ISN_S + 1, ACK)));
        assertEquals("ESTABLISHED", e.protoState());
        assertEquals(432000, e.timeoutSeconds());
        assertNotEquals(0, e.status() & CtStatus.ASSURED);
    }

    @Test
    void retransmittedSynIsStillNew() {
        send(c2s(ISN_C, 0, SYN));
        assertEquals(CtState.NEW, send(c2s(ISN_C, 0, SYN)));
        assertEquals(1, r.ct.count());
    }

    @Test
    void unacknowledgedDataShortensTheTimeout() {
        handshake();
        send(c2s(ISN_C + 1, ISN_S + 1, ACK | PSH, new byte[100]));
        assertEquals(300, entry().timeoutSeconds());
        send(s2c(ISN_S + 1, ISN_C + 101, ACK));
        assertEquals(432000, entry().timeoutSeconds());
    }

    @Test
    void repeatedRetransmissionsGetTheRetransTimeout() {
        handshake();
        for (int i = 0; i < 3; i++) {
            send(c2s(ISN_C + 1, ISN_S + 1, ACK | PSH, new byte[50]));
            assertEquals(300, entry().timeoutSeconds(), "unacknowledged data");
        }
        send(s2c(ISN_S + 1, ISN_C + 51, ACK));
        assertEquals(432000, entry().timeoutSeconds());
        // the server resends the same segment over and over: from the 3rd retransmission on, 300 s
        for (int i = 0; i < 2; i++) send(s2c(ISN_S + 1, ISN_C + 51, ACK));
        assertEquals(432000, entry().timeoutSeconds());
        send(s2c(ISN_S + 1, ISN_C + 51, ACK));
        assertEquals(300, entry().timeoutSeconds());
        send(c2s(ISN_C + 51, ISN_S + 1, ACK));
        assertEquals(432000, entry().timeoutSeconds(), "new segment: counting starts over");
    }

    @Test
    void finTeardownFinWaitCloseWaitLastAckTimeWait() {
        handshake();
        ConnEntry e = entry();
        send(c2s(ISN_C + 1, ISN_S + 1, FIN | ACK));
        assertEquals("FIN_WAIT", e.protoState());
        assertEquals(120, e.timeoutSeconds());
        send(s2c(ISN_S + 1, ISN_C + 2, ACK));
        assertEquals("CLOSE_WAIT", e.protoState());
        assertEquals(60, e.timeoutSeconds());
        send(s2c(ISN_S + 1, ISN_C + 2, FIN | ACK));
        assertEquals("LAST_ACK", e.protoState());
        assertEquals(30, e.timeoutSeconds());
        send(c2s(ISN_C + 2, ISN_S + 2, ACK));
        assertEquals("TIME_WAIT", e.protoState());
        assertEquals(120, e.timeoutSeconds());
    }

    @Test
    void rstClosesWithTenSeconds() {
        handshake();
        send(s2c(ISN_S + 1, ISN_C + 1, RST | ACK));
        assertEquals("CLOSE", entry().protoState());
        assertEquals(10, entry().timeoutSeconds());
    }

    @Test
    void rstAnsweringSynRemovesTheEntry() {
        send(c2s(ISN_C, 0, SYN));
        assertEquals(1, r.ct.count());
        send(s2c(0, ISN_C + 1, RST | ACK));
        assertEquals(0, r.ct.count(), "refused connection forgotten right away");
    }

    @Test
    void outOfWindowSegmentIsInvalidAndChangesNothing() {
        handshake();
        long invalid = r.ct.stats().get("invalid");
        Packet far = c2s(ISN_C + 1 + 10_000_000, ISN_S + 1, ACK | PSH, new byte[10]);
        assertEquals(CtState.INVALID, send(far));
        assertNull(far.conn());
        assertEquals(invalid + 1, r.ct.stats().get("invalid"));
        // an ACK for data never sent is out of window too
        assertEquals(CtState.INVALID, send(s2c(ISN_S + 1, ISN_C + 5_000_000, ACK)));
        assertEquals("ESTABLISHED", entry().protoState());
        // a FIN outside the window does not close anything
        assertEquals(CtState.INVALID, send(c2s(ISN_C + 1 + 10_000_000, ISN_S + 1, FIN | ACK)));
        assertEquals("ESTABLISHED", entry().protoState());
    }

    @Test
    void outOfWindowRstIsInvalid() {
        handshake();
        assertEquals(CtState.INVALID, send(s2c(ISN_S + 1 + 50_000_000, 0, RST)));
        assertEquals("ESTABLISHED", entry().protoState());
    }

    @Test
    void invalidFlagCombinationsAreInvalid() {
        assertEquals(CtState.INVALID, send(c2s(ISN_C, 0, SYN | FIN)));
        assertEquals(CtState.INVALID, send(c2s(ISN_C, 0, 0)));
        assertEquals(0, r.ct.count());
    }

    @Test
    void synAckWithoutSynIsInvalidAndCreatesNothing() {
        assertEquals(CtState.INVALID, send(s2c(ISN_S, ISN_C + 1, SYN | ACK)));
        assertEquals(CtState.INVALID, send(c2s(ISN_C, 0, RST)));
        assertEquals(0, r.ct.count());
    }

    @Test
    void midStreamPickupWhenLooseElseInvalid() {
        assertEquals(CtState.NEW, send(c2s(ISN_C + 500, ISN_S + 700, ACK)));
        assertEquals("ESTABLISHED", entry().protoState());
        assertEquals(CtState.ESTABLISHED, send(s2c(ISN_S + 700, ISN_C + 500, ACK)));

        Timeouts d = Timeouts.linuxDefaults();
        Timeouts strict = new Timeouts(120, 60, 432000, 120, 60, 30, 120, 10, 300, 300, 30, 120, 30, 30, 600, 30, 30, false, false);
        r = new Router(1024, 1000, strict);
        assertTrue(d.tcpLoose);
        assertEquals(CtState.INVALID, send(c2s(ISN_C + 500, ISN_S + 700, ACK)));
        assertEquals(0, r.ct.count());
    }

    @Test
    void synInTimeWaitReopensTheConnection() {
        handshake();
        send(c2s(ISN_C + 1, ISN_S + 1, FIN | ACK));
        send(s2c(ISN_S + 1, ISN_C + 2, FIN | ACK));
        send(c2s(ISN_C + 2, ISN_S + 2, ACK));
        ConnEntry old = entry();
        assertEquals("TIME_WAIT", old.protoState());
        Packet syn = c2s(ISN_C + 100_000, 0, SYN);
        assertEquals(CtState.NEW, send(syn));
        ConnEntry now = entry();
        assertNotSame(old, now);
        assertTrue(old.isDying());
        assertEquals("SYN_SENT", now.protoState());
    }

    @Test
    void aNewHandshakeOnAStaleEntryResynchronises() {
        handshake();
        // both hosts restarted and reuse the ports: the SYN is ignored by the ESTABLISHED entry...
        int isn2 = ISN_C + 900_000_000;
        Packet syn = c2s(isn2, 0, SYN);
        assertEquals(CtState.ESTABLISHED, send(syn), "ignored, the entry is established");
        assertEquals("ESTABLISHED", entry().protoState());
        assertEquals(1L, r.ct.stats().get("ignore"));
        // ...but the server's SYN/ACK answering it shows both ends are in a new handshake
        int isnS2 = ISN_S + 700_000_000;
        send(s2c(isnS2, isn2 + 1, SYN | ACK));
        assertEquals("SYN_RECV", entry().protoState());
        assertEquals(CtState.ESTABLISHED, send(c2s(isn2 + 1, isnS2 + 1, ACK)));
        assertEquals("ESTABLISHED", entry().protoState());
        assertEquals(CtState.ESTABLISHED, send(c2s(isn2 + 1, isnS2 + 1, ACK | PSH, new byte[100])));
    }

    @Test
    void windowScalingIsHonoured() {
        byte[] wscale7 = {1, 3, 3, 7};
        send(packet(ip(C, S, Packet.PROTO_TCP, tcp(CP, SP, ISN_C, 0, SYN, 64240, wscale7, new byte[0]))));
        send(packet(ip(S, C, Packet.PROTO_TCP, tcp(SP, CP, ISN_S, ISN_C + 1, SYN | ACK, 65160, wscale7, new byte[0]))));
        send(c2s(ISN_C + 1, ISN_S + 1, ACK));
        // a SYN/ACK's window is never scaled: 1 MB ahead is outside what the server offered so far
        assertEquals(CtState.INVALID, send(c2s(ISN_C + 1 + 1_000_000, ISN_S + 1, ACK, new byte[100])));
        // once the server advertises a (scaled) window, 65160 << 7 bytes are open
        send(s2c(ISN_S + 1, ISN_C + 1, ACK));
        Packet big = c2s(ISN_C + 1 + 1_000_000, ISN_S + 1, ACK, new byte[100]);
        assertEquals(CtState.ESTABLISHED, send(big));
    }

    @Test
    void simultaneousOpenGoesThroughSynSent2() {
        send(c2s(ISN_C, 0, SYN));
        send(s2c(ISN_S, 0, SYN));
        assertEquals("SYN_SENT2", entry().protoState());
        send(s2c(ISN_S, ISN_C + 1, SYN | ACK));
        assertEquals("SYN_RECV", entry().protoState());
    }
}
