package org.flowgate.api.packet;

/** Why a packet was dropped; every drop is counted under one of these. */
public enum DropReason {
    MALFORMED_ETHERNET("frame shorter than an Ethernet header or bad VLAN tag"),
    MALFORMED_ARP("truncated or unsupported ARP"),
    MALFORMED_IPV4("bad IPv4 version, header length or total length"),
    BAD_IPV4_CHECKSUM("IPv4 header checksum mismatch"),
    MALFORMED_IPV6("bad IPv6 header or extension header chain"),
    MALFORMED_L4("truncated TCP/UDP/ICMP header"),
    UNSUPPORTED_ETHERTYPE("neither ARP, IPv4 nor IPv6"),
    NOT_FOR_US("unicast to another MAC address"),
    MARTIAN_SOURCE("source address is ours, multicast or broadcast"),
    NO_ROUTE("no route to the destination"),
    TTL_EXCEEDED("TTL or hop limit reached zero"),
    MTU_EXCEEDED("larger than the egress MTU and not fragmentable"),
    NEIGHBOUR_QUEUE_FULL("too many packets waiting for address resolution"),
    NEIGHBOUR_FAILED("address resolution failed"),
    HOOK_DROP("dropped by a hook (rule or conntrack)"),
    LINK_DOWN("device is administratively or operationally down"),
    TX_FULL("transmit ring full"),
    UNREACHABLE_LOCAL("addressed to the router with a protocol it does not serve"),
    NAT_EXHAUSTED("no free tuple left in the NAT range"),
    INVALID_STATE("connection tracking state invalid");

    private final String description;

    DropReason(String description) { this.description = description; }

    public String description() { return description; }

    /** Lowercase, dash-separated name for counters and shells: {@code ttl-exceeded}. */
    public String label() { return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'); }

    private static final DropReason[] VALUES = values();

    public static DropReason ofOrdinal(int i) { return VALUES[i]; }

    public static int count() { return VALUES.length; }
}
