package org.flowgate.shell.commands;

import org.apache.felix.service.command.Descriptor;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.netdev.NetDevices;

/** {@code router:interfaces}, {@code router:addr}, {@code router:link} on one instance's devices ({@link RouterCommands} picks the instance). */
public class InterfaceCommands {
    private final NetDevices devices;

    public InterfaceCommands(NetDevices devices) {
        this.devices = devices;
    }

    @Descriptor("list the interfaces with state, MAC, MTU, addresses and counters (drops by reason)")
    public String interfaces() {
        return Formats.devices(devices.list());
    }

    @Descriptor("show one interface")
    public String interfaces(@Descriptor("device name") String name) {
        return Formats.device(devices.byName(name)
                .orElseThrow(() -> new IllegalArgumentException("interfaces: cannot find device \"" + name + "\"")));
    }

    @Descriptor("add or delete an interface address: addr add|del <dev> <address/prefix-length>")
    public String addr(@Descriptor("add|del <dev> <address/prefix-length>, e.g. add eth1 10.0.1.1/24") String... words) {
        Args a = new Args("addr", words);
        String op = a.choice("operation", "add", "del");
        NetDevice dev = a.device(devices);
        IpPrefix address = a.prefix("address/prefix-length");
        a.end();
        boolean present = dev.addresses().contains(address);
        if (op.equals("add")) {
            if (present) throw a.usage(address + " already on " + dev.name());
            devices.addAddress(dev.name(), address);
        } else {
            if (!present) throw a.usage(address + " is not an address of " + dev.name());
            devices.removeAddress(dev.name(), address);
        }
        return null;
    }

    @Descriptor("set an interface up or down, or its MTU: link <dev> up|down | link <dev> mtu <bytes>")
    public String link(@Descriptor("<dev> up|down, or <dev> mtu <bytes>") String... words) {
        Args a = new Args("link", words);
        NetDevice dev = a.device(devices);
        String what = a.choice("setting", "up", "down", "mtu");
        if (what.equals("mtu")) {
            int mtu = a.integer("mtu", 68, 9000);
            a.end();
            devices.setMtu(dev.name(), mtu);
        } else {
            a.end();
            devices.setUp(dev.name(), what.equals("up"));
        }
        return null;
    }
}
