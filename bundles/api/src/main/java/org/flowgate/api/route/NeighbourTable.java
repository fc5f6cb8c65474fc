package org.flowgate.api.route;

import java.util.List;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.MacAddress;
import org.osgi.annotation.versioning.ProviderType;

/** ARP (IPv4) and NDP (IPv6) neighbours. */
@ProviderType
public interface NeighbourTable {
    List<Neighbour> list();

    /** Adds a permanent entry. */
    void addStatic(IpAddress address, String device, MacAddress mac);

    boolean remove(IpAddress address, String device);

    void flush();

    /** Resolved MAC of a neighbour as bits, or -1 when unknown. Allocation-free. */
    long resolved(int ifIndex, int family, long hi, long lo);
}
