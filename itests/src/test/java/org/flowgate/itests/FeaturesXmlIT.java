package org.flowgate.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;

import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;

import org.junit.jupiter.api.Test;

/**
 * The features file without a Karaf: valid against Karaf's features schema 1.6.0, every bundle it
 * names is a built OSGi bundle, every built Flowgate bundle is in a feature, and the feature
 * closure of {@code flowgate-core} needs from Karaf only its {@code scr} feature.
 */
class FeaturesXmlIT {
    @Test
    void validAgainstKarafsFeaturesSchema() throws Exception {
        var xsd = getClass().getClassLoader().getResource("org/apache/karaf/features/karaf-features-1.6.0.xsd");
        assertTrue(xsd != null, "Karaf's schema on the test class path");
        SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI).newSchema(xsd).newValidator()
                .validate(new StreamSource(FeaturesFile.built()));
    }

    @Test
    void everyBundleNamedIsBuiltAndEveryFlowgateBundleHasAFeature() throws Exception {
        FeaturesFile f = new FeaturesFile(FeaturesFile.built());
        Set<String> named = new HashSet<>();
        for (FeaturesFile.Feature feature : f.features.values()) {
            for (String b : feature.bundles()) {
                File jar = FeaturesFile.jar(b);
                assertTrue(jar.isFile(), b + " -> " + jar);
                try (JarFile j = new JarFile(jar)) {
                    String bsn = j.getManifest().getMainAttributes().getValue("Bundle-SymbolicName");
                    assertTrue(bsn != null, jar + " is an OSGi bundle");
                    named.add(bsn);
                }
            }
        }
        Set<String> built = new TreeSet<>();
        for (File jar : new File(System.getProperty("flowgate.itest.feature.bundles")).listFiles((d, n) -> n.endsWith(".jar"))) {
            try (JarFile j = new JarFile(jar)) { built.add(j.getManifest().getMainAttributes().getValue("Bundle-SymbolicName")); }
        }
        built.removeAll(named);
        assertEquals(Set.of(), built, "built Flowgate bundles in no feature");
    }

    @Test
    void coreFeatureClosure() throws Exception {
        FeaturesFile f = new FeaturesFile(FeaturesFile.built());
        Set<String> external = new TreeSet<>();
        List<String> core = f.bundles("flowgate-core", external);
        assertEquals(Set.of("scr"), external);
        assertEquals("mvn:org.flowgate/org.flowgate.api/" + version(core.get(0)), core.get(0), "the API first");
        for (String a : List.of("packet", "conntrack", "nft", "flowtable", "tc", "offload.manager", "shell")) {
            assertTrue(core.stream().anyMatch(b -> b.contains("/org.flowgate." + a + "/")), a + " in flowgate-core: " + core);
        }
        for (String feature : f.features.keySet()) {
            if (feature.startsWith("flowgate-driver-") || feature.startsWith("flowgate-io-")) {
                assertTrue(f.features.get(feature).features().contains("flowgate-core"), feature + " pulls in flowgate-core");
            }
        }
    }

    private static String version(String mvnUrl) { return mvnUrl.substring(mvnUrl.lastIndexOf('/') + 1); }
}
