package org.flowgate.flowtable.e2e;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.conntrack.command.CtCommands;
import org.flowgate.conntrack.core.Conntrack;
import org.flowgate.flowtable.command.FlowCommands;
import org.flowgate.flowtable.service.FlowTableManager;
import org.flowgate.flowtable.service.Settings;
import org.flowgate.nft.engine.NftEngine;
import org.flowgate.testsupport.netns.Topology;
import org.flowgate.testsupport.netns.Traffic;
import org.flowgate.testsupport.router.TestRouter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * h1 (netns) -- veth -- [Flowgate: AF_PACKET ports, packet path, conntrack, nft with the seed's
 * ruleset, flow table] -- veth -- h2 (netns), real kernel sockets at both ends: a TCP transfer and a
 * UDP stream, masqueraded. After the first packets the flow is listed, conntrack shows [OFFLOAD],
 * fast-path hits grow while the classic path's rule counter stays put, closing TCP removes the flow.
 * Needs root; namespaces and links are prefixed {@code ftns} and removed even on failure.
 */
class NamespaceEndToEndTest {
    Topology topo;
    TestRouter router;
    Conntrack ct;
    NftEngine nft;
    FlowTableManager flows;
    FlowTable ft;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Topology.unavailable() == null, () -> "NamespaceEndToEndTest skipped: " + Topology.unavailable());
        try {
            topo = Topology.builder("ftns").v4("10.72.1.0/24", "10.72.2.0/24").create();
            router = TestRouter.builder()
                    .afPacket(topo.routerLink(1), topo.routerLink(2))
                    .address(topo.routerLink(1), topo.routerPrefix(1)).address(topo.routerLink(2), topo.routerPrefix(2))
                    .startThreads()
                    .flowTables(new TestRouter.FlowTables<>(r -> new FlowTableManager(r.conntrack(), r.router().routes(), r.router().neighbours(),
                            r.router().devices(), Settings.DEFAULTS, (hook, props) -> r.addHook(hook, props)::run),
                            FlowTableManager::start, FlowTableManager::stop, FlowTableManager::addListener))
                    .ruleset(TestRouter.seedRuleset(topo.routerLink(1), topo.routerLink(2), false), "seed.nft")
                    .build();
            ct = router.conntrack();
            nft = router.nft();
            flows = router.flowTables(FlowTableManager.class);
            ft = flows.table("inet", "x", "ft");
        } catch (Exception | Error e) {
            tearDown();
            throw e;
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        if (router != null) router.close();
        if (topo != null) topo.close();
    }

    long classicPackets() {
        Matcher m = Pattern.compile("flow add @ft counter packets (\\d+)").matcher(nft.list());
        assertTrue(m.find(), nft.list());
        return Long.parseLong(m.group(1));
    }

    String diagnostics() {
        return nft.list() + new FlowCommands(flows).list() + new FlowCommands(flows).stats() + new CtCommands(ct).list();
    }

    static boolean await(BooleanSupplier c, long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < end) {
            if (c.getAsBoolean()) return true;
            Thread.sleep(20);
        }
        return c.getAsBoolean();
    }

    @Test
    void tcpTransferAndUdpStreamGoThroughTheFastPath() throws Exception {
        // h2: a TCP sink that reports the peer and the byte count, and a UDP echo; h1: a slow TCP
        // transfer (so the test sees it in flight) with a UDP ping-pong stream, then closes
        try (Traffic.Peer sink = Traffic.tcpSink(topo.h2(), 7001, 0); Traffic.Peer echo = Traffic.udpEcho(topo.h2(), 7002);
                Traffic.Peer client = Traffic.tcpAndUdp(topo.h1(), topo.h2Address(), 7001, 7002, 40, 20000, 100)) {
            assertTrue(await(() -> ft.count() == 2, 5000), "both connections offloaded: " + diagnostics());
            assertTrue(new CtCommands(ct).list().contains("[OFFLOAD]"), diagnostics());
            String listed = new FlowCommands(flows).list();
            assertTrue(listed.contains("src=10.72.1.2 dst=10.72.2.2") && listed.contains("snat 10.72.2.1:"), listed);
            long classic = classicPackets(), hits = ft.stats().hits();
            Thread.sleep(1000);
            assertTrue(ft.stats().hits() > hits + 20, "the fast path forwards the transfer: " + diagnostics());
            assertEquals(classic, classicPackets(), "the classic path sees none of it: " + diagnostics());

            assertEquals("udp 40", client.line(), "every UDP echo came back: " + diagnostics());
            assertEquals(0, client.await(30), "client done");
            assertEquals("10.72.2.1 800000", sink.line(), "h2 got every byte from the masqueraded address: " + diagnostics());
            assertTrue(await(() -> ft.count() == 1, 5000), "closing TCP removed its flow, the UDP one stays: " + diagnostics());
            assertTrue(ft.stats().gcEvictions().get("tcp-fin-rst") >= 1, diagnostics());
        }
    }
}
