package org.flowgate.packet.config;

import java.util.ArrayList;
import java.util.List;

import org.flowgate.api.instance.RoutingInstance;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.packet.device.DeviceTable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code org.flowgate.interface} factory configuration: the addresses, MTU and admin state of
 * one device. The device may appear later; withdrawing the configuration withdraws its addresses.
 */
@Component(configurationPid = InterfaceConfigComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = InterfaceConfig.class, factory = true)
public class InterfaceConfigComponent {
    public static final String PID = "org.flowgate.interface";
    private static final Logger LOG = LoggerFactory.getLogger(InterfaceConfigComponent.class);

    @Reference(target = RoutingInstance.DEFAULT_FILTER)
    NetDevices devices;

    private String name;

    @Activate
    @Modified
    void apply(InterfaceConfig c) {
        String newName = c.name() == null ? "" : c.name().trim();
        if (name != null && !name.equals(newName)) withdraw();
        if (newName.isEmpty()) { LOG.error("{} configuration without a name ignored", PID); return; }
        name = newName;
        List<IpPrefix> addrs = parse(c.addresses());
        Integer mtu = c.mtu() > 0 ? c.mtu() : null;
        if (devices instanceof DeviceTable table) {
            table.configure(name, this, addrs, mtu, c.up());
        } else {
            for (IpPrefix p : addrs) devices.addAddress(name, p);
            if (mtu != null) devices.setMtu(name, mtu);
            devices.setUp(name, c.up());
        }
        LOG.info("interface {} configured: addresses {} mtu {} up {}", name, addrs, mtu == null ? "port" : mtu, c.up());
    }

    @Deactivate
    void withdraw() {
        if (name == null) return;
        if (devices instanceof DeviceTable table) table.configure(name, this, null, null, null);
        name = null;
    }

    static List<IpPrefix> parse(String[] addresses) {
        List<IpPrefix> l = new ArrayList<>();
        if (addresses == null) return l;
        for (String a : addresses) {
            if (a == null || a.isBlank()) continue;
            for (String part : a.split(",")) {
                if (part.isBlank()) continue;
                try {
                    l.add(IpPrefix.parse(part.trim()));
                } catch (IllegalArgumentException e) {
                    LOG.error("bad interface address '{}': {}", part.trim(), e.getMessage());
                }
            }
        }
        return l;
    }
}
