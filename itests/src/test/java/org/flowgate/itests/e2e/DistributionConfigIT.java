package org.flowgate.itests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The executable jar with the shipped etc/: files edited in etc/ while it runs take effect at once
 * (FileInstall -> ConfigAdmin -> the components): the demo restarts at a new rate, the metrics
 * endpoint comes up on loopback and is scraped, and goes away again; router:stats and
 * router:capture work in the real runtime.
 */
class DistributionConfigIT {
    private static final long WAIT_MS = Distribution.WAIT_MS;

    private Distribution router;

    @AfterEach
    void stop() throws InterruptedException {
        if (router != null) router.close();
    }

    @Test
    void editedConfigurationFilesTakeEffectWhileRunning() throws Exception {
        Path home = Distribution.home("distribution-config-it");
        assertTrue(Files.readString(home.resolve("etc/org.flowgate.metrics.cfg")).contains("enabled = false"), "shipped off");

        router = Distribution.start(home);
        router.await("demo traffic h1 -> h2 started: 4 udp/ipv4 flow(s), 128 B, 100 pps");
        router.await("Welcome to Apache Felix Gogo");
        router.await("received at h2");

        // the demo rate, changed in its file
        edit(home.resolve("etc/org.flowgate.demo.cfg"), "pps = 100", "pps = 250");
        router.await("demo traffic h1 -> h2 started: 4 udp/ipv4 flow(s), 128 B, 250 pps");

        // the metrics endpoint, enabled in its file on a free loopback port
        int port;
        try (ServerSocket s = new ServerSocket(0)) { port = s.getLocalPort(); }
        URI uri = URI.create("http://127.0.0.1:" + port + "/metrics");
        edit(home.resolve("etc/org.flowgate.metrics.cfg"), "enabled = false\naddress = 127.0.0.1\nport = 9468",
                "enabled = true\naddress = 127.0.0.1\nport = " + port);
        String body = null;
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (body == null) {
            try { body = get(uri); } catch (IOException notYet) {
                if (System.currentTimeMillis() > deadline) fail("no metrics endpoint at " + uri + ":\n" + router.output());
                Thread.sleep(200);
            }
        }
        assertTrue(body.contains("flowgate_interface_rx_packets_total{device=\"v0\",flowgate_instance=\"default\"}"), body);
        assertTrue(body.contains("flowgate_conntrack_entries{flowgate_instance=\"default\"}"), body);
        edit(home.resolve("etc/org.flowgate.metrics.cfg"), "enabled = true", "enabled = false");
        deadline = System.currentTimeMillis() + WAIT_MS;
        while (true) {
            try { get(uri); } catch (IOException gone) { break; }
            if (System.currentTimeMillis() > deadline) fail("metrics endpoint still up after enabled = false");
            Thread.sleep(200);
        }

        router.send("router:stats v0");
        router.await("interface v0:\n    up 1 mtu 1500 rx_packets ");
        Path pcap = home.resolve("v0.pcap");
        router.send("router:capture v0 " + pcap + " 3");
        router.await("capturing ");
        deadline = System.currentTimeMillis() + WAIT_MS;
        while (!Files.exists(pcap) || Files.size(pcap) < 24 + 3 * (16 + 128)) {
            if (System.currentTimeMillis() > deadline) fail("3 demo frames not captured:\n" + router.output());
            Thread.sleep(200);
        }

        // an offload driver hot-deployed under traffic, configured, then removed by deleting its jar
        Files.writeString(home.resolve("etc/org.flowgate.driver.emulated.cfg"), "name = nic9\n");
        Path driverJar = Path.of(System.getProperty("flowgate.itest.feature.bundles")).resolve("org.flowgate.driver.emulated-" + System.getProperty("flowgate.version") + ".jar");
        assertTrue(Files.isRegularFile(driverJar), driverJar.toString());
        Path deployed = home.resolve("deploy/org.flowgate.driver.emulated.jar");
        Files.copy(driverJar, home.resolve("deploy/driver.tmp"));
        Files.move(home.resolve("deploy/driver.tmp"), deployed, StandardCopyOption.ATOMIC_MOVE);
        router.awaitCommand("router:stats driver", "driver emulated:nic9:\n    registered 1");
        Files.delete(deployed);
        router.awaitCommand("router:stats driver", "no driver\n");

        assertEquals(117, router.stop(), router.output());
    }

    /** Rewrites a file whole (a temporary file moved over it), as an editor saving it does. */
    private static void edit(Path file, String from, String to) throws IOException {
        String text = Files.readString(file);
        assertTrue(text.contains(from), file + " holds '" + from + "'");
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text.replace(from, to));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String get(URI uri) throws IOException, InterruptedException {
        try (HttpClient c = HttpClient.newHttpClient()) {
            HttpResponse<String> r = c.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new IOException("HTTP " + r.statusCode());
            return r.body();
        }
    }
}
