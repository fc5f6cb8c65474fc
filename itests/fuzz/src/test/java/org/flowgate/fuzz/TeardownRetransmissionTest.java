package org.flowgate.fuzz;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.packet.Packet;
import org.flowgate.fuzz.support.RouterWorld;
import org.flowgate.io.virtual.host.TcpConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Deterministic probes for the threaded finding ({@code ThreadedTrafficTest#tcpOnTheFastPathToo}): packets of an offloaded TCP connection that arrive
 * after its FIN tore the flow down (a retransmission of data sent on the fast path, a late ACK)
 * go to the classic path; Linux accepts such in-window packets, so the ruleset's
 * {@code ct state invalid drop} must not see them as invalid.
 */
class TeardownRetransmissionTest {
    RouterWorld w;

    @AfterEach
    void tearDown() throws Exception { if (w != null) w.close(); }

    /** A retransmission of recent data on an established connection, classic path: accepted (Linux accepts it). */
    @Test
    void retransmissionWhileEstablishedIsNotInvalid() throws Exception {
        w = new RouterWorld(1024, 1024, RouterWorld.CLASSIC_RULESET);
        List<byte[]> fromH1 = recordTcpFromH1();
        TcpConnection c = connectAndSend20Segments();
        byte[] old = fromH1.get(fromH1.size() - 3);
        long invalid = w.ct.stats().get("invalid");
        w.p0().inject(old, 0, old.length);
        assertEquals(invalid, w.ct.stats().get("invalid"), () -> "retransmission classified invalid: " + w.ct.list());
    }

    /** The same retransmission after the FIN exchange on the classic path only. */
    @Test
    void retransmissionAfterFinOnTheClassicPathIsNotInvalid() throws Exception {
        w = new RouterWorld(1024, 1024, RouterWorld.CLASSIC_RULESET);
        List<byte[]> fromH1 = recordTcpFromH1();
        TcpConnection c = connectAndSend20Segments();
        byte[] old = fromH1.get(fromH1.size() - 3);
        w.h1.tcpClose(c);
        long invalid = w.ct.stats().get("invalid");
        w.p0().inject(old, 0, old.length);
        assertEquals(invalid, w.ct.stats().get("invalid"), () -> "retransmission after FIN classified invalid: " + w.ct.list());
    }

    @Test
    void retransmissionAfterFinTeardownIsNotInvalid() throws Exception {
        w = new RouterWorld(1024, 1024);
        List<byte[]> fromH1 = recordTcpFromH1();
        TcpConnection c = connectAndSend20Segments();
        assertEquals(1, w.flows.table("inet", "x", "ft").count(), "offloaded");
        byte[] old = fromH1.get(fromH1.size() - 3); // a data segment sent on the fast path
        w.h1.tcpClose(c); // the FIN tears the flow down; it waits for the GC
        long invalid = w.ct.stats().get("invalid");
        w.p0().inject(old, 0, old.length); // h1 retransmits (say its ACK was lost)
        assertEquals(invalid, w.ct.stats().get("invalid"), () -> "retransmission after teardown classified invalid: " + w.ct.list()
                + new org.flowgate.flowtable.command.FlowCommands(w.flows).stats());
    }

    /** Copies every IPv4 TCP frame h1 sends into the router, at ingress before any other hook. */
    private List<byte[]> recordTcpFromH1() {
        List<byte[]> fromH1 = new ArrayList<>();
        w.router.hooks().add((h, p) -> {
            if (p.inDevice() == w.v0 && p.isIpv4() && p.l4Proto() == Packet.PROTO_TCP)
                fromH1.add(java.util.Arrays.copyOfRange(p.array(), p.start(), p.start() + p.length()));
            return Verdict.ACCEPT;
        }, -10_000, Hook.INGRESS);
        return fromH1;
    }

    /** h1 opens a TCP connection to h2:5001 and sends 20 data segments of 500 bytes. */
    private TcpConnection connectAndSend20Segments() {
        TcpConnection c = w.h1.tcpConnect(RouterWorld.H2, 40000, 5001);
        Packet buf = new Packet();
        for (int i = 0; i < 20; i++) assertTrue(w.h1.tcpSend(c, buf, 500, i) > 0);
        return c;
    }
}
