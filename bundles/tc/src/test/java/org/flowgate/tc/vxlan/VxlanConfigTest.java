package org.flowgate.tc.vxlan;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Proxy;
import java.util.Map;

import org.flowgate.api.net.IpAddress;
import org.junit.jupiter.api.Test;

/** The vxlan factory configuration as {@code ip link add ... type vxlan} reads it. */
class VxlanConfigTest {
    static VxlanConfig cfg(Map<String, Object> values) {
        return (VxlanConfig) Proxy.newProxyInstance(VxlanConfig.class.getClassLoader(), new Class<?>[] {VxlanConfig.class},
                (proxy, m, args) -> values.containsKey(m.getName()) ? values.get(m.getName()) : m.getDefaultValue());
    }

    @Test
    void withoutIdTheDeviceIsExternal() {
        VxlanConfig c = cfg(Map.of("name", "vxlan0"));
        assertNull(VxlanComponent.remote(c));
        assertEquals(1450, VxlanComponent.mtu(c, null));
    }

    @Test
    void idLocalAndRemoteMakeAFixedDevice() {
        VxlanConfig c = cfg(Map.of("name", "vx6", "id", 42, "local", "2001:db8::1", "remote", "2001:db8::2", "ttl", 9, "tos", 16));
        VxlanPort.Remote r = VxlanComponent.remote(c);
        assertEquals(42, r.vni());
        assertEquals(IpAddress.parse("2001:db8::1"), r.local());
        assertEquals(IpAddress.parse("2001:db8::2"), r.remote());
        assertEquals(9, r.ttl());
        assertEquals(16, r.tos());
        assertFalse(r.udpCsum());
        assertEquals(1430, VxlanComponent.mtu(c, r), "1500 minus 70 over IPv6");
        VxlanConfig v4 = cfg(Map.of("name", "vx4", "id", 7, "remote", "7.7.7.8", "mtu", 1400));
        assertEquals(1400, VxlanComponent.mtu(v4, VxlanComponent.remote(v4)));
    }

    @Test
    void inconsistentConfigurationsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> VxlanComponent.remote(cfg(Map.of("name", "a", "remote", "7.7.7.8"))),
                "remote without id");
        assertThrows(IllegalArgumentException.class, () -> VxlanComponent.remote(cfg(Map.of("name", "a", "id", 1))), "id without remote");
        assertThrows(IllegalArgumentException.class,
                () -> VxlanComponent.remote(cfg(Map.of("name", "a", "id", 1, "remote", "2001:db8::2", "local", "7.7.7.1"))), "mixed families");
        assertThrows(IllegalArgumentException.class, () -> VxlanComponent.remote(cfg(Map.of("name", "a", "id", 1 << 24, "remote", "7.7.7.8"))),
                "VNI wider than 24 bits");
    }
}
