package org.flowgate.shell.commands;

import java.util.ArrayList;
import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.api.route.Route;
import org.flowgate.api.route.RoutingTable;

/** {@code router:routes} and {@code router:route add|del} on one instance's routing table ({@link RouterCommands} picks the instance). */
public class RouteCommands {
    private final RoutingTable routes;
    private final NetDevices devices;

    public RouteCommands(RoutingTable routes, NetDevices devices) {
        this.routes = routes;
        this.devices = devices;
    }

    @Descriptor("list the routes (as ip route); 'routes all' includes the local routes of the router's own addresses")
    public String routes(@Descriptor("optional: all") String... words) {
        Args a = new Args("routes", words);
        boolean all = a.accept("all");
        a.end();
        return Formats.routes(routes.list(), all);
    }

    @Descriptor("add or delete a static route: route add|del <prefix>|default [via <gateway>] [dev <device>] [metric <n>]")
    public String route(@Descriptor("add|del <prefix>|default [via <gateway>] [dev <device>] [metric <n>]") String... words) {
        Args a = new Args("route", words);
        String op = a.choice("operation", "add", "del");
        Spec s = parse(a, words);
        if (op.equals("add")) {
            if (s.gateway == null && s.device == null) throw a.usage("a route needs 'via <gateway>' or 'dev <device>'");
            routes.add(new Route(s.destination, s.gateway, s.device, Math.max(0, s.metric), Route.Type.STATIC));
            return null;
        }
        List<Route> matching = new ArrayList<>();
        List<Route> sameGateway = new ArrayList<>();
        for (Route r : routes.list()) {
            if (r.type() != Route.Type.STATIC || !r.destination().equals(s.destination)) continue;
            if (s.gateway != null && !s.gateway.equals(r.gateway())) continue;
            sameGateway.add(r);
            if ((s.device == null || s.device.equals(r.device())) && (s.metric < 0 || s.metric == r.metric())) matching.add(r);
        }
        if (matching.isEmpty()) throw a.usage("no such static route");
        // RoutingTable removes by prefix and gateway: refuse when that would take more than asked for
        if (matching.size() != sameGateway.size()) throw a.usage("several routes to " + s.destination + " match; name the one with 'via <gateway>'");
        routes.remove(s.destination, s.gateway);
        return null;
    }

    private record Spec(IpPrefix destination, IpAddress gateway, String device, int metric) {}

    private Spec parse(Args a, String[] words) {
        // 'default' needs the gateway's family, which comes later: peek for it
        int family = IpAddress.IPV4;
        for (int i = 0; words != null && i + 1 < words.length; i++) {
            if (words[i].equalsIgnoreCase("via") && words[i + 1].indexOf(':') >= 0) family = IpAddress.IPV6;
        }
        IpPrefix destination = a.destination(family);
        IpAddress gateway = null;
        String device = null;
        int metric = -1;
        while (a.hasNext()) {
            String key = a.choice("option", "via", "dev", "metric");
            switch (key) {
                case "via" -> {
                    if (gateway != null) throw a.usage("'via' given twice");
                    gateway = a.address("gateway");
                    if (gateway.family() != destination.family()) throw a.usage("gateway " + gateway + " is not of the family of " + destination);
                }
                case "dev" -> {
                    if (device != null) throw a.usage("'dev' given twice");
                    device = a.device(devices).name();
                }
                default -> {
                    if (metric >= 0) throw a.usage("'metric' given twice");
                    metric = a.integer("metric", 0, Integer.MAX_VALUE);
                }
            }
        }
        return new Spec(destination, gateway, device, metric);
    }
}
