package org.flowgate.flowtable.e2e;

import static org.junit.jupiter.api.Assertions.*;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.CtStatus;
import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.conntrack.command.CtCommands;
import org.flowgate.conntrack.core.Conntrack;
import org.flowgate.flowtable.command.FlowCommands;
import org.flowgate.flowtable.service.FlowTableManager;
import org.flowgate.flowtable.service.Settings;
import org.flowgate.io.virtual.demo.DemoNetworks;
import org.flowgate.io.virtual.host.EmulatedHost;
import org.flowgate.io.virtual.host.TcpConnection;
import org.flowgate.nft.engine.NftEngine;
import org.flowgate.testsupport.router.TestRouter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * h1 -- v0 [packet path + conntrack + nft + flow table] v1 -- h2 in one process with synchronous
 * virtual ports, and the seed's ruleset: forwarded TCP and UDP are offloaded to the flow table once
 * established, masqueraded on v1. After the first packets the flow is listed, conntrack shows
 * [OFFLOAD], the fast path's hits grow while the classic path's rule counter stands still, and
 * closing the TCP connection removes the flow.
 */
class InProcessEndToEndTest {
    static final IpAddress H2 = IpAddress.parse("10.0.2.2"), R1 = IpAddress.parse("10.0.2.1"), H1 = IpAddress.parse("10.0.1.2");

    TestRouter router;
    Conntrack ct;
    NftEngine nft;
    FlowTableManager flows;
    EmulatedHost h1, h2;
    FlowTable ft;

    @BeforeEach
    void setUp() throws Exception {
        DemoNetworks net = DemoNetworks.synchronous();
        h1 = net.h1();
        h2 = net.h2();
        router = TestRouter.builder()
                .port(net.v0(), net.v1())
                .devices(net::addRouterAddresses)
                .flowTables(new TestRouter.FlowTables<>(r -> new FlowTableManager(r.conntrack(), r.router().routes(), r.router().neighbours(),
                        r.router().devices(), Settings.DEFAULTS, (hook, props) -> r.addHook(hook, props)::run),
                        FlowTableManager::start, FlowTableManager::stop, FlowTableManager::addListener))
                .ruleset(TestRouter.seedRuleset("v0", "v1", false), "seed.nft")
                .build();
        ct = router.conntrack();
        nft = router.nft();
        flows = router.flowTables(FlowTableManager.class);
        ft = flows.table("inet", "x", "ft");
        assertNotNull(ft, "the ruleset's flowtable exists");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (router != null) router.close(); // flow tables, router, conntrack
    }

    /** Packets the forward chain's rule counted: the classic path. */
    long classicPackets() {
        Matcher m = Pattern.compile("flow add @ft counter packets (\\d+)").matcher(nft.list());
        assertTrue(m.find(), nft.list());
        return Long.parseLong(m.group(1));
    }

    String diagnostics() {
        return nft.list() + new FlowCommands(flows).list() + new FlowCommands(flows).stats() + new CtCommands(ct).list();
    }

    @Test
    void tcpTransferIsOffloadedAndTheCloseRemovesTheFlow() {
        TcpConnection c = h1.tcpConnect(H2, 40000, 5001);
        assertTrue(c.isEstablished(), "handshake through the router: " + c);
        Packet buf = new Packet();
        for (int i = 0; i < 3; i++) assertTrue(h1.tcpSend(c, buf, 100, i) > 0);
        assertEquals(1, ft.count(), "offloaded once established: " + diagnostics());
        FlowEntry f = ft.list().get(0);
        assertEquals(H1, f.original().src());
        assertEquals(R1, f.path(FlowEntry.ORIGINAL).rewrite().src(), "masqueraded");
        ConnEntry e = f.conn();
        assertTrue(e.isOffloaded());
        assertTrue(new CtCommands(ct).list().contains("[OFFLOAD]"), new CtCommands(ct).list());
        String listed = new FlowCommands(flows).list();
        assertTrue(listed.contains("src=10.0.1.2 dst=10.0.2.2 sport=40000 dport=5001 snat 10.0.2.1:"), listed);

        long classic = classicPackets(), hits = ft.stats().hits();
        long received = h2.counters().rxFrames();
        for (int i = 0; i < 50; i++) assertTrue(h1.tcpSend(c, buf, 1000, i) > 0, "segment " + i);
        assertEquals(classic, classicPackets(), "the classic path saw none of them: " + diagnostics());
        assertTrue(ft.stats().hits() >= hits + 50, "data and ACKs took the fast path: " + diagnostics());
        assertTrue(h2.counters().rxFrames() >= received + 50);
        assertEquals(0, h1.counters().badChecksum() + h2.counters().badChecksum(), "checksums after NAT");
        assertTrue(f.packets(FlowEntry.ORIGINAL) >= 50 && f.packets(FlowEntry.REPLY) > 0, diagnostics());
        assertTrue(c.inFlight() <= 1000, "all acknowledged but one delayed-ACK segment: " + c);

        h1.tcpClose(c);
        assertTrue(f.tornDown(), "the FIN tore the flow down: " + diagnostics());
        assertFalse(e.isOffloaded(), "conntrack has the connection back");
        flows.runWorkerOnce();
        assertEquals(0, ft.count(), diagnostics());
        assertEquals(1L, ft.stats().gcEvictions().get("tcp-fin-rst"));
        assertTrue(classicPackets() > classic, "the close went through the classic path");
        assertEquals(TcpConnection.State.CLOSED, c.state(), "the close completed: " + c + diagnostics());
    }

    @Test
    void udpStreamIsOffloadedAfterTheFirstReply() {
        assertTrue(h1.sendUdp(H2, 10000, 5001, 18));
        assertEquals(0, ft.count(), "not before a reply");
        ConnEntry e = ct.find(0, FiveTuple.of(H1, 10000, H2, 5001, Packet.PROTO_UDP));
        assertNotNull(e);
        int natPort = e.reply().dstPort;
        assertTrue(h2.sendUdp(R1, 5001, natPort, 18));
        assertEquals(1, ft.count(), "the reply made it established: " + diagnostics());
        assertTrue((e.status() & CtStatus.OFFLOAD) != 0);

        long classic = classicPackets(), hits = ft.stats().hits(), before = h2.flowPackets(FiveTuple.of(R1, natPort, H2, 5001, Packet.PROTO_UDP));
        for (int i = 0; i < 100; i++) assertTrue(h1.sendUdp(H2, 10000, 5001, 18));
        for (int i = 0; i < 10; i++) assertTrue(h2.sendUdp(R1, 5001, natPort, 18));
        assertEquals(classic, classicPackets(), diagnostics());
        assertEquals(hits + 110, ft.stats().hits());
        assertEquals(before + 100, h2.flowPackets(FiveTuple.of(R1, natPort, H2, 5001, Packet.PROTO_UDP)), "h2 sees the masqueraded source");
        assertEquals(0, h1.counters().badChecksum() + h2.counters().badChecksum());
        assertTrue(new FlowCommands(flows).stats().contains("hits=" + (hits + 110)));

        // flush gives the connection back; the next packets take the classic path and re-offload it
        assertEquals("1 flows removed\n", new FlowCommands(flows).flush());
        assertFalse(e.isOffloaded());
        assertTrue(h1.sendUdp(H2, 10000, 5001, 18));
        assertEquals(classic + 1, classicPackets());
        assertEquals(1, ft.count());
    }

    @Test
    void ipv6UdpIsOffloadedWithoutNat() {
        IpAddress a = IpAddress.parse("fd00:1::2"), b = IpAddress.parse("fd00:2::2");
        assertTrue(h1.sendUdp(b, 20000, 6000, 18));
        assertTrue(h2.sendUdp(a, 6000, 20000, 18));
        assertEquals(1, ft.count(), diagnostics());
        FlowEntry f = ft.list().get(0);
        assertEquals(a, f.original().src());
        assertFalse(f.path(FlowEntry.ORIGINAL).snat() || f.path(FlowEntry.ORIGINAL).dnat());
        long classic = classicPackets(), hits = ft.stats().hits(), before = h2.flowPackets(FiveTuple.of(a, 20000, b, 6000, Packet.PROTO_UDP));
        for (int i = 0; i < 20; i++) assertTrue(h1.sendUdp(b, 20000, 6000, 18));
        assertEquals(classic, classicPackets());
        assertEquals(hits + 20, ft.stats().hits());
        assertEquals(before + 20, h2.flowPackets(FiveTuple.of(a, 20000, b, 6000, Packet.PROTO_UDP)));
        assertEquals(0, h1.counters().badChecksum() + h2.counters().badChecksum());
    }
}
