package org.flowgate.itests.e2e;

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
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The distribution's executable jar as a user starts it, in a home directory of its own, with its
 * Gogo console: commands are typed in and everything it prints is kept for the assertions.
 */
final class Distribution implements AutoCloseable {
    static final long WAIT_MS = 60_000;

    private final Process process;
    private final OutputStream console;
    private final Thread pump;
    private final StringBuffer output = new StringBuffer();

    private Distribution(Path home) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-jar", jar().toString())
                .directory(home.toFile()).redirectErrorStream(true).start();
        console = process.getOutputStream();
        pump = Thread.ofPlatform().daemon().start(() -> copy(process.getInputStream()));
    }

    /** Starts the jar in {@code home}. */
    static Distribution start(Path home) throws IOException { return new Distribution(home); }

    /** The jar the distribution module built. */
    static Path jar() {
        Path jar = Path.of(System.getProperty("flowgate.distribution.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " missing: the distribution module builds it before the itests");
        return jar;
    }

    /** A fresh home next to the itests' work directory: the shipped etc/ and an empty deploy/. */
    static Path home(String name) throws IOException {
        Path home = Path.of(System.getProperty("flowgate.itest.work")).resolveSibling(name);
        delete(home);
        Files.createDirectories(home.resolve("etc"));
        try (Stream<Path> s = Files.list(jar().getParent().resolveSibling("etc"))) {
            for (Path p : s.toList()) if (Files.isRegularFile(p)) Files.copy(p, home.resolve("etc").resolve(p.getFileName()));
        }
        Files.createDirectories(home.resolve("deploy"));
        return home;
    }

    /** Deletes a directory tree, if there is one. */
    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /** Everything printed so far. */
    String output() { return output.toString(); }

    /** Types a command into the console. */
    void send(String command) throws IOException {
        console.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        console.flush();
    }

    /** Waits until the output shows {@code text}; fails when the launcher exits first or after {@link #WAIT_MS}. */
    void await(String text) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!output.toString().contains(text)) {
            if (!process.isAlive()) fail("router exited (" + process.exitValue() + ") before printing '" + text + "':\n" + output);
            if (System.currentTimeMillis() > deadline) fail("no '" + text + "' within " + WAIT_MS + " ms:\n" + output);
            Thread.sleep(100);
        }
    }

    /** Runs a command every second until what it printed shows {@code text}. */
    void awaitCommand(String command, String text) throws Exception {
        awaitCommand(command, Pattern.compile(Pattern.quote(text)));
    }

    /** Runs a command every second until what it printed has a match of {@code shown}. */
    void awaitCommand(String command, Pattern shown) throws Exception {
        int from = output.length();
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!shown.matcher(output.substring(from)).find()) {
            if (System.currentTimeMillis() > deadline) fail("'" + command + "' never showed '" + shown + "':\n" + output.substring(from));
            send(command);
            Thread.sleep(1000);
        }
    }

    /** Types {@code stop 0} and returns the launcher's exit code (117 for a normal framework stop). */
    int stop() throws Exception {
        send("stop 0");
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "launcher did not exit after 'stop 0':\n" + output);
        pump.join(5000);
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        }
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
