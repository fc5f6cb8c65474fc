package org.flowgate.itests.instances;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.Dictionary;
import java.util.Hashtable;

import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.api.netdev.Port;
import org.flowgate.api.route.NeighbourTable;
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
import org.osgi.framework.InvalidSyntaxException;

/**
 * Two routing instances, blue and red, made by factory configurations only, with the same
 * interface names and the same overlapping addresses: each routes its own frames, and neither
 * sees the other's connections or ruleset.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class InstancesIT extends InFelix {
    private static final long WAIT = 10_000;
    private static final MacAddress MAC0 = MacAddress.parse("02:00:00:88:01:01");
    private static final MacAddress MAC1 = MacAddress.parse("02:00:00:88:02:01");
    private static final MacAddress HOST0 = MacAddress.parse("02:00:00:88:01:02");
    private static final MacAddress HOST1 = MacAddress.parse("02:00:00:88:02:02");
    private static final IpAddress H0 = IpAddress.parse("10.0.1.2");
    private static final IpAddress H1 = IpAddress.parse("10.0.2.2");

    @Test
    public void blueAndRedRouteTheSameAddressesIndependently() throws Exception {
        create("blue");
        create("red");
        TestPort[] blue = ports("blue");
        TestPort[] red = ports("red");
        Ruleset blueRules = await(Ruleset.class, "blue");
        Ruleset redRules = await(Ruleset.class, "red");
        ConnTracker blueCt = await(ConnTracker.class, "blue");
        ConnTracker redCt = await(ConnTracker.class, "red");

        byte[] frame = Frames.udp4(MAC0, HOST0, H0, H1, 64, 40000, 9999, new byte[20]);
        blue[0].inject(frame);
        assertNotNull("blue routed its frame", blue[1].awaitSent(f -> Frames.isUdp4To(f, H1, 9999), WAIT));
        assertEquals("blue tracks the connection", 1, blueCt.count());
        assertEquals("red tracks nothing", 0, redCt.count());
        assertTrue("red sent nothing", red[1].sent().isEmpty());

        blueRules.load("table ip filter {\n chain f {\n  type filter hook forward priority 0; policy drop;\n }\n}\n", "itest");
        assertTrue("blue's ruleset", blueRules.list().contains("policy drop"));
        assertTrue("red's ruleset is empty: " + redRules.list(), !redRules.list().contains("filter"));

        red[0].inject(Frames.udp4(MAC0, HOST0, H0, H1, 64, 40001, 9999, new byte[20]));
        assertNotNull("red routes although blue drops", red[1].awaitSent(f -> Frames.isUdp4To(f, H1, 9999), WAIT));
        assertEquals("red tracks its own connection", 1, redCt.count());
        assertNull("red's conntrack does not have blue's connection",
                redCt.list().stream().filter(e -> e.toString().contains("40000")).findAny().orElse(null));

        int before = blue[1].sent().size();
        blue[0].inject(Frames.udp4(MAC0, HOST0, H0, H1, 64, 40002, 9999, new byte[20]));
        assertNull("blue's forward chain drops", blue[1].awaitSent(f -> f.length > 0 && blue[1].sent().size() > before, 500));
        assertEquals("red still has one connection", 1, redCt.count());
    }

    @Test
    public void instanceCommandsCreateListAndDeleteInstances() throws Exception {
        assertEquals(null, run("router:instance add green"));
        TestPort[] green = ports("green");
        await(org.flowgate.api.flowtable.FlowTableService.class, "green"); // its configuration may be read last: the FLOWS column needs it
        green[0].inject(Frames.udp4(MAC0, HOST0, H0, H1, 64, 40000, 9999, new byte[20]));
        assertNotNull("green routed its frame", green[1].awaitSent(f -> Frames.isUdp4To(f, H1, 9999), WAIT));
        String listed = String.valueOf(run("router:instances"));
        assertTrue(listed, listed.lines().anyMatch(l -> l.matches("green +2 +[0-9]+ +1 +0")));
        assertTrue(listed, listed.lines().anyMatch(l -> l.startsWith("default ")));
        String greenRoutes = String.valueOf(run("router:in green routes"));
        assertTrue(greenRoutes, greenRoutes.contains("10.0.2.0/24 dev eth1"));
        assertTrue("default has no eth1 route", !String.valueOf(run("router:routes")).contains("10.0.2.0/24 dev eth1"));
        run("router:in green nft \"add table ip gt\"");
        assertTrue(String.valueOf(run("router:in green nft list ruleset")).contains("table ip gt"));
        assertTrue("default ruleset untouched", !String.valueOf(run("nft:nft list ruleset")).contains("table ip gt"));

        assertEquals(null, run("router:instance del green"));
        assertTrue("green's router is gone", Await.until(() -> registered(NetDevices.class, "green") == 0, WAIT));
        assertTrue("green's conntrack is gone", context.getServiceReferences(ConnTracker.class, "(flowgate.instance=green)").isEmpty());
        assertTrue(String.valueOf(run("router:instances")), !String.valueOf(run("router:instances")).contains("green"));
    }

    /** The four factory configurations of one instance, as router:instance add writes them. */
    private void create(String name) throws Exception {
        String own = "(flowgate.instance=" + name + ")";
        factory("org.flowgate.router", name, "Port.target", "(&(!(flowgate.nic=*))" + own + ")", "Hook.target", own, "Tap.target", own);
        factory("org.flowgate.conntrack.instance", name, "Listener.target", own);
        factory("org.flowgate.flowtable.instance", name, "conntrack.target", own, "routes.target", own,
                "neighbours.target", own, "devices.target", own, "Listener.target", own);
        factory("org.flowgate.nft.instance", name, "ConnTracker.target", own, "LocalOutput.target", own, "FlowTableService.target", own);
    }

    private void factory(String pid, String name, String... keyValues) throws Exception {
        org.osgi.service.cm.Configuration c = configAdmin.getFactoryConfiguration(pid, name, "?");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("flowgate.instance", name);
        for (int i = 0; i < keyValues.length; i += 2) props.put(keyValues[i], keyValues[i + 1]);
        c.update(props);
        configurations.add(c);
    }

    /** eth0 10.0.1.1/24 and eth1 10.0.2.1/24 in the instance, with one static neighbour each. */
    private TestPort[] ports(String instance) throws Exception {
        NetDevices devices = await(NetDevices.class, instance);
        NeighbourTable neighbours = await(NeighbourTable.class, instance);
        TestPort[] ports = {new TestPort("eth0", MAC0), new TestPort("eth1", MAC1)};
        attach(instance, devices, ports);
        devices.addAddress("eth0", IpPrefix.parse("10.0.1.1/24"));
        devices.addAddress("eth1", IpPrefix.parse("10.0.2.1/24"));
        neighbours.addStatic(H0, "eth0", HOST0);
        neighbours.addStatic(H1, "eth1", HOST1);
        return ports;
    }

    private <T> T await(Class<T> type, String instance) throws Exception { return Await.service(context, type, instance, WAIT); }

    /** How many services of {@code type} routing instance {@code instance} has registered now. */
    private int registered(Class<?> type, String instance) {
        try {
            return context.getServiceReferences(type, "(flowgate.instance=" + instance + ")").size();
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
