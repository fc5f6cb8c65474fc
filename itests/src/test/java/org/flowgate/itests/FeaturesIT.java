package org.flowgate.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * What {@code feature:install flowgate-core} does in Karaf, done in Felix on Java 25 (no Karaf 4.4
 * runs on Java 25, see the README): the runtime services only at start (SCR, ConfigAdmin,
 * metatype, Gogo, SLF4J, as Karaf provides them), then the bundles of the features file's
 * {@code flowgate-core} closure installed and started; the services and commands must appear.
 * Then {@code flowgate-io-virtual} and each driver feature on top.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class FeaturesIT {
    private static final long WAIT = 15_000;

    @Inject BundleContext context;
    @Inject CommandProcessor gogo;

    @Configuration
    public Option[] config() {
        return FlowgateBundles.options(false);
    }

    @Test
    public void flowgateCoreInstallsAndRegistersItsServicesAndCommands() throws Exception {
        assertTrue("no Flowgate bundle before the feature install", flowgateBundles().isEmpty());
        FeaturesFile features = new FeaturesFile(FeaturesFile.built());
        List<Bundle> core = install(features, "flowgate-core");
        for (Bundle b : core) assertEquals(b.getSymbolicName() + " active", Bundle.ACTIVE, b.getState());

        for (String service : List.of("org.flowgate.api.netdev.NetDevices", "org.flowgate.api.route.RoutingTable",
                "org.flowgate.api.route.NeighbourTable", "org.flowgate.api.conntrack.ConnTracker", "org.flowgate.api.ruleset.Ruleset",
                "org.flowgate.api.flowtable.FlowTableService", "org.flowgate.api.tc.TcService")) {
            assertNotNull(service + " registered", await(service, null));
        }
        for (String scope : List.of("router", "ct", "nft", "flow", "tc", "offload")) {
            assertNotNull("commands of scope " + scope, await(null, "(osgi.command.scope=" + scope + ")"));
        }
        Set<String> router = functions("router");
        assertTrue("router functions: " + router, router.containsAll(List.of("interfaces", "routes", "neigh", "stats", "capture")));
        String stats = String.valueOf(run("router:stats"));
        assertTrue(stats, stats.contains("conntrack conntrack:") && stats.contains("hook prerouting:"));
        assertTrue("conntrack's hooks listed: " + stats, stats.contains("runs: "));
    }

    @Test
    public void ioAndDriverFeaturesInstallOnTopOfCore() throws Exception {
        FeaturesFile features = new FeaturesFile(FeaturesFile.built());
        install(features, "flowgate-io-virtual");
        assertNotNull("virtual port commands", await(null, "(osgi.command.function=hosts)"));
        for (String f : features.features.keySet()) {
            if (!f.startsWith("flowgate-driver-")) continue;
            for (Bundle b : install(features, f)) assertEquals(f + ": " + b.getSymbolicName() + " active", Bundle.ACTIVE, b.getState());
        }
        assertTrue(flowgateBundles().contains("org.flowgate.driver.emulated"));
    }

    /** Installs the feature's bundles not installed yet, then starts them, as Karaf's feature:install. */
    private List<Bundle> install(FeaturesFile features, String feature) throws Exception {
        Set<String> external = new TreeSet<>();
        List<String> urls = features.bundles(feature, external);
        for (String k : external) assertTrue("Karaf feature " + k + " stands in the test runtime", karafFeaturePresent(k));
        List<Bundle> installed = new ArrayList<>();
        for (String url : urls) {
            File jar = FeaturesFile.jar(url);
            assertTrue(url + " -> " + jar, jar.isFile());
            Bundle b = context.installBundle(jar.toURI().toString());
            installed.add(b);
        }
        for (Bundle b : installed) if (b.getHeaders().get("Fragment-Host") == null) b.start();
        return installed;
    }

    private boolean karafFeaturePresent(String feature) {
        String bsn = switch (feature) {
            case "scr" -> "org.apache.felix.scr";
            default -> null;
        };
        if (bsn == null) return false;
        for (Bundle b : context.getBundles()) if (bsn.equals(b.getSymbolicName()) && b.getState() == Bundle.ACTIVE) return true;
        return false;
    }

    private Set<String> flowgateBundles() {
        Set<String> s = new TreeSet<>();
        for (Bundle b : context.getBundles()) if (b.getSymbolicName() != null && b.getSymbolicName().startsWith("org.flowgate.")) s.add(b.getSymbolicName());
        return s;
    }

    private ServiceReference<?> await(String clazz, String filter) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT;
        while (true) {
            ServiceReference<?>[] refs = context.getServiceReferences(clazz, filter);
            if (refs != null && refs.length > 0) return refs[0];
            if (System.currentTimeMillis() > deadline) return null;
            Thread.sleep(50);
        }
    }

    private Set<String> functions(String scope) throws Exception {
        Set<String> functions = new TreeSet<>();
        for (ServiceReference<?> r : context.getServiceReferences((String) null, "(osgi.command.scope=" + scope + ")")) {
            Object f = r.getProperty("osgi.command.function");
            if (f instanceof String[] a) functions.addAll(List.of(a));
            else if (f != null) functions.add(f.toString());
        }
        return functions;
    }

    private Object run(String command) throws Exception { return Gogo.run(gogo, command); }
}
