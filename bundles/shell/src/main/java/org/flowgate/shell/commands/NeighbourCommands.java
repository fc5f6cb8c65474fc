package org.flowgate.shell.commands;

import org.apache.felix.service.command.Descriptor;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.api.route.NeighbourTable;

/** {@code router:neigh} on one instance: list, add, delete and flush ARP/NDP neighbours ({@link RouterCommands} picks the instance). */
public class NeighbourCommands {
    private final NeighbourTable neighbours;
    private final NetDevices devices;

    public NeighbourCommands(NeighbourTable neighbours, NetDevices devices) {
        this.neighbours = neighbours;
        this.devices = devices;
    }

    @Descriptor("list the neighbours (as ip neigh), or: neigh add <address> lladdr <mac> dev <device> | neigh del <address> dev <device> | neigh flush")
    public String neigh(@Descriptor("add <address> lladdr <mac> dev <device> | del <address> dev <device> | flush | list") String... words) {
        Args a = new Args("neigh", words);
        if (!a.hasNext()) return Formats.neighbours(neighbours.list());
        switch (a.choice("operation", "list", "show", "add", "del", "flush")) {
            case "add" -> {
                IpAddress address = a.address("neighbour address");
                MacAddress mac = null;
                String device = null;
                while (a.hasNext()) {
                    if (a.choice("option", "lladdr", "dev").equals("lladdr")) mac = a.mac("lladdr");
                    else device = a.device(devices).name();
                }
                if (mac == null) throw a.usage("missing 'lladdr <mac>'");
                if (device == null) throw a.usage("missing 'dev <device>'");
                if (mac.isMulticast()) throw a.usage("lladdr " + mac + " is a multicast address");
                neighbours.addStatic(address, device, mac);
            }
            case "del" -> {
                IpAddress address = a.address("neighbour address");
                if (!a.accept("dev")) throw a.usage("missing 'dev <device>'");
                String device = a.device(devices).name();
                a.end();
                if (!neighbours.remove(address, device)) throw a.usage("no neighbour " + address + " on " + device);
            }
            case "flush" -> {
                a.end();
                neighbours.flush();
            }
            default -> {
                a.end();
                return Formats.neighbours(neighbours.list());
            }
        }
        return null;
    }
}
