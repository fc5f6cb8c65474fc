package org.flowgate.tc.vxlan;

import org.flowgate.api.netdev.NetDevices;
import org.flowgate.api.route.NeighbourTable;
import org.flowgate.api.route.RoutingTable;

/** The services a vxlan device sends its outer packets through; set by its component. */
public final class Underlay {
    public volatile RoutingTable routes;
    public volatile NeighbourTable neighbours;
    public volatile NetDevices devices;

    public Underlay() {}

    public Underlay(RoutingTable routes, NeighbourTable neighbours, NetDevices devices) {
        this.routes = routes;
        this.neighbours = neighbours;
        this.devices = devices;
    }
}
