package org.flowgate.api.route;

import java.util.List;

import org.flowgate.api.net.IpAddress;
import org.osgi.annotation.versioning.ProviderType;

/** The FIB: longest-prefix match over IPv4 and IPv6 routes. */
@ProviderType
public interface RoutingTable {
    /** Longest-prefix match; null when there is no route. Allocation-free. */
    Route lookup(int family, long hi, long lo);

    default Route lookup(IpAddress a) { return lookup(a.family(), a.hi(), a.lo()); }

    List<Route> list();

    /** Adds a static route; a route to the same prefix and metric is replaced. */
    void add(Route r);

    /** Removes static routes matching the prefix (and gateway if given); returns how many. */
    int remove(org.flowgate.api.net.IpPrefix destination, IpAddress gateway);
}
