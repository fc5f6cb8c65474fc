package org.flowgate.packet.fib;

import org.flowgate.api.route.Route;

/** A route resolved for the packet path: egress ifIndex and gateway as primitives. */
public final class FibEntry {
    /** Forward to the device (and gateway, if any). */
    public static final int UNICAST = 0;
    /** One of the router's own addresses. */
    public static final int LOCAL = 1;
    /** A directed or limited IPv4 broadcast address: delivered locally, never forwarded. */
    public static final int BROADCAST = 2;

    public final Route route;
    public final int kind;
    /** Egress device; 0 for LOCAL/BROADCAST entries not bound to one. */
    public final int ifIndex;
    public final boolean hasGateway;
    public final long gwHi, gwLo;

    public FibEntry(Route route, int kind, int ifIndex) {
        this.route = route;
        this.kind = kind;
        this.ifIndex = ifIndex;
        this.hasGateway = route.gateway() != null;
        this.gwHi = hasGateway ? route.gateway().hi() : 0;
        this.gwLo = hasGateway ? route.gateway().lo() : 0;
    }

    @Override
    public String toString() { return route.toString(); }
}
