package org.flowgate.packet.config;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.annotation.Annotation;
import java.util.List;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.packet.FakePort;
import org.flowgate.packet.device.Device;
import org.flowgate.packet.router.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ConfigAdmin components driven as SCR would drive them, without a framework. */
class ConfigComponentsTest {
    final Router router = new Router();

    @AfterEach
    void close() { router.close(); }

    record Iface(String name, String[] addresses, int mtu, boolean up) implements InterfaceConfig {
        @Override public Class<? extends Annotation> annotationType() { return InterfaceConfig.class; }
    }

    record Routes(String[] routes) implements RoutesConfig {
        @Override public Class<? extends Annotation> annotationType() { return RoutesConfig.class; }
    }

    InterfaceConfigComponent iface(Iface c) {
        InterfaceConfigComponent comp = new InterfaceConfigComponent();
        comp.devices = router.devices();
        comp.apply(c);
        return comp;
    }

    @Test
    void interfaceConfigurationBeforeAndAfterThePort() {
        InterfaceConfigComponent c = iface(new Iface("eth0", new String[] {"10.0.1.1/24", "fd00:1::1/64", "bad/99"}, 1400, true));
        Device d = router.attach(new FakePort("eth0", 0x0200_0000_0001L, 1500));
        assertEquals(1400, d.mtu());
        assertTrue(d.addresses().contains(IpPrefix.parse("10.0.1.1/24")));
        assertTrue(d.addresses().contains(IpPrefix.parse("fd00:1::1/64")));
        assertTrue(d.addresses().contains(IpPrefix.parse("fe80::ff:fe00:1/64")), "EUI-64 link-local");
        assertEquals(3, d.addresses().size(), "the bad address is skipped");
        assertNotNull(router.routes().lookup(IpAddress.parse("10.0.1.50")));

        router.devices().addAddress("eth0", IpPrefix.parse("10.0.9.1/24")); // by API
        c.apply(new Iface("eth0", new String[] {"10.0.2.1/24"}, 0, true));
        assertEquals(1500, d.mtu(), "mtu 0: the port's");
        assertFalse(d.addresses().contains(IpPrefix.parse("10.0.1.1/24")));
        assertTrue(d.addresses().contains(IpPrefix.parse("10.0.2.1/24")));
        assertTrue(d.addresses().contains(IpPrefix.parse("10.0.9.1/24")), "API address untouched by configuration");
        c.withdraw();
        assertFalse(d.addresses().contains(IpPrefix.parse("10.0.2.1/24")));
        assertTrue(d.addresses().contains(IpPrefix.parse("10.0.9.1/24")));

        iface(new Iface("eth0", new String[0], 0, false));
        assertFalse(d.isUp());
    }

    @Test
    void routesConfiguration() {
        iface(new Iface("eth0", new String[] {"10.0.1.1/24"}, 0, true));
        router.attach(new FakePort("eth0", 0x0200_0000_0001L, 1500));
        RoutesConfigComponent r = new RoutesConfigComponent();
        r.table = router.routes();
        r.apply(new Routes(new String[] {"10.9.0.0/16 via 10.0.1.5", "default via 10.0.1.254 metric 100", "nonsense"}));
        assertEquals(IpAddress.parse("10.0.1.5"), router.routes().lookup(IpAddress.parse("10.9.1.1")).gateway());
        assertEquals(IpAddress.parse("10.0.1.254"), router.routes().lookup(IpAddress.parse("1.1.1.1")).gateway());
        r.apply(new Routes(new String[] {"default via 10.0.1.253, 10.8.0.0/16 via 10.0.1.6"}));
        assertEquals(IpAddress.parse("10.0.1.253"), router.routes().lookup(IpAddress.parse("10.9.1.1")).gateway());
        assertEquals(IpAddress.parse("10.0.1.6"), router.routes().lookup(IpAddress.parse("10.8.1.1")).gateway());
        r.withdraw();
        assertNull(router.routes().lookup(IpAddress.parse("1.1.1.1")));
        assertEquals(List.of(), router.routes().list().stream().filter(x -> x.type() == org.flowgate.api.route.Route.Type.STATIC).toList());
    }
}
