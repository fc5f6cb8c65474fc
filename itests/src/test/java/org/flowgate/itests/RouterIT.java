package org.flowgate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import javax.inject.Inject;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.api.route.NeighbourTable;
import org.flowgate.api.route.RoutingTable;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/** The bundles in Felix: all active, services wired, a frame routed from one test port to another. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class RouterIT extends InFelix {
    private static final long WAIT = 10_000;

    private static final MacAddress MAC_A = MacAddress.parse("02:00:00:77:01:01");
    private static final MacAddress MAC_B = MacAddress.parse("02:00:00:77:02:01");
    private static final MacAddress HOST_A = MacAddress.parse("02:00:00:77:01:02");
    private static final MacAddress HOST_B = MacAddress.parse("02:00:00:77:02:02");
    private static final IpAddress H1 = IpAddress.parse("10.77.1.2");
    private static final IpAddress H2 = IpAddress.parse("10.77.2.2");

    @Inject NetDevices devices;
    @Inject RoutingTable routes;
    @Inject NeighbourTable neighbours;

    @Test
    public void everyFlowgateBundleIsActive() {
        Set<String> flowgate = new TreeSet<>();
        for (Bundle b : context.getBundles()) {
            if (!b.getSymbolicName().startsWith("org.flowgate.")) continue;
            flowgate.add(b.getSymbolicName());
            assertEquals(b.getSymbolicName() + " state", Bundle.ACTIVE, b.getState());
        }
        for (String expected : List.of("org.flowgate.api", "org.flowgate.packet", "org.flowgate.io.afpacket", "org.flowgate.io.virtual",
                "org.flowgate.conntrack", "org.flowgate.nft", "org.flowgate.shell")) {
            assertTrue(expected + " installed, found " + flowgate, flowgate.contains(expected));
        }
    }

    @Test
    public void servicesOfEveryBundleWithComponentsAreRegistered() throws Exception {
        // conntrack and nft may still be skeletons: once a bundle declares components, its service must be there
        assertServiceIfComponents("org.flowgate.conntrack", "org.flowgate.api.conntrack.ConnTracker");
        assertServiceIfComponents("org.flowgate.nft", "org.flowgate.api.ruleset.Ruleset");
        assertServiceIfComponents("org.flowgate.flowtable", "org.flowgate.api.flowtable.FlowTableService");
    }

    @Test
    public void gogoCommandsAreRegisteredAndWork() throws Exception {
        Set<String> functions = new TreeSet<>();
        for (ServiceReference<?> r : context.getServiceReferences((String) null, "(osgi.command.scope=router)")) {
            Object f = r.getProperty("osgi.command.function");
            if (f instanceof String[] a) functions.addAll(List.of(a));
            else if (f != null) functions.add(f.toString());
        }
        assertTrue("router functions: " + functions,
                functions.containsAll(List.of("interfaces", "addr", "link", "routes", "route", "neigh")));

        attach();
        assertEquals(null, run("router:addr add ita 10.77.1.1/24"));
        String shown = String.valueOf(run("router:interfaces ita"));
        assertTrue(shown, shown.contains("ita: <UP>") && shown.contains("link/ether 02:00:00:77:01:01") && shown.contains("inet 10.77.1.1/24"));
        String listed = String.valueOf(run("router:routes"));
        assertTrue(listed, listed.contains("10.77.1.0/24 dev ita"));
        try {
            run("router:route add 10.77.9.1/24 dev ita");
            fail("a route with host bits set was accepted");
        } catch (IllegalArgumentException e) {
            assertEquals("route: invalid prefix for given prefix length: 10.77.9.1/24 (did you mean 10.77.9.0/24?)", e.getMessage());
        }
    }

    @Test
    public void aFrameInjectedOnOnePortLeavesTheOtherRouted() throws Exception {
        TestPort[] ports = routed();
        assertNotNull("connected route", routes.lookup(H2));
        assertEquals("itb", routes.lookup(H2).device());

        byte[] payload = "flowgate itest payload".getBytes(StandardCharsets.US_ASCII);
        byte[] in = Frames.udp4(MAC_A, HOST_A, H1, H2, 64, 40000, 9999, payload);
        ports[0].inject(in);

        byte[] out = ports[1].awaitSent(f -> Frames.isUdp4To(f, H2, 9999), WAIT);
        assertNotNull("no UDP frame to " + H2 + " left itb; sent: " + ports[1].sent().size() + " frames", out);
        assertEquals("destination MAC", HOST_B, Frames.dstMac(out));
        assertEquals("source MAC", MAC_B, Frames.srcMac(out));
        assertEquals("TTL", 63, Frames.u8(out, 22));
        assertEquals("IPv4 header checksum residue", 0, org.flowgate.api.packet.Checksums.checksum(out, 14, 20));
        assertEquals("UDP checksum residue", 0, Frames.udp4ChecksumResidue(out));
        assertEquals("frame length", in.length, out.length);
        for (int i = 42; i < in.length; i++) assertEquals("payload byte " + i, in[i], out[i]);

        NetDevice a = devices.byName("ita").orElseThrow();
        NetDevice b = devices.byName("itb").orElseThrow();
        assertTrue("rx counted on ita", a.counters().rxPackets() >= 1);
        assertTrue("tx counted on itb", b.counters().txPackets() >= 1);
    }

    @Test
    public void ttlOneGetsTimeExceededBackToTheSender() throws Exception {
        TestPort[] ports = routed();

        ports[0].inject(Frames.udp4(MAC_A, HOST_A, H1, H2, 1, 40000, 9999, new byte[16]));

        byte[] icmp = ports[0].awaitSent(f -> Frames.isIcmp4To(f, H1, 11), WAIT);
        assertNotNull("no ICMP time exceeded to " + H1, icmp);
        assertEquals("from the router's address on ita", IpAddress.parse("10.77.1.1").v4(), Frames.u32(icmp, 26));
        assertTrue("nothing forwarded", ports[1].sent().stream().noneMatch(f -> Frames.isUdp4To(f, H2, 9999)));
    }

    /** {@link #attach()}, with ita 10.77.1.1/24 and itb 10.77.2.1/24 and a static neighbour on each. */
    private TestPort[] routed() throws InterruptedException {
        TestPort[] ports = attach();
        devices.addAddress("ita", IpPrefix.parse("10.77.1.1/24"));
        devices.addAddress("itb", IpPrefix.parse("10.77.2.1/24"));
        neighbours.addStatic(H1, "ita", HOST_A);
        neighbours.addStatic(H2, "itb", HOST_B);
        return ports;
    }

    /** Registers the two test ports and waits until the packet path attached and started them. */
    private TestPort[] attach() throws InterruptedException {
        TestPort[] ports = {new TestPort("ita", MAC_A), new TestPort("itb", MAC_B)};
        attach("default", devices, ports);
        return ports;
    }

    private void assertServiceIfComponents(String bsn, String service) throws Exception {
        for (Bundle b : context.getBundles()) {
            if (!bsn.equals(b.getSymbolicName())) continue;
            if (b.getHeaders().get("Service-Component") == null) return;
            assertTrue(service + " registered by " + bsn, Await.until(() -> context.getServiceReference(service) != null, WAIT));
            return;
        }
    }
}
