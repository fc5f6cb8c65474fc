package org.flowgate.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;

import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.junit.jupiter.api.Test;

class InstanceCommandsTest {
    /** ConfigAdmin over a list: factory configurations by (factory PID, name), listed by LDAP filter. */
    private static final class Store {
        final List<String[]> ids = new ArrayList<>();          // {factoryPid, name}
        final List<Dictionary<String, Object>> props = new ArrayList<>();

        ConfigurationAdmin admin() {
            return (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ConfigurationAdmin.class}, (p, m, a) -> switch (m.getName()) {
                case "getFactoryConfiguration" -> configuration((String) a[0], (String) a[1]);
                case "listConfigurations" -> list((String) a[0]);
                default -> throw new UnsupportedOperationException(m.getName());
            });
        }

        Configuration configuration(String factoryPid, String name) {
            return (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Configuration.class}, (p, m, a) -> {
                int i = indexOf(factoryPid, name);
                switch (m.getName()) {
                    case "update" -> {
                        @SuppressWarnings("unchecked") Dictionary<String, Object> d = (Dictionary<String, Object>) a[0];
                        d.put("service.factoryPid", factoryPid);
                        if (i < 0) { ids.add(new String[] {factoryPid, name}); props.add(d); } else props.set(i, d);
                        return null;
                    }
                    case "delete" -> { ids.remove(i); props.remove(i); return null; }
                    case "getFactoryPid" -> { return factoryPid; }
                    case "getProperties" -> { return i < 0 ? null : props.get(i); }
                    case "hashCode" -> { return System.identityHashCode(p); }
                    case "equals" -> { return p == a[0]; }
                    default -> throw new UnsupportedOperationException(m.getName());
                }
            });
        }

        int indexOf(String factoryPid, String name) {
            for (int i = 0; i < ids.size(); i++) if (ids.get(i)[0].equals(factoryPid) && ids.get(i)[1].equals(name)) return i;
            return -1;
        }

        Configuration[] list(String filter) throws Exception {
            Filter f = FrameworkUtil.createFilter(filter);
            List<Configuration> l = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) if (f.match(props.get(i))) l.add(configuration(ids.get(i)[0], ids.get(i)[1]));
            return l.isEmpty() ? null : l.toArray(new Configuration[0]);
        }
    }

    private final Store store = new Store();
    private final Instances instances = new Instances();
    private final InstanceCommands commands = new InstanceCommands(instances);

    InstanceCommandsTest() { commands.bindConfigAdmin(store.admin()); }

    @Test
    void addCreatesTheFourFactoryConfigurationsPointedAtTheInstance() throws Exception {
        assertNull(commands.instance("add", "blue"));
        assertEquals(4, store.ids.size());
        Dictionary<String, Object> router = store.props.get(store.indexOf("org.flowgate.router", "blue"));
        assertEquals("blue", router.get("flowgate.instance"));
        assertEquals("(&(!(flowgate.nic=*))(flowgate.instance=blue))", router.get("Port.target"));
        assertEquals("(flowgate.instance=blue)", router.get("Hook.target"));
        Dictionary<String, Object> nft = store.props.get(store.indexOf("org.flowgate.nft.instance", "blue"));
        assertEquals("(flowgate.instance=blue)", nft.get("ConnTracker.target"));
        assertEquals("(flowgate.instance=blue)", store.props.get(store.indexOf("org.flowgate.flowtable.instance", "blue")).get("devices.target"));
        assertEquals("(flowgate.instance=blue)", store.props.get(store.indexOf("org.flowgate.conntrack.instance", "blue")).get("Listener.target"));
    }

    @Test
    void addTwiceAndDelOfAnUnknownInstanceAreRefused() throws Exception {
        commands.instance("add", "blue");
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> commands.instance("add", "blue"));
        assertTrue(twice.getMessage().contains("instance blue exists"), twice.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> commands.instance("del", "red"));
        assertTrue(unknown.getMessage().contains("no instance red"), unknown.getMessage());
        assertEquals(4, store.ids.size());
    }

    @Test
    void delRemovesOnlyThatInstance() throws Exception {
        commands.instance("add", "blue");
        commands.instance("add", "red");
        assertNull(commands.instance("del", "blue"));
        assertEquals(4, store.ids.size());
        for (String[] id : store.ids) assertEquals("red", id[1]);
    }

    @Test
    void badNamesAndTheDefaultInstanceAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> commands.instance("add", "default"));
        assertThrows(IllegalArgumentException.class, () -> commands.instance("add", "a)(x=*"));
        assertThrows(IllegalArgumentException.class, () -> commands.instance("add"));
        assertThrows(IllegalArgumentException.class, () -> commands.instance("move", "blue"));
        assertTrue(store.ids.isEmpty());
    }

    @Test
    void instancesCountsEachInstanceOnItsOwn() throws Exception {
        Fakes.Devices blue = new Fakes.Devices();
        blue.add("eth0", 0x020000000001L);
        blue.add("eth1", 0x020000000002L);
        Fakes.Devices red = new Fakes.Devices();
        red.add("eth0", 0x020000000003L);
        instances.bindNetDevices(blue, Map.of("flowgate.instance", "blue"));
        instances.bindNetDevices(red, Map.of("flowgate.instance", "red"));
        instances.bindRoutingTable(new Fakes.Routes(), Map.of());
        commands.instance("add", "green");
        String out = commands.instances();
        String[] lines = out.split("\n");
        assertEquals("INSTANCE          DEVICES   ROUTES  CONNTRACK    FLOWS", lines[0]);
        assertEquals("blue                    2        -          -        -", lines[1]);
        assertEquals("default                 -        0          -        -", lines[2]);
        assertEquals("green                   -        -          -        -", lines[3]);
        assertEquals("red                     1        -          -        -", lines[4]);
        assertEquals(5, lines.length);
    }

    @Test
    void inRunsTheCommandAgainstThatInstanceOnly() throws Exception {
        Fakes.Devices blue = new Fakes.Devices();
        blue.add("eth0", 0x020000000001L);
        Fakes.Devices red = new Fakes.Devices();
        red.add("eth0", 0x020000000003L);
        instances.bindNetDevices(blue, Map.of("flowgate.instance", "blue"));
        instances.bindNetDevices(red, Map.of("flowgate.instance", "red"));
        assertNull(commands.in("red", "addr", "add", "eth0", "10.0.1.1/24"));
        assertEquals(List.of("addAddress eth0 10.0.1.1/24"), red.calls);
        assertTrue(blue.calls.isEmpty(), blue.calls.toString());
        String shown = commands.in("red", "interfaces", "eth0");
        assertTrue(shown.contains("inet 10.0.1.1/24"), shown);
        assertTrue(!commands.in("blue", "interfaces").contains("10.0.1.1"));
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> commands.in("green", "interfaces"));
        assertTrue(none.getMessage().contains("no routing instance green"), none.getMessage());
        assertThrows(IllegalArgumentException.class, () -> commands.in("red", "reboot"));
    }

    @Test
    void inNftListsAndExecutesOnThatInstancesRuleset() throws Exception {
        List<String> executed = new ArrayList<>();
        instances.bindRuleset(new org.flowgate.api.ruleset.Ruleset() {
            @Override public void load(String text, String source) { throw new UnsupportedOperationException(); }
            @Override public String list() { return "table ip blue {\n}\n"; }
            @Override public String execute(String text, String source) { executed.add(text); return ""; }
        }, Map.of("flowgate.instance", "blue"));
        assertEquals("table ip blue {\n}\n", commands.in("blue", "nft", "list", "ruleset"));
        commands.in("blue", "nft", "add", "table", "ip", "t");
        assertEquals(List.of("add table ip t"), executed);
        assertThrows(IllegalArgumentException.class, () -> commands.in("red", "nft", "list", "ruleset"));
    }
}
