package org.flowgate.itests.offload;

import static org.junit.Assert.assertTrue;

import java.io.File;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The emulated NIC bundle as the tests deploy it under traffic, and the counters its {@code hw:stats} prints. */
final class EmulatedNic {
    private EmulatedNic() {}

    /** The driver's jar among the feature bundles the build copied for the itests. */
    static File jar() {
        File dir = new File(System.getProperty("flowgate.itest.feature.bundles"));
        File[] jars = dir.listFiles((d, n) -> n.startsWith("org.flowgate.driver.emulated") && n.endsWith(".jar"));
        assertTrue("emulated NIC jar in " + dir, jars != null && jars.length == 1);
        return jars[0];
    }

    /** The value of {@code <counter>=<n>} in {@code hw:stats} output; -1 when absent (the NIC's commands are not there yet). */
    static long counter(Object hwStats, String counter) {
        Matcher m = Pattern.compile(Pattern.quote(counter) + "=(\\d+)").matcher(String.valueOf(hwStats));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
