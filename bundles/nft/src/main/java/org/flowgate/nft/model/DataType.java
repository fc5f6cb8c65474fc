package org.flowgate.nft.model;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.flowgate.api.net.IpAddress;

/** nft data types: how a constant is written, read and printed. */
public enum DataType {
    IPV4_ADDR("ipv4_addr", 32), IPV6_ADDR("ipv6_addr", 128), INET_SERVICE("inet_service", 16),
    INET_PROTO("inet_proto", 8), IFNAME("ifname", 0), MARK("mark", 32), INTEGER("integer", 32),
    CT_STATE("ct_state", 32), CT_STATUS("ct_status", 32), CT_DIR("ct_dir", 8), CT_LABEL("ct_label", 8),
    TCP_FLAG("tcp_flag", 8), ICMP_TYPE("icmp_type", 8), ICMPV6_TYPE("icmpv6_type", 8), NFPROTO("nf_proto", 8),
    PKTTYPE("pkt_type", 8), DSCP("dscp", 6), ETHERTYPE("ether_type", 16), VERDICT("verdict", 0),
    /** A concatenation {@code a . b}: the parts are on the set or match; values are packed into one long. */
    CONCAT("concat", 0);

    private final String nftName;
    private final int bits;
    private final Map<String, Long> symbols = new LinkedHashMap<>();

    DataType(String nftName, int bits) {
        this.nftName = nftName;
        this.bits = bits;
    }

    static {
        sym(INET_PROTO, "icmp", 1, "igmp", 2, "tcp", 6, "egp", 8, "udp", 17, "ipv6", 41, "gre", 47, "esp", 50, "ah", 51,
                "icmpv6", 58, "sctp", 132, "udplite", 136, "dccp", 33, "ipv6-icmp", 58);
        sym(INET_SERVICE, "ftp", 21, "ssh", 22, "telnet", 23, "smtp", 25, "domain", 53, "bootps", 67, "bootpc", 68,
                "http", 80, "pop3", 110, "ntp", 123, "imap", 143, "snmp", 161, "bgp", 179, "https", 443, "submission", 587);
        sym(CT_STATE, "invalid", 1, "established", 2, "related", 4, "new", 8, "untracked", 64);
        sym(CT_STATUS, "expected", 1, "seen-reply", 2, "assured", 4, "confirmed", 8, "snat", 16, "dnat", 32,
                "dying", 512, "offload", 16384);
        sym(CT_DIR, "original", 0, "reply", 1);
        sym(TCP_FLAG, "fin", 1, "syn", 2, "rst", 4, "psh", 8, "ack", 16, "urg", 32, "ecn", 64, "cwr", 128);
        sym(ICMP_TYPE, "echo-reply", 0, "destination-unreachable", 3, "source-quench", 4, "redirect", 5,
                "echo-request", 8, "router-advertisement", 9, "router-solicitation", 10, "time-exceeded", 11,
                "parameter-problem", 12, "timestamp-request", 13, "timestamp-reply", 14, "info-request", 15,
                "info-reply", 16, "address-mask-request", 17, "address-mask-reply", 18);
        sym(ICMPV6_TYPE, "destination-unreachable", 1, "packet-too-big", 2, "time-exceeded", 3, "parameter-problem", 4,
                "echo-request", 128, "echo-reply", 129, "mld-listener-query", 130, "mld-listener-report", 131,
                "mld-listener-done", 132, "nd-router-solicit", 133, "nd-router-advert", 134, "nd-neighbor-solicit", 135,
                "nd-neighbor-advert", 136, "nd-redirect", 137, "mld2-listener-report", 143);
        sym(NFPROTO, "ipv4", 2, "ipv6", 10);
        sym(ETHERTYPE, "ip", 0x0800, "arp", 0x0806, "vlan", 0x8100, "ip6", 0x86DD, "8021ad", 0x88A8);
        sym(PKTTYPE, "host", 0, "broadcast", 1, "multicast", 2, "other", 3);
        sym(DSCP, "cs0", 0, "cs1", 8, "cs2", 16, "cs3", 24, "cs4", 32, "cs5", 40, "cs6", 48, "cs7", 56, "af11", 10,
                "af12", 12, "af13", 14, "af21", 18, "af22", 20, "af23", 22, "af31", 26, "af32", 28, "af33", 30,
                "af41", 34, "af42", 36, "af43", 38, "va", 44, "ef", 46);
    }

    private static void sym(DataType t, Object... kv) {
        for (int i = 0; i < kv.length; i += 2) t.symbols.put((String) kv[i], ((Integer) kv[i + 1]).longValue());
    }

    public String nftName() { return nftName; }

    /** Width in a packed concatenation; 0 when the type cannot be part of one (names, IPv6, labels). */
    public int concatBits() {
        return switch (this) {
            case IFNAME, IPV6_ADDR, CT_LABEL, VERDICT, CONCAT -> 0;
            case CT_STATE, CT_STATUS -> 32;
            default -> bits;
        };
    }

    public boolean isBitmask() { return this == CT_STATE || this == CT_STATUS || this == TCP_FLAG; }

    public boolean isAddress() { return this == IPV4_ADDR || this == IPV6_ADDR; }

    public boolean hasSymbols() { return !symbols.isEmpty(); }

    public static DataType byNftName(String s) {
        for (DataType t : values()) if (t.nftName.equals(s)) return t;
        return null;
    }

    /** Parses one constant; null when the text is not of this type (the caller reports it). */
    public Val parse(String s) {
        try {
            switch (this) {
                case IPV4_ADDR -> {
                    if (!s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) return null;
                    return Val.of(IpAddress.parse(s).lo());
                }
                case IPV6_ADDR -> {
                    if (s.indexOf(':') < 0) return null;
                    IpAddress a = IpAddress.parse(s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s);
                    return a.isV4() ? null : Val.of128(a.hi(), a.lo());
                }
                case IFNAME -> {
                    return s.isEmpty() || s.length() > 15 ? null : Val.name(s);
                }
                case VERDICT, CONCAT -> {
                    return null;
                }
                default -> {
                    Long sym = symbols.get(s.toLowerCase(Locale.ROOT));
                    if (sym != null) return Val.of(sym);
                    long v = s.startsWith("0x") || s.startsWith("0X") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
                    long max = this == CT_LABEL ? 127 : bits >= 32 ? 0xFFFF_FFFFL : (1L << bits) - 1;
                    return v < 0 || v > max ? null : Val.of(v);
                }
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Prints a constant the way this type's values are written in a ruleset. */
    public String format(Val v) {
        return switch (this) {
            case IPV4_ADDR -> IpAddress.v4((int) v.lo()).toString();
            case IPV6_ADDR -> IpAddress.v6(v.hi(), v.lo()).toString();
            case IFNAME -> quote(v.str());
            case MARK -> String.format("0x%08x", v.lo());
            case CT_STATE, CT_STATUS, TCP_FLAG -> formatBits(v.lo());
            case INET_SERVICE, INTEGER, CT_LABEL -> Long.toString(v.lo());
            default -> {
                for (Map.Entry<String, Long> e : symbols.entrySet()) if (e.getValue() == v.lo()) yield e.getKey();
                yield Long.toString(v.lo());
            }
        };
    }

    private String formatBits(long bits) {
        StringBuilder sb = new StringBuilder();
        long left = bits;
        for (Map.Entry<String, Long> e : symbols.entrySet()) {
            if ((left & e.getValue()) != 0 && e.getValue() != 0) {
                if (sb.length() > 0) sb.append(',');
                sb.append(e.getKey());
                left &= ~e.getValue();
            }
        }
        if (left != 0 || sb.length() == 0) {
            if (sb.length() > 0) sb.append(',');
            sb.append("0x").append(Long.toHexString(left));
        }
        return sb.toString();
    }

    public static String quote(String s) { return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""; }

    /** Last address of a prefix of {@code len} bits starting at {@code v}; null when host bits are set. */
    public Val prefixEnd(Val v, int len) {
        if (this == IPV4_ADDR) {
            if (len < 0 || len > 32) return null;
            long hostMask = len == 32 ? 0 : (0xFFFF_FFFFL >>> len);
            return (v.lo() & hostMask) != 0 ? null : Val.of(v.lo() | hostMask);
        }
        if (len < 0 || len > 128) return null;
        long hiMask = len >= 64 ? 0 : (len == 0 ? -1L : (-1L >>> len));
        long loMask = len <= 64 ? -1L : (len == 128 ? 0 : (-1L >>> (len - 64)));
        if ((v.hi() & hiMask) != 0 || (v.lo() & loMask) != 0) return null;
        return Val.of128(v.hi() | hiMask, v.lo() | loMask);
    }
}
