package org.flowgate.driver.emulated.e2e;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.flowtable.FlowEntry.HwState;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.conntrack.core.Conntrack;
import org.flowgate.driver.emulated.driver.EmulatedDriver;
import org.flowgate.driver.emulated.driver.Faults;
import org.flowgate.driver.emulated.eswitch.Eswitch;
import org.flowgate.flowtable.command.FlowCommands;
import org.flowgate.flowtable.service.FlowTableManager;
import org.flowgate.flowtable.service.Settings;
import org.flowgate.io.virtual.demo.DemoNetworks;
import org.flowgate.io.virtual.host.EmulatedHost;
import org.flowgate.io.virtual.host.TcpConnection;
import org.flowgate.nft.engine.NftEngine;
import org.flowgate.offload.manager.command.OffloadCommands;
import org.flowgate.offload.manager.core.Counter;
import org.flowgate.offload.manager.core.OffloadManager;
import org.flowgate.testsupport.router.TestRouter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * h1 -- [emulated NIC v0 | v1] -- h2, with the router (packet path, conntrack, nft, the flow table
 * with {@code flags offload}) above the NIC and the offload manager between the flow table and the
 * NIC's driver, in one process on synchronous virtual ports. Workers are run by hand, so each step
 * is visible: a flow goes software -> pending -> hw, then the NIC forwards it (its counters grow, the
 * software fast path's stand still), and removing the driver hands it back to software with no
 * packet lost.
 */
class EmulatedNicEndToEndTest {
    static final IpAddress H2 = IpAddress.parse("10.0.2.2"), R1 = IpAddress.parse("10.0.2.1"), H1 = IpAddress.parse("10.0.1.2");

    TestRouter router;
    Conntrack ct;
    NftEngine nft;
    FlowTableManager flows;
    OffloadManager offload;
    Eswitch nic;
    Faults faults;
    EmulatedDriver driver;
    EmulatedHost h1, h2;
    FlowTable ft;

    void world(int capacity) throws Exception { world(capacity, Settings.DEFAULTS); }

    void world(int capacity, Settings flowSettings) throws Exception {
        DemoNetworks net = DemoNetworks.synchronous();
        h1 = net.h1();
        h2 = net.h2();
        nic = new Eswitch("nic0", capacity);
        router = TestRouter.builder()
                .port(nic.addPort(net.v0()), nic.addPort(net.v1()))
                .devices(net::addRouterAddresses)
                .flowTables(new TestRouter.FlowTables<>(r -> new FlowTableManager(r.conntrack(), r.router().routes(), r.router().neighbours(),
                        r.router().devices(), flowSettings, (hook, props) -> r.addHook(hook, props)::run),
                        FlowTableManager::start, FlowTableManager::stop, FlowTableManager::addListener))
                .offload(new org.flowgate.offload.manager.core.Settings(64, 1, 16, 1000, 0, 10_000))
                .ruleset(TestRouter.seedRuleset("v0", "v1", true), "offload.nft")
                .build();
        ct = router.conntrack();
        nft = router.nft();
        flows = router.flowTables(FlowTableManager.class);
        offload = router.offload();
        ft = flows.table("inet", "x", "ft");
        assertTrue(ft.hardwareOffload());
        faults = new Faults();
        driver = new EmulatedDriver(nic, faults);
        offload.addDriver(driver);
    }

    @BeforeEach
    void setUp() throws Exception { world(1024); }

    @AfterEach
    void tearDown() throws Exception {
        if (offload != null) offload.start(); // the workers delete what the retiring table still holds in the NIC
        if (router != null) router.close(); // flow tables, offload manager, router, conntrack
    }

    long classicPackets() {
        Matcher m = Pattern.compile("flow add @ft counter packets (\\d+)").matcher(nft.list());
        assertTrue(m.find(), nft.list());
        return Long.parseLong(m.group(1));
    }

    String diagnostics() {
        return new FlowCommands(flows).list() + new FlowCommands(flows).stats() + new OffloadCommands(offload).stats()
                + new OffloadCommands(offload).flows() + nic.dumpTables() + nic.dumpStats();
    }

    /** The flow table's worker (events) then the offload workers. */
    void settle() {
        flows.runWorkerOnce();
        offload.drain();
    }

    /** A UDP flow h1:10000 -> h2:5001 made established by one reply; returns the masquerade port. */
    int udpFlow(int sport) {
        assertTrue(h1.sendUdp(H2, sport, 5001, 18));
        ConnEntry e = ct.find(0, FiveTuple.of(H1, sport, H2, 5001, Packet.PROTO_UDP));
        assertNotNull(e);
        int natPort = e.reply().dstPort;
        assertTrue(h2.sendUdp(R1, 5001, natPort, 18));
        return natPort;
    }

    @Test
    void udpFlowMovesIntoTheNicAndBackToSoftwareWithoutLoss() {
        int natPort = udpFlow(10000);
        assertEquals(1, ft.count(), diagnostics());
        FlowEntry f = ft.list().get(0);
        assertEquals(HwState.SOFTWARE, f.hwState(), "no event delivered yet");
        flows.runWorkerOnce();
        assertEquals(HwState.PENDING, f.hwState());
        assertTrue(new FlowCommands(flows).list().contains(" hw pending"), new FlowCommands(flows).list());
        offload.drain();
        assertEquals(HwState.HW, f.hwState(), diagnostics());
        assertTrue(new FlowCommands(flows).list().contains(" hw hw"));
        assertEquals(2, nic.entries(), "one CT entry per direction");

        FiveTuple atH2 = FiveTuple.of(R1, natPort, H2, 5001, Packet.PROTO_UDP);
        long classic = classicPackets(), swHits = ft.stats().hits(), before = h2.flowPackets(atH2), nicHits = nic.hitPackets();
        for (int i = 0; i < 100; i++) assertTrue(h1.sendUdp(H2, 10000, 5001, 18));
        for (int i = 0; i < 10; i++) assertTrue(h2.sendUdp(R1, 5001, natPort, 18));
        assertEquals(nicHits + 110, nic.hitPackets(), diagnostics());
        assertEquals(swHits, ft.stats().hits(), "the software fast path saw none of them");
        assertEquals(classic, classicPackets(), "nor the classic path");
        assertEquals(before + 100, h2.flowPackets(atH2), "h2 got all of them, masqueraded by the NIC");
        assertEquals(0, h1.counters().badChecksum() + h2.counters().badChecksum(), "checksums after the NIC's NAT");

        offload.tick();
        offload.drain();
        OffloadManager.FlowInfo hw = offload.flow(f);
        assertEquals(110, hw.hwPackets(), "the stats pull collected the NIC's counters: " + diagnostics());
        assertTrue(nic.dumpTables().contains("packets=100"), nic.dumpTables());

        // the driver leaves while the stream goes on
        offload.removeDriver(driver);
        assertEquals(HwState.SOFTWARE, f.hwState());
        assertEquals(0, nic.entries(), "the NIC holds nothing any more");
        nicHits = nic.hitPackets();
        for (int i = 0; i < 100; i++) assertTrue(h1.sendUdp(H2, 10000, 5001, 18));
        assertEquals(nicHits, nic.hitPackets());
        assertEquals(swHits + 100, ft.stats().hits(), "the software fast path took the flow back: " + diagnostics());
        assertEquals(before + 200, h2.flowPackets(atH2), "no packet lost");
        assertEquals(1, ft.count(), "the same flow, the same connection");
        assertTrue(f.conn().isOffloaded());
        assertEquals(1, offload.counter(Counter.DRIVER_GONE));

        // and a driver coming back takes it again
        offload.addDriver(driver);
        offload.tick();
        offload.drain();
        assertEquals(HwState.HW, f.hwState(), diagnostics());
        for (int i = 0; i < 10; i++) assertTrue(h1.sendUdp(H2, 10000, 5001, 18));
        assertEquals(nicHits + 10, nic.hitPackets());
        assertEquals(before + 210, h2.flowPackets(atH2));
    }

    @Test
    void tcpTransferInHardwareEndsThroughSoftwareOnFin() {
        TcpConnection c = h1.tcpConnect(H2, 40000, 5001);
        assertTrue(c.isEstablished(), "handshake through the router: " + c);
        Packet buf = new Packet();
        for (int i = 0; i < 3; i++) assertTrue(h1.tcpSend(c, buf, 100, i) > 0);
        assertEquals(1, ft.count(), diagnostics());
        FlowEntry f = ft.list().get(0);
        settle();
        assertEquals(HwState.HW, f.hwState(), diagnostics());

        long swHits = ft.stats().hits(), classic = classicPackets(), nicHits = nic.hitPackets(), rx = h2.counters().rxFrames();
        for (int i = 0; i < 50; i++) assertTrue(h1.tcpSend(c, buf, 1000, i) > 0, "segment " + i);
        assertTrue(nic.hitPackets() >= nicHits + 50, "data and ACKs forwarded by the NIC: " + diagnostics());
        assertEquals(swHits, ft.stats().hits(), diagnostics());
        assertEquals(classic, classicPackets());
        assertTrue(h2.counters().rxFrames() >= rx + 50);
        assertEquals(0, h1.counters().badChecksum() + h2.counters().badChecksum());
        assertTrue(c.inFlight() <= 1000, "all acknowledged: " + c);

        h1.tcpClose(c);
        assertTrue(nic.misses(Eswitch.Miss.TCP_FIN_RST) > 0, "the FIN went up to software");
        assertTrue(f.tornDown(), diagnostics());
        settle(); // GC: the flow dies (dying when the table waits for the driver), the manager deletes it from the NIC
        flows.runWorkerOnce(); // a table that waited removes it now
        assertEquals(0, ft.count(), diagnostics());
        assertEquals(HwState.DEAD, f.hwState());
        assertEquals(0, nic.entries(), diagnostics());
        assertEquals(TcpConnection.State.CLOSED, c.state(), "the close completed: " + c);
    }

    @Test
    void refusedFlowsStayInSoftwareAndLoseNothing() throws Exception {
        tearDown();
        world(2); // room for one flow (two directions)
        int natA = udpFlow(10000), natB = udpFlow(10001);
        settle();
        FlowEntry a = null, b = null;
        // which of the two the NIC took depends on the order the flow table reported them in
        for (FlowEntry f : ft.list()) if (f.hwState() == HwState.HW) a = f; else b = f;
        assertNotNull(a, diagnostics());
        assertNotNull(b, "one flow is refused: " + diagnostics());
        assertEquals(HwState.HW_REFRESH, b.hwState(), "the NIC is full: " + diagnostics());
        assertEquals(1, offload.counter(Counter.REFUSED_CAPACITY));

        faults.set(0, 1, Faults.Mode.THROW); // every insert fails from now on
        int natC = udpFlow(10002);
        settle();
        FlowEntry c = null;
        for (FlowEntry f : ft.list()) if (f.original().srcPort == 10002) c = f;
        assertEquals(HwState.HW_REFRESH, c.hwState());
        assertEquals(1, offload.counter(Counter.DRIVER_ERRORS));

        long nicHits = nic.hitPackets(), swHits = ft.stats().hits();
        for (int i = 0; i < 20; i++) {
            assertTrue(h1.sendUdp(H2, 10000, 5001, 18));
            assertTrue(h1.sendUdp(H2, 10001, 5001, 18));
            assertTrue(h1.sendUdp(H2, 10002, 5001, 18));
        }
        assertEquals(nicHits + 20, nic.hitPackets());
        assertEquals(swHits + 40, ft.stats().hits(), "the refused flows take the software fast path");
        assertEquals(21, h2.flowPackets(FiveTuple.of(R1, natA, H2, 5001, Packet.PROTO_UDP)));
        assertEquals(21, h2.flowPackets(FiveTuple.of(R1, natB, H2, 5001, Packet.PROTO_UDP)));
        assertEquals(21, h2.flowPackets(FiveTuple.of(R1, natC, H2, 5001, Packet.PROTO_UDP)));
        assertTrue(new OffloadCommands(offload).stats().contains("refused-capacity=1"));
    }

    @Test
    void flowsEvictedByACapacityShrinkShowInSoftwareAndReturnWhenThereIsRoom() {
        int[] nat = { udpFlow(10000), udpFlow(10001), udpFlow(10002) };
        settle();
        for (FlowEntry f : ft.list()) assertEquals(HwState.HW, f.hwState(), diagnostics());
        assertEquals(6, nic.entries());

        assertEquals(2, nic.setCapacity(4), "the newest flow leaves the NIC whole"); // what the component does on a new capacity
        assertFalse(hwStates().containsValue(HwState.HW_REFRESH), "the report is only queued until a worker takes it");
        offload.drain();
        FlowEntry evicted = null;
        for (FlowEntry f : ft.list()) if (f.hwState() != HwState.HW) evicted = f;
        assertNotNull(evicted, diagnostics());
        assertEquals(HwState.HW_REFRESH, evicted.hwState(), diagnostics());
        assertEquals(1, hwStates().values().stream().filter(s -> s == HwState.HW_REFRESH).count(), diagnostics());
        assertTrue(new FlowCommands(flows).list().contains(" hw hw-refresh"), new FlowCommands(flows).list());
        assertEquals(1, offload.counter(Counter.EVICTED_CAPACITY));
        assertTrue(new OffloadCommands(offload).stats().contains("evicted-capacity=1\n"), diagnostics());
        assertEquals(2, offload.driverCounters().get("emulated:nic0").get("flows-in-hardware"));
        assertTrue(nic.dumpStats().contains("evicted=2 evicted-capacity=2"), nic.dumpStats());

        // its packets go to software, the others stay in the NIC; nothing is lost
        int sport = evicted.original().srcPort, natEvicted = nat[sport - 10000];
        FiveTuple atH2 = FiveTuple.of(R1, natEvicted, H2, 5001, Packet.PROTO_UDP);
        long swHits = ft.stats().hits(), nicHits = nic.hitPackets(), before = h2.flowPackets(atH2);
        for (int i = 0; i < 10; i++) for (int p = 10000; p <= 10002; p++) assertTrue(h1.sendUdp(H2, p, 5001, 18));
        assertEquals(swHits + 10, ft.stats().hits(), diagnostics());
        assertEquals(nicHits + 20, nic.hitPackets(), diagnostics());
        assertEquals(before + 10, h2.flowPackets(atH2));

        // offered again after the retry interval (0 here): the NIC is still full, so it stays in software
        offload.tick();
        offload.drain();
        assertEquals(HwState.HW_REFRESH, evicted.hwState(), diagnostics());
        assertEquals(1, offload.counter(Counter.REFUSED_CAPACITY));
        assertEquals(4, nic.entries());

        // room again: the next retry puts it back into the NIC
        assertEquals(0, nic.setCapacity(8));
        offload.tick();
        offload.drain();
        assertEquals(HwState.HW, evicted.hwState(), diagnostics());
        assertEquals(6, nic.entries());
        nicHits = nic.hitPackets();
        for (int i = 0; i < 10; i++) assertTrue(h1.sendUdp(H2, sport, 5001, 18));
        assertEquals(nicHits + 10, nic.hitPackets(), diagnostics());
        assertEquals(before + 20, h2.flowPackets(atH2));
        offload.tick();
        offload.drain();
        assertEquals(10, offload.flow(evicted).hwPackets(), "the new entry's hits pulled: " + diagnostics());
    }

    Map<Long, HwState> hwStates() {
        Map<Long, HwState> m = new HashMap<>();
        for (FlowEntry f : ft.list()) m.put(f.id(), f.hwState());
        return m;
    }

    /** Whether the flow table implements the offload hooks of org.flowgate.api.flowtable 1.2 (hardwareUsed, dying GC). */
    boolean flowTableSupportsOffload() throws NoSuchMethodException {
        return ft.getClass().getMethod("hardwareUsed", FlowEntry.class, int.class, long.class, long.class).getDeclaringClass() != FlowTable.class;
    }

    @Test
    void aFlowBusyInHardwareIsNotAgedOutAndAnIdleOneWaitsForTheDriver() throws Exception {
        tearDown();
        world(1024, new Settings(2, 10, 16384, 64)); // 2 s flow timeout
        org.junit.jupiter.api.Assumptions.assumeTrue(flowTableSupportsOffload(),
                "bundles/flowtable does not implement FlowTable.hardwareUsed / the dying GC yet (API 1.2)");
        udpFlow(10000);
        settle();
        FlowEntry f = ft.list().get(0);
        assertEquals(HwState.HW, f.hwState(), diagnostics());
        Thread.sleep(1300);
        for (int i = 0; i < 10; i++) assertTrue(h1.sendUdp(H2, 10000, 5001, 18)); // only the NIC sees these
        offload.tick();
        offload.drain(); // the stats pull marks the flow used
        Thread.sleep(1300); // 2.6 s since software last saw it, 1.3 s since the refresh
        flows.runWorkerOnce();
        assertEquals(1, ft.count(), "busy in hardware: kept: " + diagnostics());
        assertEquals(10, f.packets(FlowEntry.ORIGINAL), "hardware packets added to the flow's counters: " + diagnostics());

        Thread.sleep(2100); // now idle everywhere
        flows.runWorkerOnce();
        assertEquals(HwState.DYING, f.hwState(), diagnostics());
        assertEquals(1, ft.count(), "kept until the driver is done with it");
        assertEquals(2, nic.entries());
        flows.runWorkerOnce();
        offload.drain();
        assertEquals(HwState.DEAD, f.hwState());
        assertEquals(0, nic.entries());
        flows.runWorkerOnce();
        assertEquals(0, ft.count(), diagnostics());
    }
}
