package org.flowgate.tc.vxlan;

import org.flowgate.api.netdev.LocalOutput;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.api.route.NeighbourTable;
import org.flowgate.api.route.RoutingTable;

/**
 * The services a vxlan device sends its outer packets through; set by its component. With
 * {@link #output} the outer packet leaves as Linux's {@code ip_local_out}/{@code ip6_local_out}
 * sends it (OUTPUT and POSTROUTING hooks, then the neighbour subsystem, which resolves the next
 * hop by ARP/NDP and queues the packet meanwhile); without it the next hop must be in the
 * neighbour table already.
 */
public final class Underlay {
    public volatile RoutingTable routes;
    public volatile NeighbourTable neighbours;
    public volatile NetDevices devices;
    public volatile LocalOutput output;

    public Underlay() {}

    public Underlay(RoutingTable routes, NeighbourTable neighbours, NetDevices devices) {
        this(routes, neighbours, devices, null);
    }

    public Underlay(RoutingTable routes, NeighbourTable neighbours, NetDevices devices, LocalOutput output) {
        this.routes = routes;
        this.neighbours = neighbours;
        this.devices = devices;
        this.output = output;
    }
}
