package org.flowgate.shell.commands;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.DeviceCounters;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.api.packet.DropReason;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.route.Neighbour;
import org.flowgate.api.route.NeighbourTable;
import org.flowgate.api.route.Route;
import org.flowgate.api.route.RoutingTable;

/** In-memory stand-ins for the packet path's services: they record what the commands ask. */
final class Fakes {
    private Fakes() {}

    static final class Device implements NetDevice {
        final String name;
        final int index;
        final long mac;
        int mtu = 1500;
        boolean up = true;
        final List<IpPrefix> addresses = new ArrayList<>();
        final Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
        long rxPackets, rxBytes, txPackets, txBytes;

        Device(String name, int index, long mac) { this.name = name; this.index = index; this.mac = mac; }

        @Override public String name() { return name; }
        @Override public int ifIndex() { return index; }
        @Override public MacAddress mac() { return new MacAddress(mac); }
        @Override public long macBits() { return mac; }
        @Override public int mtu() { return mtu; }
        @Override public boolean isUp() { return up; }
        @Override public List<IpPrefix> addresses() { return List.copyOf(addresses); }
        @Override public boolean transmit(Packet p) { return false; }
        @Override public void drop(DropReason reason) { drops.merge(reason, 1L, Long::sum); }
        @Override public DeviceCounters counters() { return new DeviceCounters(rxPackets, rxBytes, txPackets, txBytes, Map.copyOf(drops)); }
    }

    static final class Devices implements NetDevices {
        final List<Device> devices = new ArrayList<>();
        final List<String> calls = new ArrayList<>();

        Device add(String name, long mac) {
            Device d = new Device(name, devices.size() + 1, mac);
            devices.add(d);
            return d;
        }

        @Override public List<NetDevice> list() { return List.copyOf(devices); }
        @Override public Optional<NetDevice> byName(String name) { return devices.stream().filter(d -> d.name.equals(name)).map(d -> (NetDevice) d).findFirst(); }
        @Override public NetDevice byIndex(int ifIndex) { return devices.stream().filter(d -> d.index == ifIndex).findFirst().orElse(null); }
        @Override public void addAddress(String device, IpPrefix address) { calls.add("addAddress " + device + " " + address); ((Device) byName(device).orElseThrow()).addresses.add(address); }
        @Override public void removeAddress(String device, IpPrefix address) { calls.add("removeAddress " + device + " " + address); ((Device) byName(device).orElseThrow()).addresses.remove(address); }
        @Override public void setUp(String device, boolean up) { calls.add("setUp " + device + " " + up); ((Device) byName(device).orElseThrow()).up = up; }
        @Override public void setMtu(String device, int mtu) { calls.add("setMtu " + device + " " + mtu); ((Device) byName(device).orElseThrow()).mtu = mtu; }
    }

    static final class Routes implements RoutingTable {
        final List<Route> routes = new ArrayList<>();
        final List<String> calls = new ArrayList<>();

        @Override public Route lookup(int family, long hi, long lo) { throw new UnsupportedOperationException(); }
        @Override public List<Route> list() { return List.copyOf(routes); }
        @Override public void add(Route r) {
            calls.add("add " + r);
            routes.removeIf(o -> o.type() == Route.Type.STATIC && o.destination().equals(r.destination()) && o.metric() == r.metric());
            routes.add(r);
        }
        @Override public int remove(IpPrefix destination, IpAddress gateway) {
            calls.add("remove " + destination + " " + gateway);
            int before = routes.size();
            routes.removeIf(r -> r.type() == Route.Type.STATIC && r.destination().equals(destination) && (gateway == null || gateway.equals(r.gateway())));
            return before - routes.size();
        }
    }

    static final class Neighbours implements NeighbourTable {
        final List<Neighbour> entries = new ArrayList<>();
        final List<String> calls = new ArrayList<>();

        @Override public List<Neighbour> list() { return List.copyOf(entries); }
        @Override public void addStatic(IpAddress address, String device, MacAddress mac) {
            calls.add("addStatic " + address + " " + device + " " + mac);
            entries.add(new Neighbour(address, device, mac, Neighbour.State.PERMANENT, 0, 0));
        }
        @Override public boolean remove(IpAddress address, String device) {
            calls.add("remove " + address + " " + device);
            return entries.removeIf(n -> n.address().equals(address) && n.device().equals(device));
        }
        @Override public void flush() { calls.add("flush"); entries.clear(); }
        @Override public long resolved(int ifIndex, int family, long hi, long lo) { return -1; }
    }
}
