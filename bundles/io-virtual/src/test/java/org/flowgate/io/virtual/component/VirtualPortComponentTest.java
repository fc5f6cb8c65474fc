package org.flowgate.io.virtual.component;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;

import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.Port;
import org.flowgate.io.virtual.port.VirtualPort;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

class VirtualPortComponentTest {
    final List<Object[]> registrations = new ArrayList<>();
    boolean unregistered;

    BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class}, (p, m, a) -> {
            assertEquals("registerService", m.getName());
            registrations.add(a);
            return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ServiceRegistration.class}, (p2, m2, a2) -> {
                assertEquals("unregister", m2.getName());
                unregistered = true;
                return null;
            });
        });
    }

    static VirtualPortConfig config(Map<String, Object> values) {
        return (VirtualPortConfig) Proxy.newProxyInstance(VirtualPortConfig.class.getClassLoader(), new Class<?>[] {VirtualPortConfig.class},
                (p, m, a) -> values.containsKey(m.getName()) ? values.get(m.getName()) : m.getDefaultValue());
    }

    @Test
    void registersAConfiguredPortWithItsName() {
        VirtualPortComponent c = new VirtualPortComponent();
        c.activate(config(Map.of("name", "v7", "mac", "02:aa:bb:cc:dd:ee", "mtu", 9000, "threaded", false)), context());
        assertEquals(1, registrations.size());
        assertEquals(Port.class, registrations.get(0)[0]);
        Port port = (Port) registrations.get(0)[1];
        @SuppressWarnings("unchecked")
        Dictionary<String, Object> props = (Dictionary<String, Object>) registrations.get(0)[2];
        assertEquals("v7", props.get(Port.NAME));
        assertEquals("default", props.get("flowgate.instance"));
        assertEquals("v7", port.name());
        assertEquals(MacAddress.parse("02:aa:bb:cc:dd:ee"), port.mac());
        assertEquals(9000, port.mtu());
        assertEquals(VirtualPort.Mode.SYNCHRONOUS, c.port().mode());
        c.deactivate();
        assertTrue(unregistered);
    }

    @Test
    void theInstancePropertyIsTheTrimmedNameOrDefault() {
        assertEquals("blue", VirtualPortComponent.properties("v1", " blue ").get("flowgate.instance"));
        assertEquals("default", VirtualPortComponent.properties("v1", " ").get("flowgate.instance"));
        assertEquals("default", VirtualPortComponent.properties("v1", null).get("flowgate.instance"));
    }

    @Test
    void derivedMacIsStableLocallyAdministeredUnicast() {
        VirtualPortComponent c = new VirtualPortComponent();
        c.activate(config(Map.of("name", "lab0")), context());
        MacAddress mac = ((Port) registrations.get(0)[1]).mac();
        assertEquals(VirtualPortComponent.macFor("lab0"), mac);
        assertNotEquals(VirtualPortComponent.macFor("lab1"), mac);
        assertEquals(0x02, mac.bits() >>> 40, "locally administered, unicast");
        assertEquals(VirtualPort.Mode.THREADED, c.port().mode());
        c.deactivate();
    }

    @Test
    void rejectsABadMtu() {
        assertThrows(IllegalArgumentException.class,
                () -> new VirtualPortComponent().activate(config(Map.of("name", "x", "mtu", 20)), context()));
    }
}
