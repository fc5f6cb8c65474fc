package org.flowgate.itests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The executable jar as a user starts it (no root needed): the shipped etc/ starts the demo, the
 * Gogo shell shows it routing, a bundle dropped into deploy/ gets started, and 'stop 0' ends the
 * launcher with its normal exit code 117.
 */
class DistributionIT {
    private Distribution router;

    @AfterEach
    void stop() throws InterruptedException {
        if (router != null) router.close();
    }

    @Test
    void startsTheDemoShowsItInTheShellAndHotDeploys() throws Exception {
        Path home = Distribution.home("distribution-it");
        router = Distribution.start(home);

        router.await("demo networks up");
        router.await("Welcome to Apache Felix Gogo");
        // the demo's summary line: traffic crossed the router from h1 to h2
        router.await("received at h2");

        router.send("router:interfaces");
        router.await("2: v1: <UP>");
        assertTrue(router.output().contains("inet 10.0.1.1/24"), router.output());
        router.send("router:routes");
        router.await("10.0.2.0/24 dev v1 proto kernel scope link");

        writeBundle(home.resolve("deploy").resolve("hello.jar"), "org.flowgate.itest.hello");
        // started by the deploy/ watcher: lb shows it active at start level 80
        router.awaitCommand("lb -s org.flowgate.itest.hello", Pattern.compile("\\|Active\\s*\\|\\s*80\\|org\\.flowgate\\.itest\\.hello"));

        assertEquals(117, router.stop(), "the bnd launcher's exit code for a normal framework stop\n" + router.output());
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
}
