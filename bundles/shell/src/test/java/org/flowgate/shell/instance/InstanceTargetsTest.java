package org.flowgate.shell.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Dictionary;
import java.util.Hashtable;

import org.junit.jupiter.api.Test;

/** What the plugin adds to a hand-written instance configuration, and what it leaves alone. */
class InstanceTargetsTest {
    private static Dictionary<String, Object> config(String factoryPid, String pid, String... keyValues) {
        Dictionary<String, Object> d = new Hashtable<>();
        d.put("service.factoryPid", factoryPid);
        d.put("service.pid", pid);
        for (int i = 0; i < keyValues.length; i += 2) d.put(keyValues[i], keyValues[i + 1]);
        return d;
    }

    @Test
    void aConfigurationWithOnlyTheInstanceNameGetsEveryTarget() {
        Dictionary<String, Object> d = config("org.flowgate.flowtable.instance", "org.flowgate.flowtable.instance~x", "flowgate.instance", "blue");
        assertTrue(InstanceTargets.complete(d));
        for (String r : new String[] {"conntrack", "routes", "neighbours", "devices", "Listener"}) {
            assertEquals("(flowgate.instance=blue)", d.get(r + ".target"), r);
        }
        Dictionary<String, Object> router = config("org.flowgate.router", "org.flowgate.router~blue", "flowgate.instance", "blue");
        InstanceTargets.complete(router);
        assertEquals("(&(!(flowgate.nic=*))(flowgate.instance=blue))", router.get("Port.target"));
        assertEquals("(flowgate.instance=blue)", router.get("Tap.target"));
        Dictionary<String, Object> routes = config("org.flowgate.routes.instance", "org.flowgate.routes.instance~b", "flowgate.instance", "blue");
        InstanceTargets.complete(routes);
        assertEquals("(flowgate.instance=blue)", routes.get("table.target"));
    }

    @Test
    void theInstanceNameComesFromTheConfigurationNameWhenAbsent() {
        Dictionary<String, Object> d = config("org.flowgate.nft.instance", "org.flowgate.nft.instance~red");
        assertTrue(InstanceTargets.complete(d));
        assertEquals("red", d.get("flowgate.instance"));
        assertEquals("(flowgate.instance=red)", d.get("FlowTableService.target"));
        Dictionary<String, Object> generated = config("org.flowgate.nft.instance", "org.flowgate.nft.instance.1f2e-33");
        assertFalse(InstanceTargets.complete(generated), "no name to take");
        assertNull(generated.get("flowgate.instance"));
    }

    @Test
    void targetsWrittenByHandAndOtherConfigurationsAreKept() {
        Dictionary<String, Object> d = config("org.flowgate.conntrack.instance", "org.flowgate.conntrack.instance~b", "flowgate.instance", "blue",
                "Listener.target", "(&(flowgate.instance=blue)(kind=x))");
        assertFalse(InstanceTargets.complete(d));
        assertEquals("(&(flowgate.instance=blue)(kind=x))", d.get("Listener.target"));
        Dictionary<String, Object> iface = config("org.flowgate.interface", "org.flowgate.interface~eth0", "name", "eth0");
        assertFalse(InstanceTargets.complete(iface), "an interface of the default instance stays as written");
        Dictionary<String, Object> blueIface = config("org.flowgate.interface", "org.flowgate.interface~b0", "name", "eth0", "flowgate.instance", "blue");
        assertTrue(InstanceTargets.complete(blueIface));
        assertEquals("(flowgate.instance=blue)", blueIface.get("devices.target"));
        Dictionary<String, Object> other = config("org.flowgate.io.afpacket", "org.flowgate.io.afpacket~p", "flowgate.instance", "blue");
        assertFalse(InstanceTargets.complete(other));
        Dictionary<String, Object> evil = config("org.flowgate.router", "org.flowgate.router~e", "flowgate.instance", "a)(x=*");
        assertFalse(InstanceTargets.complete(evil), "a name that would break the filter is not used");
        assertNull(evil.get("Port.target"));
    }

    @Test
    void aBlankInstanceIsTakenFromTheNameAndANamedOneIsTrimmed() {
        Dictionary<String, Object> blank = config("org.flowgate.router", "org.flowgate.router~green", "flowgate.instance", "  ");
        assertTrue(InstanceTargets.complete(blank));
        assertEquals("green", blank.get("flowgate.instance"));
        assertEquals("(flowgate.instance=green)", blank.get("Hook.target"));
        Dictionary<String, Object> padded = config("org.flowgate.conntrack.instance", "org.flowgate.conntrack.instance~p", "flowgate.instance", " blue ");
        assertTrue(InstanceTargets.complete(padded));
        assertEquals("(flowgate.instance=blue)", padded.get("Listener.target"));
    }
}
