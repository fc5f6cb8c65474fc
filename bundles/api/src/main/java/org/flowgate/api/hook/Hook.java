package org.flowgate.api.hook;

/** The hook points of the packet path, in the order a forwarded packet meets them (as in Linux). */
public enum Hook {
    /** Every frame of a device, before routing; the flow table fast path sits here. */
    INGRESS,
    /** IP packets before the routing decision (conntrack, DNAT). */
    PREROUTING,
    /** Packets addressed to the router itself. */
    INPUT,
    /** Packets being routed through the router. */
    FORWARD,
    /** Packets the router itself originates. */
    OUTPUT,
    /** All IP packets leaving, after routing (SNAT, masquerade, conntrack confirm). */
    POSTROUTING;

    /** The lowercase name used in service properties and nft: {@code prerouting}. */
    public String label() { return name().toLowerCase(java.util.Locale.ROOT); }

    public static Hook parse(String s) { return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT)); }
}
