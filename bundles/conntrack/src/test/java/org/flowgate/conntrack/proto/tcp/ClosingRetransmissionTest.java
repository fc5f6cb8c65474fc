package org.flowgate.conntrack.proto.tcp;

import static org.flowgate.conntrack.testing.Frames.*;
import static org.junit.jupiter.api.Assertions.*;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.CtState;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.conntrack.testing.Router;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Late segments of a closing connection, as Linux accepts them: a retransmission of old data
 * after the FIN exchange, and the RST the closed end answers it with (its sequence number is the
 * retransmission's old ACK, below the highest ACK conntrack has seen; Linux skips the RST check
 * while closing, {@code tcp_can_early_drop}). Also after a flow table handed the connection back.
 */
class ClosingRetransmissionTest {
    static final IpAddress C = IpAddress.parse("10.0.1.2"), S = IpAddress.parse("10.0.2.2");
    static final int CP = 40000, SP = 80;
    static final int ISN_C = 1000, ISN_S = 500_000;
    static final int SEG = 500, SEGS = 4;
    /** The client's sequence number after its data (before its FIN). */
    static final int DATA_END = ISN_C + 1 + SEG * SEGS;

    Router r;

    @BeforeEach
    void setUp() { r = new Router(); }

    Packet c2s(int seq, int ack, int flags, int len) {
        return packet(ip(C, S, Packet.PROTO_TCP, tcp(CP, SP, seq, ack, flags, 64240, new byte[0], new byte[len])));
    }

    Packet s2c(int seq, int ack, int flags) {
        return packet(ip(S, C, Packet.PROTO_TCP, tcp(SP, CP, seq, ack, flags, 65160, new byte[0], new byte[0])));
    }

    ConnEntry entry() { return r.ct.find(0, FiveTuple.of(C, CP, S, SP, Packet.PROTO_TCP)); }

    int send(Packet p) {
        assertTrue(r.forward(p), "packet dropped");
        return p.ctState();
    }

    /** A data segment the client sent earlier (the second of its data), retransmitted. */
    Packet oldData() { return c2s(ISN_C + 1 + SEG, ISN_S + 1, ACK | PSH, SEG); }

    void handshakeAndData(boolean tracked) {
        assertEquals(CtState.NEW, send(c2s(ISN_C, 0, SYN, 0)));
        assertEquals(CtState.ESTABLISHED, send(s2c(ISN_S, ISN_C + 1, SYN | ACK)));
        assertEquals(CtState.ESTABLISHED, send(c2s(ISN_C + 1, ISN_S + 1, ACK, 0)));
        if (!tracked) return;
        for (int i = 0; i < SEGS; i++) {
            assertEquals(CtState.ESTABLISHED, send(c2s(ISN_C + 1 + SEG * i, ISN_S + 1, ACK | PSH, SEG)));
            assertEquals(CtState.ESTABLISHED, send(s2c(ISN_S + 1, ISN_C + 1 + SEG * (i + 1), ACK)));
        }
    }

    /** Drives the close from the client up to {@code state}: FIN_WAIT, CLOSE_WAIT, LAST_ACK or TIME_WAIT. */
    void closeUpTo(String state) {
        assertEquals(CtState.ESTABLISHED, send(c2s(DATA_END, ISN_S + 1, FIN | ACK, 0)));
        if (!state.equals("FIN_WAIT")) {
            assertEquals(CtState.ESTABLISHED, send(s2c(ISN_S + 1, DATA_END + 1, ACK)));
            if (!state.equals("CLOSE_WAIT")) {
                assertEquals(CtState.ESTABLISHED, send(s2c(ISN_S + 1, DATA_END + 1, FIN | ACK)));
                if (!state.equals("LAST_ACK")) assertEquals(CtState.ESTABLISHED, send(c2s(DATA_END + 1, ISN_S + 2, ACK, 0)));
            }
        }
        assertEquals(state, entry().protoState());
    }

    /** The retransmission and the closed server's RST answering it (RFC 793: seq = the segment's ACK). */
    void retransmitAndReset(String state, String afterRetransmission) {
        long invalid = r.ct.stats().get("invalid");
        assertEquals(CtState.ESTABLISHED, send(oldData()), () -> "retransmission in " + state);
        assertEquals(afterRetransmission, entry().protoState(), "Linux's tcp_conntracks[orig][ack][" + state + "]");
        assertEquals(CtState.ESTABLISHED, send(s2c(ISN_S + 1, 0, RST)), () -> "RST answering the retransmission in " + state);
        assertEquals("CLOSE", entry().protoState());
        assertEquals(invalid, r.ct.stats().get("invalid"), () -> "invalid in " + state + ": " + r.ct.list());
    }

    @Test
    void retransmissionInFinWaitIsAccepted() {
        handshakeAndData(true);
        closeUpTo("FIN_WAIT");
        retransmitAndReset("FIN_WAIT", "CLOSE_WAIT");
    }

    @Test
    void retransmissionInCloseWaitIsAccepted() {
        handshakeAndData(true);
        closeUpTo("CLOSE_WAIT");
        retransmitAndReset("CLOSE_WAIT", "CLOSE_WAIT");
    }

    @Test
    void retransmissionInLastAckIsAccepted() {
        handshakeAndData(true);
        closeUpTo("LAST_ACK");
        retransmitAndReset("LAST_ACK", "TIME_WAIT");
    }

    @Test
    void retransmissionInTimeWaitIsAccepted() {
        handshakeAndData(true);
        closeUpTo("TIME_WAIT");
        retransmitAndReset("TIME_WAIT", "TIME_WAIT");
    }

    @Test
    void retransmissionAfterFlowTableTeardownIsAccepted() {
        handshakeAndData(false);
        ConnEntry e = entry();
        assertTrue(r.ct.offload(e));
        // the data and its ACKs went over the fast path: conntrack never saw them
        r.ct.teardown(e);
        closeUpTo("TIME_WAIT");
        retransmitAndReset("TIME_WAIT", "TIME_WAIT");
    }

    /**
     * After a teardown the first packet of a side may be a retransmission of old data: its window is
     * re-learned from it, and the other side then acknowledges data sent on the fast path that
     * conntrack never saw. Linux accepts it: an offloaded connection is tracked liberally
     * ({@code flow_offload_ct_tcp} sets {@code IP_CT_TCP_FLAG_BE_LIBERAL} on both sides).
     */
    @Test
    void ackOfFastPathDataAfterTeardownIsAccepted() {
        handshakeAndData(false);
        ConnEntry e = entry();
        assertTrue(r.ct.offload(e));
        r.ct.teardown(e);
        long invalid = r.ct.stats().get("invalid");
        assertEquals(CtState.ESTABLISHED, send(oldData()));
        assertEquals(CtState.ESTABLISHED, send(s2c(ISN_S + 1, DATA_END, ACK)), "ACK of data sent on the fast path");
        assertEquals(CtState.ESTABLISHED, send(c2s(DATA_END, ISN_S + 1, FIN | ACK, 0)));
        assertEquals(CtState.ESTABLISHED, send(s2c(ISN_S + 1, DATA_END + 1, ACK)));
        assertEquals(invalid, r.ct.stats().get("invalid"), () -> r.ct.list().toString());
    }

    @Test
    void packetHandedBackWhileOffloadedIsTrackedLiberally() {
        handshakeAndData(false);
        assertTrue(r.ct.offload(entry()));
        // e.g. a packet the fast path gives to the classic path for its IP options
        assertEquals(CtState.ESTABLISHED, send(s2c(ISN_S + 1, DATA_END, ACK)), "ACK of data sent on the fast path");
    }

    @Test
    void withoutOffloadAnAckOfUnseenDataStaysInvalid() {
        handshakeAndData(false);
        assertEquals(CtState.INVALID, send(s2c(ISN_S + 1, DATA_END, ACK)), "ACK of data conntrack never saw");
    }

    @Test
    void rstBelowTheHighestAckWhileEstablishedStaysInvalid() {
        handshakeAndData(true);
        Packet data = packet(ip(S, C, Packet.PROTO_TCP, tcp(SP, CP, ISN_S + 1, DATA_END, ACK | PSH, 65160, new byte[0], new byte[100])));
        assertEquals(CtState.ESTABLISHED, send(data));
        assertEquals(CtState.ESTABLISHED, send(c2s(DATA_END, ISN_S + 101, ACK, 0)));
        // the client acked ISN_S + 101; a RST from below that while established is refused (Linux: "invalid rst")
        assertEquals(CtState.INVALID, send(s2c(ISN_S + 50, 0, RST)));
        assertEquals("ESTABLISHED", entry().protoState());
    }
}
