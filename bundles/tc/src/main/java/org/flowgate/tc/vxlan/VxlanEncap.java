package org.flowgate.tc.vxlan;

import org.flowgate.api.packet.Checksums;
import org.flowgate.api.packet.Packet;

/**
 * Builds a VXLAN packet (RFC 7348): outer Ethernet, IPv4 or IPv6, UDP and the 8-byte VXLAN header
 * in front of an inner Ethernet frame, copied byte for byte.
 */
public final class VxlanEncap {
    public static final int OVERHEAD = 14 + 20 + 8 + 8;
    /** With an IPv6 outer header ({@code VXLAN6_HEADROOM}). */
    public static final int OVERHEAD6 = 14 + 40 + 8 + 8;
    public static final int DEFAULT_PORT = 4789;
    /** The source port range Linux picks from ({@code ip_local_port_range}), by a hash of the inner flow. */
    public static final int SRC_PORT_MIN = 32768, SRC_PORT_MAX = 61000;

    private VxlanEncap() {}

    /**
     * @param out     receives the outer frame (reset and overwritten)
     * @param inner   the frame to carry
     * @param udpCsum whether to fill the outer UDP checksum (tunnel_key's {@code csum}, the default)
     */
    public static void encapsulate(Packet out, Packet inner, long srcMac, long dstMac, int srcIp, int dstIp, int tos, int ttl,
            boolean dontFragment, int ipId, int srcPort, int dstPort, int vni, boolean udpCsum) {
        int innerLen = inner.length();
        int ip = ethernet(out, inner, OVERHEAD, srcMac, dstMac, Packet.ETHERTYPE_IPV4);
        byte[] b = out.array();
        out.setU8(ip, 0x45);
        out.setU8(ip + 1, tos);
        out.setU16(ip + 2, 20 + 8 + 8 + innerLen);
        out.setU16(ip + 4, ipId);
        out.setU16(ip + 6, dontFragment ? 0x4000 : 0);
        out.setU8(ip + 8, ttl);
        out.setU8(ip + 9, Packet.PROTO_UDP);
        out.setU16(ip + 10, 0);
        out.setU32(ip + 12, srcIp);
        out.setU32(ip + 16, dstIp);
        out.setU16(ip + 10, Checksums.checksum(b, ip, 20));
        int udp = ip + 20;
        int udpLen = udpVxlan(out, udp, innerLen, srcPort, dstPort, vni);
        if (udpCsum) {
            int c = Checksums.finish(Checksums.sum(b, udp, udpLen, Checksums.pseudoV4(srcIp, dstIp, Packet.PROTO_UDP, udpLen)));
            out.setU16(udp + 6, c == 0 ? 0xFFFF : c);
        }
    }

    /**
     * The IPv6 form: traffic class {@code tclass}, flow label 0 (as Linux's vxlan without
     * {@code flowlabel}), hop limit {@code hopLimit}; the UDP checksum is always computed, as
     * IPv6 requires (RFC 8200 8.1; Linux sends zero only with {@code udp6zerocsumtx}).
     */
    public static void encapsulate6(Packet out, Packet inner, long srcMac, long dstMac, long srcHi, long srcLo, long dstHi,
            long dstLo, int tclass, int hopLimit, int srcPort, int dstPort, int vni) {
        int innerLen = inner.length();
        int ip = ethernet(out, inner, OVERHEAD6, srcMac, dstMac, Packet.ETHERTYPE_IPV6);
        byte[] b = out.array();
        int udpLen = 8 + 8 + innerLen;
        out.setU32(ip, 0x6000_0000 | (tclass & 0xFF) << 20);
        out.setU16(ip + 4, udpLen);
        out.setU8(ip + 6, Packet.PROTO_UDP);
        out.setU8(ip + 7, hopLimit);
        out.setU64(ip + 8, srcHi);
        out.setU64(ip + 16, srcLo);
        out.setU64(ip + 24, dstHi);
        out.setU64(ip + 32, dstLo);
        int udp = ip + 40;
        udpVxlan(out, udp, innerLen, srcPort, dstPort, vni);
        int c = Checksums.finish(Checksums.sum(b, udp, udpLen, Checksums.pseudoV6(b, ip + 8, ip + 24, Packet.PROTO_UDP, udpLen)));
        out.setU16(udp + 6, c == 0 ? 0xFFFF : c);
    }

    /** Resets {@code out} to the inner frame behind {@code overhead} bytes, writes the Ethernet header; returns where IP starts. */
    private static int ethernet(Packet out, Packet inner, int overhead, long srcMac, long dstMac, int etherType) {
        out.reset(overhead + inner.length());
        int s = out.start();
        System.arraycopy(inner.array(), inner.start(), out.array(), s + overhead, inner.length());
        out.setMac(s, dstMac);
        out.setMac(s + 6, srcMac);
        out.setU16(s + 12, etherType);
        return s + 14;
    }

    /** The UDP header (checksum 0 for now) and the VXLAN header (RFC 7348 5); returns the UDP length. */
    private static int udpVxlan(Packet out, int udp, int innerLen, int srcPort, int dstPort, int vni) {
        int udpLen = 8 + 8 + innerLen;
        out.setU16(udp, srcPort);
        out.setU16(udp + 2, dstPort);
        out.setU16(udp + 4, udpLen);
        out.setU16(udp + 6, 0);
        out.setU32(udp + 8, 0x0800_0000); // I flag: the VNI is valid
        out.setU32(udp + 12, vni << 8);
        return udpLen;
    }

    /** The outer UDP source port for an inner frame: a hash of its flow spread over Linux's range. */
    public static int sourcePort(Packet inner) {
        long h;
        if (inner.ipVersion() != 0) {
            h = inner.srcHi() * 31 + inner.srcLo();
            h = h * 0x9E3779B97F4A7C15L + inner.dstHi() * 31 + inner.dstLo();
            h = h * 0x9E3779B97F4A7C15L + inner.l4Proto();
            if (inner.hasPorts()) h = h * 0x9E3779B97F4A7C15L + ((long) inner.srcPort() << 16 | inner.dstPort());
        } else {
            h = inner.ethSrc() * 0x9E3779B97F4A7C15L + inner.ethDst();
        }
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 29;
        long hash = h & 0xFFFF_FFFFL;
        return (int) ((hash * (SRC_PORT_MAX - SRC_PORT_MIN)) >>> 32) + SRC_PORT_MIN;
    }
}
