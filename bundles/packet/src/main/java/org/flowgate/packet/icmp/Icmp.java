package org.flowgate.packet.icmp;

import org.flowgate.api.packet.Checksums;
import org.flowgate.api.packet.Packet;
import org.flowgate.packet.frame.Frames;

/**
 * ICMP and ICMPv6 messages: echo replies and errors built from the packet they answer, and the
 * rules (RFC 1122 3.2.2, RFC 4443 2.4) about when an error must not be sent.
 */
public final class Icmp {
    private Icmp() {}

    // ICMPv4 types and codes
    public static final int ECHO_REPLY = 0, DEST_UNREACH = 3, ECHO_REQUEST = 8, TIME_EXCEEDED = 11, PARAM_PROBLEM = 12;
    public static final int NET_UNREACH = 0, HOST_UNREACH = 1, PROT_UNREACH = 2, PORT_UNREACH = 3, FRAG_NEEDED = 4;
    // ICMPv6 types and codes
    public static final int V6_DEST_UNREACH = 1, V6_PACKET_TOO_BIG = 2, V6_TIME_EXCEEDED = 3, V6_PARAM_PROBLEM = 4,
            V6_ECHO_REQUEST = 128, V6_ECHO_REPLY = 129, V6_RS = 133, V6_RA = 134, V6_NS = 135, V6_NA = 136;
    public static final int V6_NO_ROUTE = 0, V6_BEYOND_SCOPE = 2, V6_ADDR_UNREACH = 3, V6_PORT_UNREACH = 4,
            V6_UNKNOWN_NEXT_HEADER = 1;

    /** IPv4 errors quote as much of the packet as fits in 576 bytes (RFC 1812 4.3.2.3). */
    public static final int V4_MAX_ERROR = 576;
    /** IPv6 errors quote as much as fits in the minimum MTU (RFC 4443 2.4 c). */
    public static final int V6_MAX_ERROR = 1280;
    private static final int TTL = 64;

    /**
     * Whether an error may be sent about {@code p} (a parsed IP packet whose frame is unchanged):
     * never about ICMP errors, link-layer or IP broadcast/multicast, non-first fragments, or
     * packets from an address that cannot be answered. {@code ipBroadcast}: the destination was a
     * (directed) broadcast address.
     */
    public static boolean errorAllowed(Packet p, boolean ipBroadcast, int v6Type, int v6Code) {
        if (p.hasFlag(Packet.F_LATER_FRAGMENT)) return false;
        if (ipBroadcast) return false;
        boolean l2Multicast = (p.ethDst() & 0x0100_0000_0000L) != 0;
        if (p.isIpv4()) {
            if (l2Multicast) return false;
            int src = p.ipv4Src(), dst = p.ipv4Dst();
            if (src == 0 || src == -1 || (src >>> 28) == 0xE || (src >>> 24) == 127) return false;
            if ((dst >>> 28) == 0xE || dst == -1) return false;
            if (p.l4Proto() == Packet.PROTO_ICMP) {
                if (p.l4() < 0) return false;
                int t = p.icmpType();
                // only informational messages may be answered with an error
                return t == ECHO_REPLY || t == ECHO_REQUEST || t == 13 || t == 14 || t == 15 || t == 16 || t == 17 || t == 18;
            }
            return true;
        }
        if (!p.isIpv6()) return false;
        long srcHi = p.ipv6SrcHi(), srcLo = p.ipv6SrcLo();
        if ((srcHi >>> 56) == 0xFF || (srcHi == 0 && (srcLo == 0 || srcLo == 1))) return false;
        boolean exception = v6Type == V6_PACKET_TOO_BIG || (v6Type == V6_PARAM_PROBLEM && v6Code == 2);
        if (((p.ipv6DstHi() >>> 56) == 0xFF || l2Multicast) && !exception) return false;
        if (p.l4Proto() == Packet.PROTO_ICMPV6) {
            if (p.l4() < 0) return false;
            return p.icmpType() >= 128; // errors are types 0..127
        }
        return true;
    }

    /** Whether Linux rate-limits this ICMPv4 type (icmp_ratemask 0x1818: unreachable, quench, time exceeded, parameter problem). */
    public static boolean rateLimitedV4(int type) { return ((0x1818 >>> type) & 1) != 0; }

    /** Linux does not rate-limit informational ICMPv6 nor Packet Too Big (PMTU discovery needs them). */
    public static boolean rateLimitedV6(int type) { return type < 128 && type != V6_PACKET_TOO_BIG; }

    /**
     * Builds an ICMPv4 error about {@code orig} into {@code out}: IP header from {@code src} to the
     * original source, the type/code, {@code info} in bytes 4..7, then the quoted packet. The
     * Ethernet addresses are left for the output path.
     */
    public static void errorV4(Packet orig, Packet out, int type, int code, int info, int src) {
        int quote = Math.min(orig.l3End() - orig.l3(), V4_MAX_ERROR - Frames.IPV4_HLEN - 8);
        int total = Frames.IPV4_HLEN + 8 + quote;
        int l3 = Frames.ethernet(out, Packet.ETH_HLEN + total, 0, 0, Packet.ETHERTYPE_IPV4);
        Frames.ipv4(out, l3, 0xC0, total, false, TTL, Packet.PROTO_ICMP, src, orig.ipv4Src());
        int l4 = l3 + Frames.IPV4_HLEN;
        out.setU8(l4, type);
        out.setU8(l4 + 1, code);
        out.setU32(l4 + 4, info);
        System.arraycopy(orig.array(), orig.l3(), out.array(), l4 + 8, quote);
        Frames.icmpv4Checksum(out, l4, 8 + quote);
    }

    /** Builds an ICMPv6 error about {@code orig} into {@code out} (see {@link #errorV4}). */
    public static void errorV6(Packet orig, Packet out, int type, int code, int info, long srcHi, long srcLo) {
        int quote = Math.min(orig.l3End() - orig.l3(), V6_MAX_ERROR - Frames.IPV6_HLEN - 8);
        int payload = 8 + quote;
        int l3 = Frames.ethernet(out, Packet.ETH_HLEN + Frames.IPV6_HLEN + payload, 0, 0, Packet.ETHERTYPE_IPV6);
        Frames.ipv6(out, l3, payload, Packet.PROTO_ICMPV6, TTL, srcHi, srcLo, orig.ipv6SrcHi(), orig.ipv6SrcLo());
        int l4 = l3 + Frames.IPV6_HLEN;
        out.setU8(l4, type);
        out.setU8(l4 + 1, code);
        out.setU32(l4 + 4, info);
        System.arraycopy(orig.array(), orig.l3(), out.array(), l4 + 8, quote);
        Frames.l4ChecksumV6(out, l3, l4, payload, Packet.PROTO_ICMPV6, l4 + 2);
    }

    /** Builds the echo reply to an ICMPv4 echo request: same identifier, sequence and data. */
    public static void echoReplyV4(Packet req, Packet out, int src) {
        int icmpLen = req.l3End() - req.l4();
        int total = Frames.IPV4_HLEN + icmpLen;
        int l3 = Frames.ethernet(out, Packet.ETH_HLEN + total, 0, 0, Packet.ETHERTYPE_IPV4);
        Frames.ipv4(out, l3, req.u8(req.l3() + 1), total, false, TTL, Packet.PROTO_ICMP, src, req.ipv4Src());
        int l4 = l3 + Frames.IPV4_HLEN;
        System.arraycopy(req.array(), req.l4(), out.array(), l4, icmpLen);
        out.setU8(l4, ECHO_REPLY);
        // RFC 1624: only the type byte changed (8 -> 0)
        out.setU16(l4 + 2, Checksums.update16(req.u16(req.l4() + 2), ECHO_REQUEST << 8 | req.icmpCode(), ECHO_REPLY << 8 | req.icmpCode()));
    }

    /** Builds the echo reply to an ICMPv6 echo request. */
    public static void echoReplyV6(Packet req, Packet out, long srcHi, long srcLo) {
        int icmpLen = req.l3End() - req.l4();
        int l3 = Frames.ethernet(out, Packet.ETH_HLEN + Frames.IPV6_HLEN + icmpLen, 0, 0, Packet.ETHERTYPE_IPV6);
        Frames.ipv6(out, l3, icmpLen, Packet.PROTO_ICMPV6, TTL, srcHi, srcLo, req.ipv6SrcHi(), req.ipv6SrcLo());
        int l4 = l3 + Frames.IPV6_HLEN;
        System.arraycopy(req.array(), req.l4(), out.array(), l4, icmpLen);
        out.setU8(l4, V6_ECHO_REPLY);
        Frames.l4ChecksumV6(out, l3, l4, icmpLen, Packet.PROTO_ICMPV6, l4 + 2);
    }
}
