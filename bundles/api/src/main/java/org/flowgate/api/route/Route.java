package org.flowgate.api.route;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;

/**
 * A FIB entry. {@code gateway} is null for a directly connected destination; {@code device} is
 * the egress device name. {@code LOCAL} routes are the router's own addresses.
 */
public record Route(IpPrefix destination, IpAddress gateway, String device, int metric, Type type) {
    public enum Type { CONNECTED, STATIC, LOCAL }

    public Route {
        destination = destination.network();
        if (gateway != null && gateway.family() != destination.family()) throw new IllegalArgumentException("gateway family differs from destination");
        if (device == null && gateway == null) throw new IllegalArgumentException("a route needs a gateway or a device");
    }

    public static Route connected(IpPrefix p, String device) { return new Route(p, null, device, 0, Type.CONNECTED); }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(destination.length() == 0 ? "default" : destination.toString());
        if (gateway != null) sb.append(" via ").append(gateway);
        if (device != null) sb.append(" dev ").append(device);
        if (type == Type.CONNECTED) sb.append(" proto kernel scope link");
        if (type == Type.LOCAL) sb.append(" scope host");
        if (metric != 0) sb.append(" metric ").append(metric);
        return sb.toString();
    }
}
