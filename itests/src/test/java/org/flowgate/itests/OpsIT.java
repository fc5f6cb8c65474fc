package org.flowgate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import javax.inject.Inject;
import javax.management.ObjectName;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.api.route.NeighbourTable;
import org.junit.Assume;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;

/**
 * Operations in Felix with the real packet path and two test ports: router:stats, the MBeans,
 * router:capture read back by tshark, the metrics endpoint enabled through ConfigAdmin, and an
 * interface address changed through ConfigAdmin taking effect at once.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class OpsIT extends InFelix {
    private static final long WAIT = 10_000;
    private static final MacAddress MAC_A = MacAddress.parse("02:00:00:78:01:01"), MAC_B = MacAddress.parse("02:00:00:78:02:01");
    private static final MacAddress HOST_A = MacAddress.parse("02:00:00:78:01:02"), HOST_B = MacAddress.parse("02:00:00:78:02:02");
    private static final IpAddress H1 = IpAddress.parse("10.78.1.2"), H2 = IpAddress.parse("10.78.2.2");

    @Inject NetDevices devices;
    @Inject NeighbourTable neighbours;

    @Test
    public void statsAndMBeansCountWhatThePathDid() throws Exception {
        TestPort[] ports = routed();
        for (int i = 0; i < 3; i++) ports[0].inject(Frames.udp4(MAC_A, HOST_A, H1, H2, 64, 40000, 9999, new byte[8]));
        ports[0].inject(Frames.udp4(MAC_A, HOST_A, H1, IpAddress.parse("10.99.0.1"), 64, 40000, 9999, new byte[8])); // no route
        assertTrue(await(() -> devices.byName("itb").orElseThrow().counters().txPackets() >= 3));

        String stats = String.valueOf(run("router:stats ita"));
        assertTrue(stats, stats.startsWith("interface ita:\n    up 1 mtu 1500 rx_packets 4 "));
        assertTrue(stats, stats.contains("drops[no-route] 1"));
        String all = String.valueOf(run("router:stats"));
        assertTrue(all, all.contains("interface itb:") && all.contains("conntrack conntrack:") && all.contains("hook prerouting:"));

        var server = ManagementFactory.getPlatformMBeanServer();
        ObjectName ita = new ObjectName("org.flowgate:type=interface,instance=default,name=ita");
        assertTrue("MBean of ita registered within its refresh interval", await(() -> server.isRegistered(ita)));
        assertEquals(4L, server.getAttribute(ita, "rx_packets"));
        assertEquals(1L, server.getAttribute(ita, "drops_no_route"));
        assertTrue(server.isRegistered(new ObjectName("org.flowgate:type=conntrack,instance=default,name=conntrack")));
    }

    @Test
    public void captureWritesAPcapThatTsharkReads() throws Exception {
        TestPort[] ports = routed();
        Path dir = Files.createTempDirectory("flowgate-capture");
        Path rx = dir.resolve("ita.pcap"), tx = dir.resolve("itb.pcap");
        String started = String.valueOf(run("router:capture ita " + rx + " 2"));
        assertTrue(started, started.startsWith("capturing "));
        boolean taps = started.startsWith("capturing received and sent");
        if (taps) run("router:capture itb " + tx + " 1");

        ports[0].inject(Frames.udp4(MAC_A, HOST_A, H1, H2, 64, 40000, 7001, new byte[8]));
        ports[0].inject(Frames.udp4(MAC_A, HOST_A, H1, H2, 64, 40000, 7002, new byte[8]));
        ports[0].inject(Frames.udp4(MAC_A, HOST_A, H1, H2, 64, 40000, 7003, new byte[8])); // beyond the count
        assertTrue("capture ended at its count", await(() -> String.valueOf(call("router:capture")).equals("no capture running\n")));

        assertEquals(List.of("7001\t10.78.2.2\t64", "7002\t10.78.2.2\t64"), tshark(rx, "udp.dstport", "ip.dst", "ip.ttl"));
        if (taps) assertEquals("the routed copy, TTL decremented", List.of("7001\t10.78.2.2\t63"), tshark(tx, "udp.dstport", "ip.dst", "ip.ttl"));
    }

    @Test
    public void interfaceAddressChangedThroughConfigAdminTakesEffectAtOnce() throws Exception {
        attach();
        org.osgi.service.cm.Configuration c = configAdmin.createFactoryConfiguration("org.flowgate.interface", "?");
        configurations.add(c);
        c.update(new Hashtable<>(Map.of("name", "ita", "addresses", "10.78.1.1/24")));
        assertTrue("first address", await(() -> addresses("ita").contains(IpPrefix.parse("10.78.1.1/24"))));
        c.update(new Hashtable<>(Map.of("name", "ita", "addresses", "10.78.7.1/24")));
        assertTrue("new address", await(() -> addresses("ita").contains(IpPrefix.parse("10.78.7.1/24"))));
        assertFalse("old address withdrawn", addresses("ita").contains(IpPrefix.parse("10.78.1.1/24")));
        String routes = String.valueOf(run("router:routes"));
        assertTrue(routes, routes.contains("10.78.7.0/24 dev ita") && !routes.contains("10.78.1.0/24"));
    }

    @Test
    public void metricsEndpointComesUpOnLoopbackWhenConfigured() throws Exception {
        routed();
        int port;
        try (ServerSocket s = new ServerSocket(0)) { port = s.getLocalPort(); }
        URI uri = URI.create("http://127.0.0.1:" + port + "/metrics");
        assertFalse("off by default", reachable(uri));
        org.osgi.service.cm.Configuration c = configAdmin.getConfiguration("org.flowgate.metrics", "?");
        configurations.add(c);
        c.update(new Hashtable<>(Map.of("enabled", true, "port", port)));
        assertTrue("endpoint up", await(() -> reachable(uri)));
        String body = get(uri);
        assertTrue(body, body.contains("flowgate_interface_rx_packets_total{device=\"ita\",flowgate_instance=\"default\"}"));
        assertTrue(body, body.contains("flowgate_conntrack_entries{flowgate_instance=\"default\"}"));
        c.update(new Hashtable<>(Map.of("enabled", false, "port", port)));
        assertTrue("endpoint down once disabled", await(() -> !reachable(uri)));
    }

    // ---------------------------------------------------------------- helpers

    private TestPort[] routed() throws Exception {
        TestPort[] ports = attach();
        devices.addAddress("ita", IpPrefix.parse("10.78.1.1/24"));
        devices.addAddress("itb", IpPrefix.parse("10.78.2.1/24"));
        neighbours.addStatic(H1, "ita", HOST_A);
        neighbours.addStatic(H2, "itb", HOST_B);
        return ports;
    }

    private TestPort[] attach() throws InterruptedException {
        TestPort[] ports = {new TestPort("ita", MAC_A), new TestPort("itb", MAC_B)};
        attach("default", devices, ports);
        return ports;
    }

    private List<IpPrefix> addresses(String dev) { return devices.byName(dev).map(d -> d.addresses()).orElse(List.of()); }

    private static boolean await(BooleanSupplier condition) throws InterruptedException { return Await.until(condition, WAIT); }

    private static boolean reachable(URI uri) {
        try { get(uri); return true; } catch (Exception e) { return false; }
    }

    private static String get(URI uri) throws Exception {
        try (HttpClient c = HttpClient.newHttpClient()) {
            HttpResponse<String> r = c.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            return r.body();
        }
    }

    private static List<String> tshark(Path file, String... fields) throws Exception {
        Assume.assumeTrue("tshark is not installed (.ci/run installs it)", new File("/usr/bin/tshark").canExecute());
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/tshark", "-n", "-r", file.toString(), "-T", "fields"));
        for (String f : fields) { cmd.add("-e"); cmd.add(f); }
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals("tshark exit status; output " + out, 0, p.exitValue());
        assertNotNull(out);
        return out.lines().toList();
    }
}
