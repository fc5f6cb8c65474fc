package org.flowgate.packet.frame;

import java.util.concurrent.atomic.AtomicInteger;

import org.flowgate.api.packet.Checksums;
import org.flowgate.api.packet.Packet;

/** Writers for the headers of frames the router builds itself (replies, errors, probes). */
public final class Frames {
    private Frames() {}

    public static final int IPV4_HLEN = 20;
    public static final int IPV6_HLEN = 40;
    public static final long BROADCAST_MAC = 0xFFFF_FFFF_FFFFL;

    private static final AtomicInteger IP_ID = new AtomicInteger((int) System.nanoTime());

    /** Starts a frame of {@code frameLen} bytes in {@code p}: Ethernet header with the EtherType; returns the L3 index. */
    public static int ethernet(Packet p, int frameLen, long dstMac, long srcMac, int etherType) {
        p.reset(frameLen);
        int s = p.start();
        p.setMac(s, dstMac);
        p.setMac(s + 6, srcMac);
        p.setU16(s + 12, etherType);
        return s + Packet.ETH_HLEN;
    }

    /** An IPv4 header without options, checksum filled in. */
    public static void ipv4(Packet p, int l3, int tos, int totalLen, boolean dontFragment, int ttl, int proto, int src, int dst) {
        p.setU8(l3, 0x45);
        p.setU8(l3 + 1, tos);
        p.setU16(l3 + 2, totalLen);
        p.setU16(l3 + 4, IP_ID.getAndIncrement() & 0xFFFF);
        p.setU16(l3 + 6, dontFragment ? 0x4000 : 0);
        p.setU8(l3 + 8, ttl);
        p.setU8(l3 + 9, proto);
        p.setU16(l3 + 10, 0);
        p.setU32(l3 + 12, src);
        p.setU32(l3 + 16, dst);
        p.setU16(l3 + 10, Checksums.checksum(p.array(), l3, IPV4_HLEN));
    }

    /** An IPv6 header (traffic class and flow label 0). */
    public static void ipv6(Packet p, int l3, int payloadLen, int nextHeader, int hopLimit, long srcHi, long srcLo, long dstHi, long dstLo) {
        p.setU32(l3, 0x6000_0000);
        p.setU16(l3 + 4, payloadLen);
        p.setU8(l3 + 6, nextHeader);
        p.setU8(l3 + 7, hopLimit);
        p.setU64(l3 + 8, srcHi);
        p.setU64(l3 + 16, srcLo);
        p.setU64(l3 + 24, dstHi);
        p.setU64(l3 + 32, dstLo);
    }

    /** Computes and stores the ICMPv4 checksum of {@code len} bytes at {@code l4}. */
    public static void icmpv4Checksum(Packet p, int l4, int len) {
        p.setU16(l4 + 2, 0);
        p.setU16(l4 + 2, Checksums.checksum(p.array(), l4, len));
    }

    /** Computes and stores a TCP/UDP/ICMPv6 checksum over an IPv6 pseudo header. */
    public static void l4ChecksumV6(Packet p, int l3, int l4, int len, int proto, int csumOff) {
        p.setU16(csumOff, 0);
        long s = Checksums.pseudoV6(p.array(), l3 + 8, l3 + 24, proto, len);
        int c = Checksums.finish(Checksums.sum(p.array(), l4, len, s));
        if (proto == Packet.PROTO_UDP && c == 0) c = 0xFFFF;
        p.setU16(csumOff, c);
    }

    /** Computes and stores a TCP/UDP checksum over an IPv4 pseudo header. */
    public static void l4ChecksumV4(Packet p, int l3, int l4, int len, int proto, int csumOff) {
        p.setU16(csumOff, 0);
        long s = Checksums.pseudoV4(p.u32(l3 + 12), p.u32(l3 + 16), proto, len);
        int c = Checksums.finish(Checksums.sum(p.array(), l4, len, s));
        if (proto == Packet.PROTO_UDP && c == 0) c = 0xFFFF;
        p.setU16(csumOff, c);
    }

    /** Whether the transport checksum of a parsed packet verifies (UDP over IPv4 with checksum 0 does). */
    public static boolean l4ChecksumOk(Packet p) {
        int l4 = p.l4();
        int len = p.l3End() - l4;
        int proto = p.l4Proto();
        if (p.isIpv4()) {
            if (proto == Packet.PROTO_ICMP) return Checksums.checksum(p.array(), l4, len) == 0;
            if (proto == Packet.PROTO_UDP && p.u16(l4 + 6) == 0) return true;
            long s = Checksums.pseudoV4(p.ipv4Src(), p.ipv4Dst(), proto, len);
            return Checksums.finish(Checksums.sum(p.array(), l4, len, s)) == 0;
        }
        long s = Checksums.pseudoV6(p.array(), p.l3() + 8, p.l3() + 24, proto, len);
        return Checksums.finish(Checksums.sum(p.array(), l4, len, s)) == 0;
    }

    /** The Ethernet multicast address of an IPv6 multicast group (RFC 2464: 33:33 + low 32 bits). */
    public static long ipv6MulticastMac(long lo) { return 0x3333_0000_0000L | (lo & 0xFFFF_FFFFL); }

    /** The Ethernet multicast address of an IPv4 multicast group (RFC 1112: 01:00:5e + low 23 bits). */
    public static long ipv4MulticastMac(int addr) { return 0x0100_5E00_0000L | (addr & 0x7F_FFFF); }
}
