package org.flowgate.shell.commands;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.netdev.DeviceCounters;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.DropReason;
import org.flowgate.api.route.Neighbour;
import org.flowgate.api.route.Route;

/** Text layouts of devices, routes and neighbours, close to iproute2's. */
final class Formats {
    private Formats() {}

    /** {@code ip -s addr} shaped block for one device. */
    static String device(NetDevice d) {
        StringBuilder sb = new StringBuilder();
        sb.append(d.ifIndex()).append(": ").append(d.name()).append(": <").append(d.isUp() ? "UP" : "DOWN")
                .append("> mtu ").append(d.mtu()).append(" state ").append(d.isUp() ? "UP" : "DOWN").append('\n');
        sb.append("    link/ether ").append(d.mac()).append('\n');
        List<IpPrefix> addrs = new ArrayList<>(d.addresses());
        addrs.sort(Comparator.comparing(IpPrefix::address));
        for (IpPrefix a : addrs) {
            sb.append("    ").append(a.address().isV4() ? "inet " : "inet6 ").append(a);
            if (a.address().isLinkLocal()) sb.append(" scope link");
            sb.append('\n');
        }
        DeviceCounters c = d.counters();
        sb.append("    RX: packets ").append(c.rxPackets()).append(" bytes ").append(c.rxBytes()).append('\n');
        sb.append("    TX: packets ").append(c.txPackets()).append(" bytes ").append(c.txBytes()).append('\n');
        sb.append("    dropped ").append(c.dropped());
        Map<String, Long> byReason = new TreeMap<>();
        for (Map.Entry<DropReason, Long> e : c.drops().entrySet()) if (e.getValue() != 0) byReason.put(e.getKey().label(), e.getValue());
        if (!byReason.isEmpty()) {
            sb.append(':');
            byReason.forEach((k, v) -> sb.append(' ').append(k).append(' ').append(v));
        }
        return sb.append('\n').toString();
    }

    static String devices(List<NetDevice> list) {
        if (list.isEmpty()) return "no interfaces\n";
        List<NetDevice> sorted = new ArrayList<>(list);
        sorted.sort(Comparator.comparingInt(NetDevice::ifIndex));
        StringBuilder sb = new StringBuilder();
        for (NetDevice d : sorted) sb.append(device(d));
        return sb.toString();
    }

    /** {@code ip route} lines: IPv4 first, then IPv6, each by prefix and metric. */
    static String routes(List<Route> list, boolean includeLocal) {
        List<Route> sorted = new ArrayList<>();
        for (Route r : list) if (includeLocal || r.type() != Route.Type.LOCAL) sorted.add(r);
        sorted.sort(Comparator.comparing((Route r) -> r.destination().address())
                .thenComparingInt(r -> r.destination().length())
                .thenComparingInt(Route::metric));
        StringBuilder sb = new StringBuilder();
        for (Route r : sorted) sb.append(r.type() == Route.Type.LOCAL ? "local " : "").append(r).append('\n');
        return sb.toString();
    }

    /** {@code ip neigh} lines, by device then address. */
    static String neighbours(List<Neighbour> list) {
        List<Neighbour> sorted = new ArrayList<>(list);
        sorted.sort(Comparator.comparing(Neighbour::device).thenComparing(Neighbour::address));
        StringBuilder sb = new StringBuilder();
        for (Neighbour n : sorted) sb.append(n).append('\n');
        return sb.toString();
    }
}
