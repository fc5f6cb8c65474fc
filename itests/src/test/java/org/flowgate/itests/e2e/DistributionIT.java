package org.flowgate.itests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The executable jar as a user starts it (no root needed): the shipped etc/ starts the demo, the
 * Gogo shell shows it routing, a bundle dropped into deploy/ gets started, and 'stop 0' ends the
 * launcher with its normal exit code 117.
 */
class DistributionIT {
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
    void startsTheDemoShowsItInTheShellAndHotDeploys() throws Exception {
        Path jar = Path.of(System.getProperty("flowgate.distribution.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " missing: the distribution module builds it before the itests");
        Path home = Path.of(System.getProperty("flowgate.itest.work")).resolveSibling("distribution-it");
        delete(home);
        copyDirectory(jar.getParent().resolveSibling("etc"), home.resolve("etc"));
        Files.createDirectories(home.resolve("deploy"));

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        router = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-jar", jar.toString())
                .directory(home.toFile()).redirectErrorStream(true).start();
        Thread pump = Thread.ofPlatform().daemon().start(() -> copy(router.getInputStream()));
        OutputStream shell = router.getOutputStream();

        await("demo networks up");
        await("Welcome to Apache Felix Gogo");
        // the demo's summary line: traffic crossed the router from h1 to h2
        await("received at h2");

        send(shell, "router:interfaces");
        await("2: v1: <UP>");
        assertTrue(output.toString().contains("inet 10.0.1.1/24"), output.toString());
        send(shell, "router:routes");
        await("10.0.2.0/24 dev v1 proto kernel scope link");

        writeBundle(home.resolve("deploy").resolve("hello.jar"), "org.flowgate.itest.hello");
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!output.toString().matches("(?s).*\\|Active\\s*\\|\\s*80\\|org\\.flowgate\\.itest\\.hello.*")) {
            if (System.currentTimeMillis() > deadline) fail("bundle dropped into deploy/ not started:\n" + output);
            send(shell, "lb -s org.flowgate.itest.hello");
            Thread.sleep(1000);
        }

        send(shell, "stop 0");
        assertTrue(router.waitFor(30, TimeUnit.SECONDS), "launcher did not exit after 'stop 0':\n" + output);
        assertEquals(117, router.exitValue(), "the bnd launcher's exit code for a normal framework stop\n" + output);
        pump.join(5000);
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

    private static void writeBundle(Path file, String bsn) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", bsn);
        a.putValue("Bundle-Version", "1.0.0");
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(tmp), m)) {
            out.flush();
        }
        Files.move(tmp, file); // appears whole, never half-written, to the watcher
    }

    private static void copyDirectory(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) if (Files.isRegularFile(p)) Files.copy(p, to.resolve(p.getFileName()));
        }
    }

    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
