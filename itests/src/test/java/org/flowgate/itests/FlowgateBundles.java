package org.flowgate.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.frameworkStartLevel;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.ops4j.pax.exam.Option;

/**
 * The Pax Exam runtime: the jars maven-dependency-plugin copied to {@code flowgate.itest.bundles}
 * (the reactor's bundles and the runtime services), as file: URLs.
 */
public final class FlowgateBundles {
    private FlowgateBundles() {}

    public static Option[] options() { return options(true); }

    /** @param flowgate whether the Flowgate bundles start too, or only the runtime services (as Karaf before a feature:install) */
    static Option[] options(boolean flowgate) {
        String dir = System.getProperty("flowgate.itest.bundles");
        if (dir == null) throw new IllegalStateException("system property flowgate.itest.bundles is not set (run through failsafe)");
        File[] jars = new File(dir).listFiles((d, n) -> n.endsWith(".jar"));
        if (jars == null || jars.length == 0) throw new IllegalStateException("no bundles in " + dir);
        Arrays.sort(jars);
        List<Option> options = new ArrayList<>();
        options.add(cleanCaches());
        options.add(frameworkStartLevel(10));
        options.add(junitBundles());
        // the test JVM's class path holds slf4j-simple too: without this, Felix lets ServiceLoader
        // inside the framework find that copy, whose provider type is not the bundle's
        options.add(frameworkProperty("felix.bootdelegation.implicit").value("false"));
        options.add(systemProperty("org.slf4j.simpleLogger.defaultLogLevel").value("info"));
        options.add(systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"));
        for (File jar : jars) if (flowgate || !jar.getName().startsWith("org.flowgate.")) options.add(bundle(jar.toURI().toString()).startLevel(startLevel(jar.getName())));
        return options.toArray(Option[]::new);
    }

    /** Logging first: SPI Fly has to see slf4j-simple before any bundle asks SLF4J for a logger. */
    private static int startLevel(String file) {
        if (file.startsWith("asm")) return 1;
        if (file.startsWith("org.apache.aries.spifly")) return 2;
        if (file.startsWith("slf4j")) return 3;
        return 5;
    }
}
