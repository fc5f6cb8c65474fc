package org.flowgate.itests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The executable jar with the shipped etc/: files edited in etc/ while it runs take effect at once
 * (FileInstall -> ConfigAdmin -> the components): the demo restarts at a new rate, the metrics
 * endpoint comes up on loopback and is scraped, and goes away again; router:stats and
 * router:capture work in the real runtime.
 */
class DistributionConfigIT {
    private static final long WAIT_MS = 60_000;

    private Process router;
    private final StringBuffer output = new StringBuffer();

    @AfterEach
    void stop() throws InterruptedException {
        if (router != null && router.isAlive()) {
            router.destroy();
            if (!router.waitFor(15, TimeUnit.SECONDS)) router.destroyForcibly().waitFor();
        }
    }

    @Test
    void editedConfigurationFilesTakeEffectWhileRunning() throws Exception {
        Path jar = Path.of(System.getProperty("flowgate.distribution.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " missing: the distribution module builds it before the itests");
        Path home = Path.of(System.getProperty("flowgate.itest.work")).resolveSibling("distribution-config-it");
        DistributionIT.delete(home);
        Files.createDirectories(home.resolve("etc"));
        try (Stream<Path> s = Files.list(jar.getParent().resolveSibling("etc"))) {
            for (Path p : s.toList()) if (Files.isRegularFile(p)) Files.copy(p, home.resolve("etc").resolve(p.getFileName()));
        }
        Files.createDirectories(home.resolve("deploy"));
        assertTrue(Files.readString(home.resolve("etc/org.flowgate.metrics.cfg")).contains("enabled = false"), "shipped off");

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        router = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-jar", jar.toString())
                .directory(home.toFile()).redirectErrorStream(true).start();
        Thread.ofPlatform().daemon().start(() -> copy(router.getInputStream()));
        OutputStream shell = router.getOutputStream();
        await("demo traffic h1 -> h2 started: 4 udp/ipv4 flow(s), 128 B, 100 pps");
        await("Welcome to Apache Felix Gogo");
        await("received at h2");

        // the demo rate, changed in its file
        edit(home.resolve("etc/org.flowgate.demo.cfg"), "pps = 100", "pps = 250");
        await("demo traffic h1 -> h2 started: 4 udp/ipv4 flow(s), 128 B, 250 pps");

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
                if (System.currentTimeMillis() > deadline) fail("no metrics endpoint at " + uri + ":\n" + output);
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

        send(shell, "router:stats v0");
        await("interface v0:\n    up 1 mtu 1500 rx_packets ");
        Path pcap = home.resolve("v0.pcap");
        send(shell, "router:capture v0 " + pcap + " 3");
        await("capturing ");
        deadline = System.currentTimeMillis() + WAIT_MS;
        while (!Files.exists(pcap) || Files.size(pcap) < 24 + 3 * (16 + 128)) {
            if (System.currentTimeMillis() > deadline) fail("3 demo frames not captured:\n" + output);
            Thread.sleep(200);
        }

        // an offload driver hot-deployed under traffic, configured, then removed by deleting its jar
        Files.writeString(home.resolve("etc/org.flowgate.driver.emulated.cfg"), "name = nic9\n");
        Path driverJar = Path.of(System.getProperty("flowgate.itest.feature.bundles")).resolve("org.flowgate.driver.emulated-" + System.getProperty("flowgate.version") + ".jar");
        assertTrue(Files.isRegularFile(driverJar), driverJar.toString());
        Path deployed = home.resolve("deploy/org.flowgate.driver.emulated.jar");
        Files.copy(driverJar, home.resolve("deploy/driver.tmp"));
        Files.move(home.resolve("deploy/driver.tmp"), deployed, StandardCopyOption.ATOMIC_MOVE);
        awaitCommand(shell, "router:stats driver", "driver emulated:nic9:\n    registered 1");
        Files.delete(deployed);
        awaitCommand(shell, "router:stats driver", "no driver\n");

        send(shell, "stop 0");
        assertTrue(router.waitFor(30, TimeUnit.SECONDS), "launcher did not exit after 'stop 0':\n" + output);
        assertEquals(117, router.exitValue(), output.toString());
    }

    /** Runs a command every second until its output shows {@code text}. */
    private void awaitCommand(OutputStream shell, String command, String text) throws Exception {
        int from = output.length();
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!output.substring(from).contains(text)) {
            if (System.currentTimeMillis() > deadline) fail("'" + command + "' never showed '" + text + "':\n" + output.substring(from));
            send(shell, command);
            Thread.sleep(1000);
        }
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

    private void await(String text) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!output.toString().contains(text)) {
            if (!router.isAlive()) fail("router exited (" + router.exitValue() + ") before printing '" + text + "':\n" + output);
            if (System.currentTimeMillis() > deadline) fail("no '" + text + "' within " + WAIT_MS + " ms:\n" + output);
            Thread.sleep(100);
        }
    }

    private static void send(OutputStream shell, String command) throws IOException {
        shell.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        shell.flush();
    }

    private void copy(InputStream in) {
        byte[] b = new byte[8192];
        try {
            for (int n; (n = in.read(b)) > 0; ) output.append(new String(b, 0, n, StandardCharsets.UTF_8));
        } catch (IOException e) {
            output.append("\n(output closed: ").append(e.getMessage()).append(')');
        }
    }
}
