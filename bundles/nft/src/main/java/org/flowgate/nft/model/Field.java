package org.flowgate.nft.model;

/** What a match or a value expression reads from the packet, as nft names it. */
public enum Field {
    META_IIFNAME("iifname", DataType.IFNAME), META_OIFNAME("oifname", DataType.IFNAME),
    META_IIF("iif", DataType.IFNAME), META_OIF("oif", DataType.IFNAME),
    META_L4PROTO("meta l4proto", DataType.INET_PROTO), META_NFPROTO("meta nfproto", DataType.NFPROTO),
    META_MARK("meta mark", DataType.MARK), META_LENGTH("meta length", DataType.INTEGER),
    META_PKTTYPE("meta pkttype", DataType.PKTTYPE), META_PROTOCOL("meta protocol", DataType.ETHERTYPE),
    IP_SADDR("ip saddr", DataType.IPV4_ADDR), IP_DADDR("ip daddr", DataType.IPV4_ADDR),
    IP_PROTOCOL("ip protocol", DataType.INET_PROTO), IP_TTL("ip ttl", DataType.INTEGER),
    IP_LENGTH("ip length", DataType.INTEGER), IP_DSCP("ip dscp", DataType.DSCP),
    IP6_SADDR("ip6 saddr", DataType.IPV6_ADDR), IP6_DADDR("ip6 daddr", DataType.IPV6_ADDR),
    IP6_NEXTHDR("ip6 nexthdr", DataType.INET_PROTO), IP6_HOPLIMIT("ip6 hoplimit", DataType.INTEGER),
    TCP_SPORT("tcp sport", DataType.INET_SERVICE), TCP_DPORT("tcp dport", DataType.INET_SERVICE),
    TCP_FLAGS("tcp flags", DataType.TCP_FLAG),
    UDP_SPORT("udp sport", DataType.INET_SERVICE), UDP_DPORT("udp dport", DataType.INET_SERVICE),
    TH_SPORT("th sport", DataType.INET_SERVICE), TH_DPORT("th dport", DataType.INET_SERVICE),
    ICMP_TYPE("icmp type", DataType.ICMP_TYPE), ICMPV6_TYPE("icmpv6 type", DataType.ICMPV6_TYPE),
    ICMP_CODE("icmp code", DataType.INTEGER), ICMPV6_CODE("icmpv6 code", DataType.INTEGER),
    CT_STATE("ct state", DataType.CT_STATE), CT_STATUS("ct status", DataType.CT_STATUS),
    CT_MARK("ct mark", DataType.MARK), CT_ZONE("ct zone", DataType.INTEGER),
    CT_DIRECTION("ct direction", DataType.CT_DIR), CT_LABEL("ct label", DataType.CT_LABEL);

    private final String nftName;
    private final DataType type;

    Field(String nftName, DataType type) {
        this.nftName = nftName;
        this.type = type;
    }

    public String nftName() { return nftName; }

    public DataType type() { return type; }

    /** Finds a field by its two words ("ip", "saddr"), or by one for the meta shorthands. */
    public static Field of(String first, String second) {
        String key = second == null ? first : first + " " + second;
        for (Field f : values()) if (f.nftName.equals(key)) return f;
        if (first.equals("meta") && second != null) {
            for (Field f : values()) if (f.nftName.equals(second) && f.name().startsWith("META_")) return f;
        }
        return null;
    }

    /** Fields read as one word in nft: {@code iifname}, {@code oifname}, {@code iif}, {@code oif}. */
    public static boolean isShorthand(String w) {
        return w.equals("iifname") || w.equals("oifname") || w.equals("iif") || w.equals("oif");
    }

    public boolean isName() { return type == DataType.IFNAME; }
}
