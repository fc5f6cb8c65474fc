package org.flowgate.packet.fib;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.route.Route;
import org.flowgate.api.route.RoutingTable;
import org.flowgate.packet.device.Device;
import org.flowgate.packet.device.DeviceTable;

/**
 * The FIB. Connected and local routes come from the devices' addresses, static routes from the
 * API and from configuration sources. Every change builds new immutable {@link PrefixTable}s and
 * publishes them with one volatile write; lookups never lock or allocate.
 */
public final class Fib implements RoutingTable {
    public static final String API_SOURCE = "api";
    private static final IpPrefix LIMITED_BROADCAST = IpPrefix.parse("255.255.255.255/32");

    private record Snapshot(PrefixTable v4, PrefixTable v6, List<Route> routes) {}

    private static final Comparator<FibEntry> PREFERRED = Comparator
            .comparingInt((FibEntry e) -> e.kind == FibEntry.LOCAL ? 0 : e.kind == FibEntry.BROADCAST ? 1 : 2)
            .thenComparingInt(e -> e.route.metric())
            .thenComparingInt(e -> e.route.type() == Route.Type.CONNECTED ? 0 : 1);

    private final DeviceTable devices;
    /** Static routes by source, each list in insertion order. */
    private final Map<Object, List<Route>> statics = new LinkedHashMap<>();
    private volatile Snapshot snapshot = new Snapshot(PrefixTable.EMPTY, PrefixTable.EMPTY, List.of());

    public Fib(DeviceTable devices) {
        this.devices = devices;
        devices.onChange(this::rebuild);
        rebuild();
    }

    /** Longest-prefix match with the resolved egress; null when there is no route. Allocation-free. */
    public FibEntry lookupEntry(int family, long hi, long lo) {
        Snapshot s = snapshot;
        return family == IpAddress.IPV4 ? s.v4.lookup(32, 0, lo) : s.v6.lookup(128, hi, lo);
    }

    @Override
    public Route lookup(int family, long hi, long lo) {
        FibEntry e = lookupEntry(family, hi, lo);
        return e == null ? null : e.route;
    }

    @Override
    public List<Route> list() { return snapshot.routes; }

    @Override
    public void add(Route r) {
        Objects.requireNonNull(r);
        synchronized (this) {
            List<Route> l = statics.computeIfAbsent(API_SOURCE, k -> new ArrayList<>());
            l.removeIf(o -> o.destination().equals(r.destination()) && o.metric() == r.metric());
            l.add(r);
            rebuild();
        }
    }

    @Override
    public int remove(IpPrefix destination, IpAddress gateway) {
        IpPrefix net = destination.network();
        int n = 0;
        synchronized (this) {
            for (List<Route> l : statics.values()) {
                int before = l.size();
                l.removeIf(o -> o.destination().equals(net) && (gateway == null || gateway.equals(o.gateway())));
                n += before - l.size();
            }
            if (n > 0) rebuild();
        }
        return n;
    }

    /** Replaces the static routes of one configuration source; null withdraws them. */
    public void configure(Object source, List<Route> routes) {
        synchronized (this) {
            if (routes == null) statics.remove(source);
            else statics.put(source, new ArrayList<>(routes));
            rebuild();
        }
    }

    /** Recomputes the tables from devices and static routes. */
    public synchronized void rebuild() {
        List<FibEntry> v4 = new ArrayList<>(), v6 = new ArrayList<>();
        List<Route> shown = new ArrayList<>();
        v4.add(new FibEntry(new Route(LIMITED_BROADCAST, null, "", 0, Route.Type.LOCAL), FibEntry.BROADCAST, 0));
        List<FibEntry> connected = new ArrayList<>();
        for (Device d : devices.all()) {
            if (!d.isAdminUp()) continue;
            for (IpPrefix p : d.addresses()) {
                IpAddress a = p.address();
                List<FibEntry> fam = a.isV4() ? v4 : v6;
                Route local = new Route(new IpPrefix(a, a.bitLength()), null, d.name(), 0, Route.Type.LOCAL);
                fam.add(new FibEntry(local, FibEntry.LOCAL, d.ifIndex()));
                shown.add(local);
                if (a.isLinkLocal()) continue; // fe80::/64 exists on every link: never routed by prefix
                Route conn = Route.connected(p, d.name());
                FibEntry ce = new FibEntry(conn, FibEntry.UNICAST, d.ifIndex());
                fam.add(ce);
                connected.add(ce);
                shown.add(conn);
                if (a.isV4() && p.length() < 31) {
                    long bcast = (a.lo() | (0xFFFF_FFFFL >>> p.length())) & 0xFFFF_FFFFL;
                    Route b = new Route(new IpPrefix(IpAddress.v4((int) bcast), 32), null, d.name(), 0, Route.Type.LOCAL);
                    v4.add(new FibEntry(b, FibEntry.BROADCAST, d.ifIndex()));
                }
            }
        }
        for (List<Route> l : statics.values()) {
            for (Route r : l) {
                shown.add(r);
                int idx = resolveDevice(r, connected);
                if (idx <= 0) continue; // not usable now: device absent or gateway not on a connected network
                (r.destination().address().isV4() ? v4 : v6).add(new FibEntry(r, FibEntry.UNICAST, idx));
            }
        }
        shown.sort(Comparator.comparing((Route r) -> r.destination().family())
                .thenComparing(r -> r.destination().address())
                .thenComparingInt(r -> r.destination().length())
                .thenComparingInt(Route::metric));
        snapshot = new Snapshot(PrefixTable.build(32, v4, PREFERRED), PrefixTable.build(128, v6, PREFERRED), List.copyOf(shown));
    }

    private int resolveDevice(Route r, List<FibEntry> connected) {
        if (r.device() != null && !r.device().isEmpty()) {
            for (Device d : devices.all()) if (d.name().equals(r.device()) && d.isAdminUp()) return d.ifIndex();
            return 0;
        }
        IpAddress gw = r.gateway();
        if (gw.isLinkLocal()) return 0; // a link-local gateway needs "dev"
        int best = 0, bestLen = -1;
        for (FibEntry c : connected) {
            IpPrefix p = c.route.destination();
            if (p.contains(gw) && p.length() > bestLen) { best = c.ifIndex; bestLen = p.length(); }
        }
        return best;
    }

}
