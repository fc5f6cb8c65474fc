package org.flowgate.io.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.Dictionary;
import java.util.Map;

import org.flowgate.api.netdev.Port;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/** The DS component without a framework: configuration in, one Port service with its properties out. */
class AfPacketPortComponentTest {
    Dictionary<String, ?> registeredProps;
    Object registeredService;
    boolean unregistered;

    @Test
    void missingInterfaceFailsActivationWithoutRegistering() {
        AfPacketPortComponent c = new AfPacketPortComponent();
        IOException e = assertThrows(IOException.class, () -> c.activate(context(), config(Map.of("interface", "fgafnothere"))));
        assertTrue(e.getMessage().contains("fgafnothere"), e.getMessage());
        assertNull(registeredService);
        c.deactivate();
    }

    @Test
    void registersOnePortNamedByConfiguration() throws Exception {
        assumeTrue(Netns.isRoot() && Netns.hasIp(), "skipped: needs root and iproute2 for a veth pair");
        Netns.run(false, "ip", "link", "del", "fgafc");
        Netns.run(true, "ip", "link", "add", "fgafc", "type", "veth", "peer", "name", "fgafd");
        try {
            AfPacketPortComponent c = new AfPacketPortComponent();
            c.activate(context(), config(Map.of("interface", "fgafc", "name", "wan0", "rxBlockSize", 1 << 16, "rxBlockCount", 4)));
            assertEquals("wan0", registeredProps.get(Port.NAME));
            assertEquals("fgafc", registeredProps.get(AfPacketPortComponent.INTERFACE));
            assertEquals("default", registeredProps.get("flowgate.instance"));
            Port port = (Port) registeredService;
            assertEquals("wan0", port.name());
            assertEquals(Netns.sys("fgafc", "address"), port.mac().toString());
            c.deactivate();
            assertTrue(unregistered);
            assertTrue(!port.send(new org.flowgate.api.packet.Packet()), "a closed port refuses frames");

            AfPacketPortComponent d = new AfPacketPortComponent();
            d.activate(context(), config(Map.of("interface", "fgafd")));
            assertEquals("fgafd", registeredProps.get(Port.NAME), "name defaults to the interface");
            d.deactivate();
        } finally {
            Netns.run(false, "ip", "link", "del", "fgafc");
        }
    }

    AfPacketPortConfig config(Map<String, Object> values) {
        return (AfPacketPortConfig) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {AfPacketPortConfig.class},
                (proxy, m, args) -> {
                    String key = m.getName().equals("interface$") ? "interface" : m.getName();
                    Object v = values.get(key);
                    return v != null ? v : m.getDefaultValue();
                });
    }

    @SuppressWarnings("unchecked")
    BundleContext context() {
        ServiceRegistration<Port> reg = (ServiceRegistration<Port>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ServiceRegistration.class}, (proxy, m, args) -> {
                    if (m.getName().equals("unregister")) unregistered = true;
                    return null;
                });
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, m, args) -> {
                    if (m.getName().equals("registerService")) {
                        registeredService = args[1];
                        registeredProps = (Dictionary<String, ?>) args[2];
                        return reg;
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
    }
}
