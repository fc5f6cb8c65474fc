package org.flowgate.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.CoreOptions.vmOption;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.features;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.replaceConfigurationFile;

import java.io.File;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import javax.inject.Inject;

import org.apache.karaf.features.FeaturesService;
import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.netdev.NetDevices;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Flowgate in a real Apache Karaf 4.4 on Java 25: the features file added as a repository and
 * {@code flowgate-io-virtual} (with {@code flowgate-core}) installed by Karaf's feature service at boot;
 * the router runs the built-in demo and forwards; a driver feature is installed and uninstalled
 * at runtime under that traffic.
 * <p>
 * Karaf 4.4.10 needs three changes to start on Java 25, all made here through Pax Exam options
 * and documented in the README: no {@code -Djava.security.manager=allow} (refused since Java 24;
 * Pax Exam starts Karaf's Main itself, not {@code bin/karaf}), an {@code eecap-25} execution
 * environment in {@code etc/config.properties}, and Felix EventAdmin instead of Karaf's fork
 * (which calls {@code Subject.getSubject}, throwing since Java 23). {@code features/karaf/java25.sh}
 * makes the same changes to a Karaf installation.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KarafIT {
    private static final long WAIT_MILLIS = 60_000;
    private static final List<String> CORE_SERVICES = List.of("org.flowgate.api.netdev.NetDevices",
            "org.flowgate.api.route.RoutingTable", "org.flowgate.api.route.NeighbourTable",
            "org.flowgate.api.conntrack.ConnTracker", "org.flowgate.api.ruleset.Ruleset",
            "org.flowgate.api.flowtable.FlowTableService", "org.flowgate.api.tc.TcService");

    @Inject BundleContext context;
    @Inject FeaturesService features;
    @Inject ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() throws URISyntaxException {
        String karaf = System.getProperty("karaf.version");
        return new Option[] {
            karafDistributionConfiguration()
                    .frameworkUrl(maven("org.apache.karaf", "apache-karaf", karaf).type("tar.gz"))
                    .karafVersion(karaf).name("Apache Karaf")
                    .unpackDirectory(new File(System.getProperty("flowgate.itest.work"))).useDeployFolder(false),
            keepRuntimeFolder(),
            configureConsole().ignoreLocalConsole().ignoreRemoteShell(),
            logLevel(LogLevel.INFO),
            editConfigurationFilePut("etc/config.properties", "eecap-25", eecap(25)),
            replaceConfigurationFile("etc/startup.properties", resource("/karaf-startup.properties")),
            replaceConfigurationFile("etc/org.apache.karaf.features.xml",
                    new File(System.getProperty("flowgate.karaf.patch"), "org.apache.karaf.features.xml")),
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository",
                    System.getProperty("flowgate.m2")),
            vmOption("--enable-native-access=ALL-UNNAMED"),
            // the test probe links against the API, so Flowgate is there before it: boot features
            features(maven("org.flowgate", "flowgate-features", System.getProperty("flowgate.version")).type("xml").classifier("features"),
                    "flowgate-io-virtual"),
            // a startup bundle must be in system/: Felix EventAdmin from the local Maven repository
            replaceConfigurationFile("system/org/apache/felix/org.apache.felix.eventadmin/1.6.4/org.apache.felix.eventadmin-1.6.4.jar",
                    new File(System.getProperty("flowgate.m2"), "org/apache/felix/org.apache.felix.eventadmin/1.6.4/org.apache.felix.eventadmin-1.6.4.jar")),
        };
    }

    @Test
    public void featuresInstallAtBootAndTheDemoForwards() throws Exception {
        for (String f : List.of("flowgate-api", "flowgate-core", "flowgate-io-virtual")) {
            assertTrue(f + " installed by Karaf", features.isInstalled(features.getFeature(f)));
        }
        List<String> notActive = new ArrayList<>();
        int flowgate = 0;
        for (Bundle b : context.getBundles()) {
            if (b.getSymbolicName() == null || !b.getSymbolicName().startsWith("org.flowgate.")) continue;
            flowgate++;
            if (b.getState() != Bundle.ACTIVE) notActive.add(b.getSymbolicName() + " state " + b.getState());
        }
        assertTrue("Flowgate bundles in Karaf: " + flowgate, flowgate >= 9);
        assertTrue("not active: " + notActive, notActive.isEmpty());
        for (String s : CORE_SERVICES) assertNotNull(s + " registered", await(s, null));
        // the Gogo command services Karaf's shell takes up (Karaf 4.4 cannot open a shell session on
        // Java 25 at all: ShellUtil.getCurrentUserName calls Subject.getSubject, see the README)
        for (String scope : List.of("router", "ct", "nft", "flow", "tc", "offload")) {
            assertNotNull("commands of scope " + scope, await(null, "(osgi.command.scope=" + scope + ")"));
        }
        for (String function : List.of("stats", "capture", "instances", "list", "filter")) {
            assertNotNull("command function " + function, await(null, "(osgi.command.function=" + function + ")"));
        }

        NetDevices devices = service(NetDevices.class);
        ConnTracker conntrack = service(ConnTracker.class);
        assertTrue("demo ports v0 and v1 attached", eventually(() -> devices.byName("v0").isPresent() && devices.byName("v1").isPresent()));
        long before = tx(devices, "v1");
        assertTrue("the demo's h1 -> h2 traffic is forwarded out of v1 (tx was " + before + ")",
                eventually(() -> tx(devices, "v1") > before + 10));
        assertTrue("the demo's connections are tracked", conntrack.count() > 0);

    }

    @Test
    public void driverFeatureInstallsAndUninstallsUnderTraffic() throws Exception {
        String driver = "org.flowgate.offload.OffloadDriver";
        assertNull("no driver before the feature", await(driver, null, 0));
        configAdmin.getConfiguration("org.flowgate.driver.emulated", "?").update(new Hashtable<>(Map.of("name", "nic0")));
        features.installFeature("flowgate-driver-emulated");
        assertTrue(features.isInstalled(features.getFeature("flowgate-driver-emulated")));
        assertNotNull("the emulated NIC registers its driver", await(driver, null));

        features.uninstallFeature("flowgate-driver-emulated");
        assertTrue("driver service gone", eventually(() -> {
            try {
                return context.getServiceReferences(driver, null) == null;
            } catch (Exception e) {
                return false;
            }
        }));
        boolean left = false;
        for (Bundle b : context.getBundles()) left |= "org.flowgate.driver.emulated".equals(b.getSymbolicName());
        assertTrue("driver bundle uninstalled", !left);

        NetDevices devices = service(NetDevices.class);
        long before = tx(devices, "v1");
        assertTrue("the router keeps forwarding after the driver left", eventually(() -> tx(devices, "v1") > before + 10));
        assertEquals("core still installed", true, features.isInstalled(features.getFeature("flowgate-core")));
    }

    private static long tx(NetDevices devices, String name) {
        return devices.byName(name).map(NetDevice::counters).map(c -> c.txPackets()).orElse(-1L);
    }

    private <T> T service(Class<T> type) throws Exception {
        ServiceReference<?> ref = await(type.getName(), null);
        assertNotNull(type.getName(), ref);
        return type.cast(context.getService(ref));
    }

    private ServiceReference<?> await(String clazz, String filter) throws Exception {
        return await(clazz, filter, WAIT_MILLIS);
    }

    private ServiceReference<?> await(String clazz, String filter, long millis) throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        while (true) {
            ServiceReference<?>[] refs = context.getServiceReferences(clazz, filter);
            if (refs != null && refs.length > 0) return refs[0];
            if (System.currentTimeMillis() >= deadline) return null;
            Thread.sleep(50);
        }
    }

    private static boolean eventually(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (condition.getAsBoolean()) return true;
            Thread.sleep(100);
        }
        return condition.getAsBoolean();
    }

    /** The osgi.ee capabilities of Java {@code feature}, in the shape of Karaf's eecap-21. */
    private static String eecap(int feature) {
        String javase = IntStream.rangeClosed(9, feature).filter(v -> v != 12).mapToObj(v -> v + ".0").collect(Collectors.joining(","));
        String compact = "1.8," + javase;
        return "osgi.ee; osgi.ee=\"OSGi/Minimum\"; version:List<Version>=\"1.0,1.1,1.2\", "
                + "osgi.ee; osgi.ee=\"JavaSE\"; version:List<Version>=\"1.0,1.1,1.2,1.3,1.4,1.5,1.6,1.7,1.8," + javase + "\", "
                + "osgi.ee; osgi.ee=\"JRE\"; version:List<Version>=\"1.0,1.1\", "
                + "osgi.ee; osgi.ee=\"JavaSE/compact1\"; version:List<Version>=\"" + compact + "\", "
                + "osgi.ee; osgi.ee=\"JavaSE/compact2\"; version:List<Version>=\"" + compact + "\", "
                + "osgi.ee; osgi.ee=\"JavaSE/compact3\"; version:List<Version>=\"" + compact + "\"";
    }

    private File resource(String name) throws URISyntaxException {
        return new File(KarafIT.class.getResource(name).toURI());
    }
}
