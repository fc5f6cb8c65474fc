package org.flowgate.io.virtual.frame;

import org.flowgate.api.packet.Checksums;

/**
 * Writes protocol headers byte by byte into a buffer, as the RFCs lay them out. Every method
 * takes an absolute index and returns the index just past what it wrote; nothing allocates.
 */
public final class Frames {
    private Frames() {}

    public static final long BROADCAST_MAC = 0xFFFF_FFFF_FFFFL;
    public static final int ETH_MIN_FRAME = 60; // without the FCS
    public static final int IPV4_HLEN = 20;
    public static final int IPV6_HLEN = 40;
    public static final int UDP_HLEN = 8;
    public static final int TCP_HLEN = 20;
    /** SYN options we send: MSS (4), NOP (1), window scale (3). */
    public static final int TCP_SYN_OPTIONS = 8;

    public static final int TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08, TCP_ACK = 0x10;

    public static final int ICMP_ECHO_REPLY = 0, ICMP_UNREACHABLE = 3, ICMP_ECHO_REQUEST = 8, ICMP_TIME_EXCEEDED = 11;
    public static final int ICMP6_UNREACHABLE = 1, ICMP6_PACKET_TOO_BIG = 2, ICMP6_TIME_EXCEEDED = 3,
            ICMP6_PARAM_PROBLEM = 4, ICMP6_ECHO_REQUEST = 128, ICMP6_ECHO_REPLY = 129,
            ICMP6_NEIGHBOUR_SOLICIT = 135, ICMP6_NEIGHBOUR_ADVERT = 136;
    /** NDP option types (RFC 4861 4.6). */
    public static final int NDP_OPT_SOURCE_LLADDR = 1, NDP_OPT_TARGET_LLADDR = 2;
    /** NS and NA with one link-layer address option: 24 bytes of message and 8 of option. */
    public static final int NDP_LENGTH = 32;

    /** ff02::1, all nodes. */
    public static final long ALL_NODES_HI = 0xFF02_0000_0000_0000L, ALL_NODES_LO = 1L;
    public static final long LINK_LOCAL_HI = 0xFE80_0000_0000_0000L;

    // ---- primitives ----

    public static void put16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }

    public static void put32(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }

    public static void put64(byte[] b, int i, long v) {
        put32(b, i, (int) (v >>> 32));
        put32(b, i + 4, (int) v);
    }

    public static void putMac(byte[] b, int i, long mac) {
        put16(b, i, (int) (mac >>> 32));
        put32(b, i + 2, (int) mac);
    }

    public static int get16(byte[] b, int i) { return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF); }

    public static int get32(byte[] b, int i) {
        return ((b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
    }

    public static long get64(byte[] b, int i) { return ((long) get32(b, i) << 32) | (get32(b, i + 4) & 0xFFFF_FFFFL); }

    public static long getMac(byte[] b, int i) { return ((long) get16(b, i) << 32) | (get32(b, i + 2) & 0xFFFF_FFFFL); }

    public static void zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) b[i] = 0;
    }

    // ---- Ethernet (IEEE 802.3) ----

    public static int ethernet(byte[] b, int off, long dst, long src, int etherType) {
        putMac(b, off, dst);
        putMac(b, off + 6, src);
        put16(b, off + 12, etherType);
        return off + 14;
    }

    // ---- ARP (RFC 826) for IPv4 over Ethernet ----

    public static int arp(byte[] b, int off, int op, long senderMac, int senderIp, long targetMac, int targetIp) {
        put16(b, off, 1);          // hardware type Ethernet
        put16(b, off + 2, 0x0800); // protocol type IPv4
        b[off + 4] = 6;
        b[off + 5] = 4;
        put16(b, off + 6, op);
        putMac(b, off + 8, senderMac);
        put32(b, off + 14, senderIp);
        putMac(b, off + 18, targetMac);
        put32(b, off + 24, targetIp);
        return off + 28;
    }

    // ---- IPv4 (RFC 791) ----

    /** A 20-byte header with its checksum; {@code df} sets Don't Fragment. */
    public static int ipv4(byte[] b, int off, int totalLength, int id, boolean df, int ttl, int proto, int src, int dst) {
        b[off] = 0x45;
        b[off + 1] = 0;
        put16(b, off + 2, totalLength);
        put16(b, off + 4, id);
        put16(b, off + 6, df ? 0x4000 : 0);
        b[off + 8] = (byte) ttl;
        b[off + 9] = (byte) proto;
        put16(b, off + 10, 0);
        put32(b, off + 12, src);
        put32(b, off + 16, dst);
        put16(b, off + 10, Checksums.checksum(b, off, IPV4_HLEN));
        return off + IPV4_HLEN;
    }

    // ---- IPv6 (RFC 8200) ----

    public static int ipv6(byte[] b, int off, int payloadLength, int nextHeader, int hopLimit,
            long srcHi, long srcLo, long dstHi, long dstLo) {
        put32(b, off, 0x6000_0000); // version 6, traffic class 0, flow label 0
        put16(b, off + 4, payloadLength);
        b[off + 6] = (byte) nextHeader;
        b[off + 7] = (byte) hopLimit;
        put64(b, off + 8, srcHi);
        put64(b, off + 16, srcLo);
        put64(b, off + 24, dstHi);
        put64(b, off + 32, dstLo);
        return off + IPV6_HLEN;
    }

    // ---- UDP (RFC 768), TCP (RFC 9293), ICMP (RFC 792), ICMPv6 (RFC 4443) ----

    /** A UDP header with a zero checksum; fill it with {@link #transportChecksum} once the payload is in place. */
    public static int udp(byte[] b, int off, int srcPort, int dstPort, int length) {
        put16(b, off, srcPort);
        put16(b, off + 2, dstPort);
        put16(b, off + 4, length);
        put16(b, off + 6, 0);
        return off + UDP_HLEN;
    }

    /** A TCP header of {@code 20 + optionsLength} bytes (options written by the caller), checksum zero. */
    public static int tcp(byte[] b, int off, int srcPort, int dstPort, int seq, int ack, int flags, int window, int optionsLength) {
        put16(b, off, srcPort);
        put16(b, off + 2, dstPort);
        put32(b, off + 4, seq);
        put32(b, off + 8, ack);
        b[off + 12] = (byte) (((TCP_HLEN + optionsLength) / 4) << 4);
        b[off + 13] = (byte) flags;
        put16(b, off + 14, window);
        put16(b, off + 16, 0);
        put16(b, off + 18, 0);
        return off + TCP_HLEN;
    }

    /** The SYN options: MSS, NOP, window scale (RFC 9293 3.2, RFC 7323 2.2). */
    public static int tcpSynOptions(byte[] b, int off, int mss, int windowScale) {
        b[off] = 2;
        b[off + 1] = 4;
        put16(b, off + 2, mss);
        b[off + 4] = 1;
        b[off + 5] = 3;
        b[off + 6] = 3;
        b[off + 7] = (byte) windowScale;
        return off + TCP_SYN_OPTIONS;
    }

    /** ICMP/ICMPv6 echo header (type, code 0, checksum 0, identifier, sequence). */
    public static int echo(byte[] b, int off, int type, int id, int seq) {
        b[off] = (byte) type;
        b[off + 1] = 0;
        put16(b, off + 2, 0);
        put16(b, off + 4, id);
        put16(b, off + 6, seq);
        return off + 8;
    }

    /** Offset of the checksum inside a transport header, -1 for a protocol without one we know. */
    public static int checksumOffset(int proto) {
        return switch (proto) {
            case 6 -> 16;
            case 17 -> 6;
            case 1, 58 -> 2;
            default -> -1;
        };
    }

    /**
     * Computes and stores the checksum of the transport segment at {@code l4} ({@code length}
     * bytes): with the IPv4 or IPv6 pseudo-header for TCP, UDP and ICMPv6; without one for ICMP.
     * The checksum field must be zero. A computed UDP checksum of 0 is sent as 0xFFFF (RFC 768).
     */
    public static void transportChecksum(byte[] b, int l3, int l4, int length, int proto) {
        long pseudo;
        if (proto == 1) pseudo = 0;
        else if ((b[l3] & 0xF0) == 0x40) pseudo = Checksums.pseudoV4(get32(b, l3 + 12), get32(b, l3 + 16), proto, length);
        else pseudo = Checksums.pseudoV6(b, l3 + 8, l3 + 24, proto, length);
        int c = Checksums.finish(Checksums.sum(b, l4, length, pseudo));
        if (c == 0 && proto == 17) c = 0xFFFF;
        put16(b, l4 + checksumOffset(proto), c);
    }

    /** Whether the transport checksum of a received segment is right (a UDP-over-IPv4 zero checksum means none). */
    public static boolean transportChecksumOk(byte[] b, int l3, int l4, int length, int proto) {
        if (proto == 17 && (b[l3] & 0xF0) == 0x40 && get16(b, l4 + 6) == 0) return true;
        long pseudo;
        if (proto == 1) pseudo = 0;
        else if ((b[l3] & 0xF0) == 0x40) pseudo = Checksums.pseudoV4(get32(b, l3 + 12), get32(b, l3 + 16), proto, length);
        else pseudo = Checksums.pseudoV6(b, l3 + 8, l3 + 24, proto, length);
        return Checksums.finish(Checksums.sum(b, l4, length, pseudo)) == 0;
    }

    // ---- NDP (RFC 4861) ----

    /**
     * A neighbour solicitation or advertisement (ICMPv6 checksum left to
     * {@link #transportChecksum}) with one link-layer address option.
     *
     * @param naFlags for an advertisement: R (0x80), S (0x40), O (0x20); 0 for a solicitation
     */
    public static int ndp(byte[] b, int off, int type, int naFlags, long targetHi, long targetLo, long lladdr) {
        b[off] = (byte) type;
        b[off + 1] = 0;
        put16(b, off + 2, 0);
        put32(b, off + 4, type == ICMP6_NEIGHBOUR_ADVERT ? naFlags << 24 : 0);
        put64(b, off + 8, targetHi);
        put64(b, off + 16, targetLo);
        b[off + 24] = (byte) (type == ICMP6_NEIGHBOUR_SOLICIT ? NDP_OPT_SOURCE_LLADDR : NDP_OPT_TARGET_LLADDR);
        b[off + 25] = 1; // length in units of 8 bytes
        putMac(b, off + 26, lladdr);
        return off + NDP_LENGTH;
    }

    /** Solicited-node multicast address ff02::1:ffXX:XXXX of an address (RFC 4291 2.7.1), high half. */
    public static final long SOLICITED_NODE_HI = 0xFF02_0000_0000_0000L;

    public static long solicitedNodeLo(long addrLo) { return 0x0000_0001_FF00_0000L | (addrLo & 0xFF_FFFFL); }

    /** Ethernet multicast MAC 33:33:xx:xx:xx:xx of an IPv6 multicast address (RFC 2464 7). */
    public static long ipv6MulticastMac(long addrLo) { return 0x3333_0000_0000L | (addrLo & 0xFFFF_FFFFL); }

    /** Modified EUI-64 interface identifier of a MAC (RFC 4291 appendix A): the link-local address's low half. */
    public static long eui64(long mac) {
        long hi24 = (mac >>> 24) ^ 0x02_0000L;
        return (hi24 << 40) | (0xFFFEL << 24) | (mac & 0xFF_FFFFL);
    }
}
