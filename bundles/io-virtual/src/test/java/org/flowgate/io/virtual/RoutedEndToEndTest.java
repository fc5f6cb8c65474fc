package org.flowgate.io.virtual;

import static org.junit.jupiter.api.Assertions.*;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.DeviceCounters;
import org.flowgate.io.virtual.demo.DemoNetworks;
import org.flowgate.io.virtual.host.EmulatedHost;
import org.flowgate.io.virtual.host.EmulatedHost.Outcome;
import org.flowgate.io.virtual.host.EmulatedHost.PingResult;
import org.flowgate.io.virtual.port.VirtualPort;
import org.flowgate.io.virtual.traffic.TrafficSource;
import org.flowgate.io.virtual.traffic.TrafficSpec;
import org.flowgate.io.virtual.traffic.TrafficSpec.Protocol;
import org.flowgate.packet.router.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * h1 -- v0 [router] v1 -- h2, all in one process with synchronous ports: the packet path of
 * bundles/packet between two emulated hosts, as the demo runs it (and as a benchmark can).
 */
class RoutedEndToEndTest {
    static final IpAddress H1_4 = IpAddress.parse("10.0.1.2"), H2_4 = IpAddress.parse("10.0.2.2");
    static final IpAddress H1_6 = IpAddress.parse("fd00:1::2"), H2_6 = IpAddress.parse("fd00:2::2");

    Router router;
    VirtualPort v0, v1;
    EmulatedHost h1, h2;

    @BeforeEach
    void setUp() {
        router = new Router();
        DemoNetworks net = DemoNetworks.synchronous();
        v0 = net.v0();
        v1 = net.v1();
        h1 = net.h1();
        h2 = net.h2();
        net.addRouterAddresses(router.devices());
        router.attach(v0);
        router.attach(v1);
    }

    @AfterEach
    void tearDown() { router.close(); }

    @Test
    void pingCrossesTheRouterBothFamilies() {
        PingResult r = h1.ping(H2_4, 1, 56, 1000);
        assertEquals(Outcome.REPLY, r.outcome(), r.toString());
        assertEquals(H2_4, r.from());
        assertEquals(EmulatedHost.TTL - 1, r.ttl(), "one router on the way back");
        assertEquals(64, r.bytes());
        assertEquals(1, h2.counters().echoRequestsAnswered());

        PingResult r6 = h1.ping(H2_6, 2, 56, 1000);
        assertEquals(Outcome.REPLY, r6.outcome(), r6.toString());
        assertEquals(H2_6, r6.from());
        assertEquals(EmulatedHost.TTL - 1, r6.ttl());

        PingResult back = h2.ping(H1_4, 3, 56, 1000);
        assertEquals(Outcome.REPLY, back.outcome());
        assertEquals(0, h1.counters().badChecksum() + h2.counters().badChecksum());
    }

    @Test
    void pingTheRouterItself() {
        PingResult r = h1.ping(IpAddress.parse("10.0.1.1"), 1, 56, 1000);
        assertEquals(Outcome.REPLY, r.outcome(), r.toString());
        assertEquals(64, r.ttl(), "answered by the router (TTL 64), not forwarded");
        PingResult far = h1.ping(IpAddress.parse("10.0.2.1"), 2, 56, 1000);
        assertEquals(Outcome.REPLY, far.outcome(), far.toString());
        PingResult r6 = h1.ping(IpAddress.parse("fd00:1::1"), 3, 56, 1000);
        assertEquals(Outcome.REPLY, r6.outcome(), r6.toString());
    }

    @Test
    void noRouteIsReportedByIcmp() {
        PingResult r = h1.ping(IpAddress.parse("10.9.9.9"), 1, 56, 1000);
        assertEquals(Outcome.ERROR, r.outcome(), r.toString());
        assertEquals(3, r.icmpType(), "destination unreachable");
        assertEquals(IpAddress.parse("10.0.1.1"), r.from());
    }

    @ParameterizedTest
    @CsvSource({"UDP, 4, 256", "UDP, 6, 256", "TCP, 4, 256", "TCP, 6, 256", "UDP, 4, 60", "TCP, 4, 60", "UDP, 6, 1514", "TCP, 6, 1514"})
    void trafficCrossesTheRouter(Protocol protocol, int family, int size) throws Exception {
        // 60-byte frames carry Ethernet padding after the IP packet; 1514 fills the 1500-byte MTU
        TrafficSource s = new TrafficSource(h1, h2, TrafficSpec.of(protocol, family, 8, size, 0, 400));
        s.start();
        assertTrue(s.awaitDone(30_000));
        TrafficSource.Status st = s.status();
        assertEquals(TrafficSource.State.DONE, st.state(), st.toString());
        assertEquals(400, st.sent());
        assertEquals(400, st.received(), "every packet arrived, checksums intact after the TTL rewrite");
        assertEquals(0, h2.counters().badChecksum());
        assertEquals(8, h2.flows().size());
        for (int i = 0; i < 8; i++) assertEquals(50, h2.flowPackets(s.flow(i)));

        DeviceCounters in = router.devices().byName("v0").orElseThrow().counters();
        DeviceCounters out = router.devices().byName("v1").orElseThrow().counters();
        assertTrue(in.rxPackets() >= 400, "router received on v0: " + in);
        assertTrue(out.txPackets() >= 400, "router sent on v1: " + out);
        if (protocol == Protocol.TCP) {
            assertTrue(h1.tcpConnections().isEmpty() && h2.tcpConnections().isEmpty(), "connections closed through the router");
        }
    }

    @ParameterizedTest
    @CsvSource({"UDP, 4", "TCP, 6"})
    void threadedPortsAtFullRateLoseNothing(Protocol protocol, int family) throws Exception {
        // as the demo runs: each port delivers on its own thread, the source pushes back on a full ring
        try (Router threaded = new Router()) {
            threaded.startTimers();
            DemoNetworks net = DemoNetworks.create(VirtualPort.Mode.THREADED, 256);
            net.addRouterAddresses(threaded.devices());
            threaded.attach(net.v0());
            threaded.attach(net.v1());
            // a ping first makes the router resolve h2: otherwise the first burst overflows its queue of
            // packets waiting for ARP/NDP (NEIGHBOUR_QUEUE_FULL), as it would on Linux
            assertEquals(Outcome.REPLY, net.h1().ping(net.h2().address(family), 1, 56, 5000).outcome());
            TrafficSource s = new TrafficSource(net.h1(), net.h2(), TrafficSpec.of(protocol, family, 16, 200, 0, 50_000));
            s.start();
            assertTrue(s.awaitDone(60_000), "sent everything");
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (s.status().received() < 50_000 && System.nanoTime() < deadline) Thread.sleep(5);
            TrafficSource.Status st = s.status();
            assertEquals(TrafficSource.State.DONE, st.state(), st.toString());
            assertEquals(50_000, st.sent());
            assertEquals(50_000, st.received(), st + "\nrouter v0 " + threaded.devices().byName("v0").orElseThrow().counters()
                    + "\nrouter v1 " + threaded.devices().byName("v1").orElseThrow().counters()
                    + "\nh2 " + net.h2().counters() + "\nv0 " + net.v0().counters() + "\nv1 " + net.v1().counters()
                    + "\nneighbours " + threaded.neighbours().list());
            assertEquals(0, net.h2().counters().badChecksum());
        }
    }

    @Test
    void tooBigForTheEgressMtuIsReportedToTheSender() {
        try (Router narrow = new Router()) {
            VirtualPort a = new VirtualPort("v0", MacAddress.parse("02:00:00:00:00:01"), 1500);
            VirtualPort b = new VirtualPort("v1", MacAddress.parse("02:00:00:00:00:02"), 1280);
            EmulatedHost s = new EmulatedHost("s", MacAddress.parse("02:00:00:00:01:01"), IpPrefix.parse("10.0.1.2/24"), IpAddress.parse("10.0.1.1"),
                    IpPrefix.parse("fd00:1::2/64"), IpAddress.parse("fd00:1::1"));
            EmulatedHost d = new EmulatedHost("d", MacAddress.parse("02:00:00:00:01:02"), IpPrefix.parse("10.0.2.2/24"), IpAddress.parse("10.0.2.1"),
                    IpPrefix.parse("fd00:2::2/64"), IpAddress.parse("fd00:2::1"));
            s.attach(a);
            d.attach(b);
            new DemoNetworks(a, b, s, d).addRouterAddresses(narrow.devices());
            narrow.attach(a);
            narrow.attach(b);

            PingResult fits = s.ping(IpAddress.parse("10.0.2.2"), 1, 1280 - 28, 1000);
            assertEquals(Outcome.REPLY, fits.outcome(), fits.toString());
            PingResult big = s.ping(IpAddress.parse("10.0.2.2"), 2, 1400, 1000);
            assertEquals(Outcome.ERROR, big.outcome(), big.toString());
            assertEquals(3, big.icmpType());
            assertEquals(4, big.icmpCode(), "fragmentation needed and DF set");
            PingResult big6 = s.ping(IpAddress.parse("fd00:2::2"), 3, 1400, 1000);
            assertEquals(Outcome.ERROR, big6.outcome(), big6.toString());
            assertEquals(2, big6.icmpType(), "packet too big");
            assertEquals(2, s.counters().icmpErrorsReceived());
        }
    }
}
