package org.flowgate.packet.config;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.route.Route;

/**
 * Parses routes in {@code ip route} syntax: {@code PREFIX|default [via GW] [dev NAME] [metric N]}
 * ({@code proto static} and {@code onlink} are accepted and ignored). {@code default} is 0.0.0.0/0,
 * or ::/0 when the gateway is IPv6 or {@code -6}/{@code default6} is written.
 */
public final class RouteSyntax {
    private RouteSyntax() {}

    public static Route parse(String line) {
        String[] t = line.trim().split("\\s+");
        if (t.length == 0 || t[0].isEmpty()) throw new IllegalArgumentException("empty route");
        int i = 0;
        boolean v6 = false;
        if (t[i].equals("-6")) { v6 = true; i++; }
        if (i < t.length && t[i].equals("-4")) i++;
        if (i >= t.length) throw new IllegalArgumentException("no destination in '" + line + "'");
        String dest = t[i++];
        IpAddress gw = null;
        String dev = null;
        int metric = 0;
        while (i < t.length) {
            String k = t[i++];
            switch (k) {
                case "via" -> gw = IpAddress.parse(value(t, i++, k, line));
                case "dev" -> dev = value(t, i++, k, line);
                case "metric", "preference" -> {
                    try { metric = Integer.parseInt(value(t, i++, k, line)); } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("bad metric in '" + line + "'");
                    }
                    if (metric < 0) throw new IllegalArgumentException("negative metric in '" + line + "'");
                }
                case "proto" -> i++;
                case "onlink" -> { }
                default -> throw new IllegalArgumentException("unknown word '" + k + "' in route '" + line + "'");
            }
        }
        IpPrefix p;
        if (dest.equals("default") || dest.equals("default6")) {
            boolean six = v6 || dest.equals("default6") || (gw != null && !gw.isV4());
            p = IpPrefix.parse(six ? "::/0" : "0.0.0.0/0");
        } else {
            p = IpPrefix.parse(dest);
        }
        if (gw == null && dev == null) throw new IllegalArgumentException("route '" + line + "' needs 'via' or 'dev'");
        return new Route(p, gw, dev, metric, Route.Type.STATIC);
    }

    private static String value(String[] t, int i, String key, String line) {
        if (i >= t.length) throw new IllegalArgumentException("'" + key + "' without a value in '" + line + "'");
        return t[i];
    }
}
