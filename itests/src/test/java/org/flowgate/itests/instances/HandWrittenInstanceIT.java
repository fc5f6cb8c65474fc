package org.flowgate.itests.instances;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.function.BooleanSupplier;

import javax.inject.Inject;

import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.api.route.NeighbourTable;
import org.flowgate.api.route.Route;
import org.flowgate.api.route.RoutingTable;
import org.flowgate.api.ruleset.Ruleset;
import org.flowgate.itests.Await;
import org.flowgate.itests.Frames;
import org.flowgate.itests.InFelix;
import org.flowgate.itests.TestPort;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.SatisfiedReferenceDTO;
import org.osgi.framework.dto.ServiceReferenceDTO;

/**
 * A routing instance written by hand, as an operator writes {@code etc/*.cfg} files: each factory
 * configuration holds only the instance name (or not even that: the name after {@code ~}), no
 * {@code .target} line; its interfaces' addresses and its static routes are configurations too.
 * The instance routes, tracks and is administered with {@code -i <name>}, and every reference of
 * its components is bound to its own services only.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class HandWrittenInstanceIT extends InFelix {
    private static final long WAIT = 10_000;
    private static final String NAME = "violet";
    private static final MacAddress MAC0 = MacAddress.parse("02:00:00:77:01:01");
    private static final MacAddress MAC1 = MacAddress.parse("02:00:00:77:02:01");
    private static final MacAddress HOST0 = MacAddress.parse("02:00:00:77:01:02");
    private static final MacAddress GW1 = MacAddress.parse("02:00:00:77:02:05");
    private static final IpAddress H0 = IpAddress.parse("10.77.1.2");
    private static final IpAddress GW = IpAddress.parse("10.77.2.5");
    private static final IpAddress FAR = IpAddress.parse("10.9.3.4");

    @Inject ServiceComponentRuntime scr;

    @Test
    public void anInstanceOfNamesOnlyRoutesAndIsAdministeredByName() throws Exception {
        // etc/org.flowgate.router~violet.cfg: "flowgate.instance = violet", and so on; flowtable and nft without even that
        factory("org.flowgate.router", NAME, "flowgate.instance", NAME);
        factory("org.flowgate.conntrack.instance", NAME, "flowgate.instance", NAME);
        factory("org.flowgate.flowtable.instance", NAME);
        factory("org.flowgate.nft.instance", NAME);
        factory("org.flowgate.interface", "violet-eth0", "flowgate.instance", NAME, "name", "eth0", "addresses", "10.77.1.1/24");
        factory("org.flowgate.interface", "violet-eth1", "flowgate.instance", NAME, "name", "eth1", "addresses", "10.77.2.1/24");
        factory("org.flowgate.routes.instance", NAME, "flowgate.instance", NAME, "routes", "10.9.0.0/16 via 10.77.2.5");

        NetDevices devices = await(NetDevices.class, NAME);
        ConnTracker ct = await(ConnTracker.class, NAME);
        await(Ruleset.class, NAME);
        RoutingTable routes = await(RoutingTable.class, NAME);
        TestPort[] ports = {new TestPort("eth0", MAC0), new TestPort("eth1", MAC1)};
        attach(NAME, devices, ports);
        awaitTrue("the interface configurations reached violet's devices", () -> devices.byName("eth1").map(d -> d.addresses().contains(IpPrefix.parse("10.77.2.1/24"))).orElse(false));
        awaitTrue("violet has its static route", () -> hasRoute(routes, "10.9.0.0/16"));
        NetDevices defaults = await(NetDevices.class, "default");
        assertTrue("default's devices got none of violet's addresses: " + defaults.list().stream().map(d -> d.name() + " " + d.addresses()).toList(), defaults.list().stream().noneMatch(d -> d.addresses().contains(IpPrefix.parse("10.77.2.1/24"))));
        assertFalse("default has no such route", hasRoute(await(RoutingTable.class, "default"), "10.9.0.0/16"));

        await(NeighbourTable.class, NAME).addStatic(GW, "eth1", GW1);
        Path pcap = Files.createTempFile("violet-eth0", ".pcap");
        try {
            String started = String.valueOf(run("router:capture -i violet eth0 " + pcap + " 1"));
            assertTrue(started, started.contains("in instance violet"));
            ports[0].inject(Frames.udp4(MAC0, HOST0, H0, FAR, 64, 41000, 9999, new byte[20]));
            assertNotNull("violet routed the frame by its static route", ports[1].awaitSent(f -> Frames.isUdp4To(f, FAR, 9999), WAIT));
            assertEquals("violet's conntrack saw it", 1, ct.count());
            awaitTrue("the capture in violet took the frame", () -> String.valueOf(call("router:capture")).equals("no capture running\n"));
            assertTrue("a pcap header and one frame", Files.size(pcap) > 24 + 16 + 40);
        } finally {
            Files.deleteIfExists(pcap);
        }

        assertEquals(1, run("ct:count -i violet"));
        assertTrue("default's conntrack has none of it", String.valueOf(run("ct:list -s 10.77.1.2")).endsWith(" 0 flow entries have been shown."));
        assertTrue(String.valueOf(run("ct:list -i violet -p udp")).contains("dport=9999"));
        assertTrue(String.valueOf(run("flow:count --instance violet")).contains("total: 0"));
        assertTrue(String.valueOf(run("router:routes -i violet")).contains("10.9.0.0/16 via 10.77.2.5"));
        assertFalse(String.valueOf(run("router:routes")).contains("10.9.0.0/16"));
        String stats = String.valueOf(run("router:stats -i violet interface"));
        assertTrue(stats, stats.contains("interface eth0 (instance violet)") && stats.contains("rx_packets 1"));
        assertTrue(String.valueOf(run("router:in violet routes")).contains("10.9.0.0/16"));

        assertFails("no routing instance nope", "router:interfaces -i nope");
        assertFails("no conntrack in routing instance nope", "ct:list -i nope");
        assertFails("no flow tables in routing instance nope", "flow:list -i nope");
        assertFails("no routing instance nope", "router:stats -i nope");

        assertBoundToVioletOnly();
    }

    /**
     * FileInstall may hand {@code etc/} to ConfigAdmin before the shell bundle (and its plugin)
     * starts: the plugin then re-announces the configurations it completes, and the components
     * end up bound to their own instance all the same.
     */
    @Test
    public void configurationsReadBeforeThePluginStartedAreCompletedWhenItStarts() throws Exception {
        org.osgi.framework.Bundle shell = null;
        for (org.osgi.framework.Bundle b : context.getBundles()) if ("org.flowgate.shell".equals(b.getSymbolicName())) shell = b;
        assertNotNull("shell bundle installed", shell);
        int defaultHooks = context.getServiceReferences(org.flowgate.api.hook.PacketHook.class, "(flowgate.instance=default)").size();
        shell.stop();
        try {
            factory("org.flowgate.router", NAME);
            factory("org.flowgate.conntrack.instance", NAME);
            factory("org.flowgate.flowtable.instance", NAME);
            factory("org.flowgate.nft.instance", NAME);
            Thread.sleep(1000); // SCR reads them without the plugin
        } finally {
            shell.start();
        }
        await(Ruleset.class, NAME);
        await(org.flowgate.api.flowtable.FlowTableService.class, NAME);
        long deadline = System.currentTimeMillis() + WAIT;
        while (true) {
            try {
                assertBoundToVioletOnly();
                break;
            } catch (AssertionError notYet) {
                if (System.currentTimeMillis() > deadline) throw notYet;
                Thread.sleep(50);
            }
        }
        assertTrue("violet's conntrack and nft hooks are violet's",
                context.getServiceReferences(org.flowgate.api.hook.PacketHook.class, "(flowgate.instance=violet)").size() >= 8);
        assertEquals("the default instance has its own hooks only", defaultHooks,
                context.getServiceReferences(org.flowgate.api.hook.PacketHook.class, "(flowgate.instance=default)").size());
    }

    /** Every reference of violet's four components targets violet, and what it bound is violet's. */
    private void assertBoundToVioletOnly() {
        for (String component : List.of("org.flowgate.router", "org.flowgate.conntrack.instance", "org.flowgate.flowtable.instance", "org.flowgate.nft.instance")) {
            ComponentDescriptionDTO d = description(component);
            int configurations = 0;
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                if (!NAME.equals(c.properties.get("flowgate.instance"))) continue;
                configurations++;
                assertEquals(component + " of violet is active", ComponentConfigurationDTO.ACTIVE, c.state);
                for (SatisfiedReferenceDTO r : c.satisfiedReferences) {
                    if (r.name.equals("osgi.ds.satisfying.condition")) continue; // DS 1.5's implicit condition, framework-wide
                    assertTrue(component + "." + r.name + " target " + r.target, String.valueOf(r.target).contains("(flowgate.instance=violet)"));
                    for (ServiceReferenceDTO s : r.boundServices) {
                        assertEquals(component + "." + r.name + " bound to " + s.properties, NAME, s.properties.get("flowgate.instance"));
                    }
                }
            }
            assertEquals(component + ": one configuration for violet", 1, configurations);
        }
    }

    private static boolean hasRoute(RoutingTable t, String destination) {
        for (Route r : t.list()) if (r.destination().toString().equals(destination)) return true;
        return false;
    }

    private ComponentDescriptionDTO description(String name) {
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) if (d.name.equals(name)) return d;
        fail("no component " + name);
        return null;
    }

    private void assertFails(String message, String command) {
        try {
            run(command);
            fail(command + " should fail");
        } catch (Exception e) {
            assertTrue(command + ": " + e.getMessage(), String.valueOf(e.getMessage()).contains(message));
        }
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        if (!Await.until(condition, WAIT)) fail(what);
    }

    /** A named factory configuration with exactly these properties, as FileInstall makes one from {@code <pid>~<name>.cfg}. */
    private void factory(String pid, String name, String... keyValues) throws Exception {
        org.osgi.service.cm.Configuration c = configAdmin.getFactoryConfiguration(pid, name, "?");
        Dictionary<String, Object> props = new Hashtable<>();
        for (int i = 0; i < keyValues.length; i += 2) props.put(keyValues[i], keyValues[i + 1]);
        c.update(props);
        configurations.add(c);
    }

    private <T> T await(Class<T> type, String instance) throws Exception { return Await.service(context, type, instance, WAIT); }
}
