package org.flowgate.flowtable.table;

import java.util.Locale;

/** Why the fast path gave a packet back to the classic path (counted per flow table). */
public enum HandBack {
    /** TTL or hop limit 1 (or 0): the classic path sends the ICMP time exceeded. */
    TTL,
    /** Larger than the egress MTU: the classic path fragments or sends ICMP too big. */
    MTU,
    /** IPv4 header with options. */
    IP_OPTIONS,
    /** An IPv4 or IPv6 fragment. */
    FRAGMENT,
    /** IPv6 with extension headers. */
    IPV6_EXT,
    /** TCP FIN or RST: the flow is torn down and conntrack tracks the close. */
    TCP_FIN_RST,
    /** The flow is torn down and waits for the garbage collector. */
    TEARDOWN,
    /** The egress device is down. */
    EGRESS_DOWN,
    /** Not TCP or UDP, or a double-tagged (QinQ) frame. */
    UNSUPPORTED,
    /** Not addressed to the ingress device's MAC. */
    NOT_FOR_US;

    private static final HandBack[] VALUES = values();

    public String label() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }

    static HandBack of(int ordinal) { return VALUES[ordinal]; }
}
