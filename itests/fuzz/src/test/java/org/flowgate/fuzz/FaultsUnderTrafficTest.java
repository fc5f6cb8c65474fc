package org.flowgate.fuzz;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.packet.DropReason;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.fuzz.support.RouterWorld;
import org.flowgate.io.virtual.host.TcpConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Operators' and the platform's faults while traffic flows through the in-process router:
 * the ruleset replaced every few milliseconds, an interface going down and up (administratively
 * and by carrier loss), a port restarting. No established connection is lost except by the rules,
 * every packet the rules accept arrives, and every frame has a counted outcome.
 */
class FaultsUnderTrafficTest {
    RouterWorld w;
    TcpConnection tcp;
    FiveTuple udpAtH2, tcpAtH2;
    final Packet buf = new Packet();

    @BeforeEach
    void setUp() throws Exception {
        w = new RouterWorld(4096, 4096);
        tcp = w.h1.tcpConnect(RouterWorld.H2, 40000, 5001);
        assertTrue(tcp.isEstablished(), tcp.toString());
        assertTrue(w.h1.tcpSend(tcp, buf, 100, 0) > 0);
        int natPort = w.ct.find(0, FiveTuple.of(RouterWorld.H1, 40000, RouterWorld.H2, 5001, Packet.PROTO_TCP)).reply().dstPort;
        tcpAtH2 = FiveTuple.of(RouterWorld.R1, natPort, RouterWorld.H2, 5001, Packet.PROTO_TCP);
        udpAtH2 = w.establishUdp(30000);
    }

    @AfterEach
    void tearDown() throws Exception { w.close(); }

    /** Sends one UDP and one TCP segment on the established connections; true when both arrived at h2. */
    boolean exchange(int i) {
        long u = w.h2.flowPackets(udpAtH2), t = w.h2.flowPackets(tcpAtH2);
        w.h1.sendUdp(RouterWorld.H2, 30000, 5001, 18);
        w.h1.tcpSend(tcp, buf, 100, i);
        return w.h2.flowPackets(udpAtH2) == u + 1 && w.h2.flowPackets(tcpAtH2) == t + 1;
    }

    @Test
    void rulesetReplacedEveryFewMillisecondsLosesNothingTheRulesAccept() throws Exception {
        // B: the same policy written differently (other order, extra rules, no flow offload): both accept the test's traffic
        String b = RouterWorld.CLASSIC_RULESET.replace("ip saddr @blocked counter drop", "ip saddr @blocked counter drop\n\t\tudp dport 5001 counter accept\n\t\ttcp dport 5001 counter accept");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong loads = new AtomicLong();
        Thread replacer = Thread.ofPlatform().name("ruleset-replacer").start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    w.nft.load(loads.get() % 2 == 0 ? b : RouterWorld.RULESET, "replace.nft");
                    loads.incrementAndGet();
                    Thread.sleep(2);
                }
            } catch (InterruptedException e) {
                // done
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        long udpNew = 0;
        try {
            for (int i = 0; i < 4000 && failure.get() == null; i++) {
                assertTrue(exchange(i), () -> "lost while the ruleset changed: " + tcp + " " + w.nft.stats());
                if (i % 10 == 0) { // new connections too: they must be tracked and NATed under either ruleset
                    assertTrue(w.h1.sendUdp(RouterWorld.H2, 41000 + i, 5001, 18));
                    udpNew++;
                }
                if (i % 500 == 0) Thread.sleep(20); // let several replacements land mid-run
            }
        } finally {
            replacer.interrupt();
            replacer.join();
        }
        assertNull(failure.get(), () -> "a load failed: " + failure.get());
        assertTrue(loads.get() >= 4, "the ruleset was replaced during the run: " + loads.get());
        PacketPathFuzzTest.check(w);
        long arrivedNew = 0;
        for (int i = 0; i < 4000; i += 10) arrivedNew += w.ct.find(0, FiveTuple.of(RouterWorld.H1, 41000 + i, RouterWorld.H2, 5001, Packet.PROTO_UDP)) != null ? 1 : 0;
        assertEquals(udpNew, arrivedNew, "every new connection was tracked");
        assertEquals(0, w.drops(), "nothing dropped");
        assertEquals(0, tcp.retransmits());
    }

    @Test
    void interfaceDownAndUpAdministratively() {
        FlowTable ft = w.flows.table("inet", "x", "ft");
        for (int i = 0; i < 10; i++) assertTrue(exchange(i));
        assertEquals(2, ft.count(), "both connections offloaded");

        w.router.devices().setUp("v1", false);
        // as Linux: the connected route goes with the link, so the packets find no route (and h1 gets unreachables)
        long noRoute = w.v0.counterSet().drops(DropReason.NO_ROUTE), all = w.drops();
        for (int i = 0; i < 20; i++) assertFalse(exchange(i), "nothing passes a down interface");
        assertEquals(noRoute + 40, w.v0.counterSet().drops(DropReason.NO_ROUTE), () -> "each packet dropped and counted: v0 " + w.v0.counters() + " v1 " + w.v1.counters());
        assertEquals(all + 40, w.drops(), "and only once");
        w.flows.runWorkerOnce();
        assertEquals(0, ft.count(), "flows over a down device are evicted");

        w.router.devices().setUp("v1", true);
        assertUdpFlowsAgain();
        assertNotNull(w.ct.find(0, FiveTuple.of(RouterWorld.H1, 40000, RouterWorld.H2, 5001, Packet.PROTO_TCP)), "connection kept");
        PacketPathFuzzTest.check(w);
    }

    @Test
    void carrierLossAndReturn() {
        for (int i = 0; i < 10; i++) assertTrue(exchange(i));
        w.p1().setLinkUp(false);
        long before = w.drops();
        for (int i = 0; i < 10; i++) {
            long u = w.h2.flowPackets(udpAtH2);
            w.h1.sendUdp(RouterWorld.H2, 30000, 5001, 18);
            assertEquals(u, w.h2.flowPackets(udpAtH2));
        }
        assertEquals(before + 10, w.drops(), "each packet dropped with a reason (link-down)");
        w.p1().setLinkUp(true);
        assertUdpFlowsAgain();
        PacketPathFuzzTest.check(w);
    }

    @Test
    void portRestartKeepsConnections() throws Exception {
        for (int i = 0; i < 10; i++) assertTrue(exchange(i));
        w.restartV1();
        w.router.neighbours().addStatic(RouterWorld.H2, "v1", w.h2.mac()); // the restart flushed v1's neighbours: h2 answers ARP anyway
        w.flows.runWorkerOnce();
        assertUdpFlowsAgain();
        for (int i = 0; i < 10; i++) assertTrue(exchange(100 + i), () -> "tcp after the restart: " + tcp);
        assertNotNull(w.ct.find(0, FiveTuple.of(RouterWorld.H1, 40000, RouterWorld.H2, 5001, Packet.PROTO_TCP)));
        PacketPathFuzzTest.check(w);
    }

    @Test
    void routerRestartKeepsConnectionsAndReoffloadsThem() throws Exception {
        for (int i = 0; i < 10; i++) assertTrue(exchange(i));
        assertEquals(2, w.flows.table("inet", "x", "ft").count());
        w.restartRouter();
        FlowTable ft = w.flows.table("inet", "x", "ft");
        assertNotNull(ft, "the new flow table service got the ruleset's flowtable");
        for (int i = 0; i < 10; i++) assertTrue(exchange(200 + i), () -> "after the restart: " + tcp);
        assertEquals(0, tcp.retransmits());
        assertNotNull(w.ct.find(0, FiveTuple.of(RouterWorld.H1, 40000, RouterWorld.H2, 5001, Packet.PROTO_TCP)), "connection kept");
        assertEquals(2, ft.count(), () -> "both connections offloaded again by the new flow table: " + w.ct.list());
        PacketPathFuzzTest.check(w);
    }

    void assertUdpFlowsAgain() {
        for (int i = 0; i < 20; i++) {
            long u = w.h2.flowPackets(udpAtH2);
            assertTrue(w.h1.sendUdp(RouterWorld.H2, 30000, 5001, 18));
            assertEquals(u + 1, w.h2.flowPackets(udpAtH2), "the UDP stream flows again, same NAT mapping");
        }
    }
}
