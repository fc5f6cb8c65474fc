package org.flowgate.itests;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The built Karaf features file, read as Karaf reads it: features, their bundles and the
 * features they depend on. {@link #bundles} expands dependencies depth first, as
 * {@code feature:install} does; features not defined here ({@code scr}) are Karaf's own.
 */
final class FeaturesFile {
    record Feature(String name, List<String> bundles, List<String> features) {}

    final Map<String, Feature> features = new LinkedHashMap<>();

    FeaturesFile(File xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document doc = f.newDocumentBuilder().parse(xml);
        NodeList list = doc.getDocumentElement().getChildNodes();
        for (int i = 0; i < list.getLength(); i++) {
            if (!(list.item(i) instanceof Element e) || !e.getLocalName().equals("feature")) continue;
            List<String> bundles = new ArrayList<>(), deps = new ArrayList<>();
            for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
                if (!(c instanceof Element ce)) continue;
                if (ce.getLocalName().equals("bundle")) bundles.add(ce.getTextContent().trim());
                if (ce.getLocalName().equals("feature")) deps.add(ce.getTextContent().trim());
            }
            features.put(e.getAttribute("name"), new Feature(e.getAttribute("name"), bundles, deps));
        }
    }

    /** The features file the build attached (copied by maven-dependency-plugin), found by its system property. */
    static File built() {
        File dir = new File(System.getProperty("flowgate.itest.feature.bundles", "target/feature-bundles"));
        File[] xml = dir.listFiles((d, n) -> n.startsWith("flowgate-features-") && n.endsWith(".xml"));
        if (xml == null || xml.length != 1) throw new IllegalStateException("no flowgate-features-*.xml in " + dir);
        return xml[0];
    }

    /** Bundles a feature:install of {@code name} installs (dependencies first); Karaf's own features go to {@code external}. */
    List<String> bundles(String name, Set<String> external) {
        Set<String> out = new LinkedHashSet<>();
        collect(name, out, external, new LinkedHashSet<>());
        return List.copyOf(out);
    }

    private void collect(String name, Set<String> out, Set<String> external, Set<String> seen) {
        if (!seen.add(name)) return;
        Feature f = features.get(name);
        if (f == null) { external.add(name); return; }
        for (String d : f.features) collect(d, out, external, seen);
        out.addAll(f.bundles);
    }

    /** {@code mvn:org.flowgate/org.flowgate.api/0.1.0-SNAPSHOT} -> the copied jar {@code org.flowgate.api-0.1.0-SNAPSHOT.jar}. */
    static File jar(String mvnUrl) {
        String[] gav = mvnUrl.substring("mvn:".length()).split("/");
        File dir = new File(System.getProperty("flowgate.itest.feature.bundles", "target/feature-bundles"));
        return new File(dir, gav[1] + "-" + gav[2] + ".jar");
    }
}
