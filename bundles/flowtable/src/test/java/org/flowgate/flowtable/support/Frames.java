package org.flowgate.flowtable.support;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Checksums;
import org.flowgate.api.packet.Packet;

/**
 * Builds Ethernet frames byte by byte from the RFC layouts (RFC 894 Ethernet, IEEE 802.1Q, RFC 791
 * IPv4, RFC 8200 IPv6, RFC 793 TCP, RFC 768 UDP), with correct checksums, and verifies checksums
 * from scratch.
 */
public final class Frames {
    public static final int TCP = 6, UDP = 17, ICMP = 1;

    public long dstMac, srcMac;
    public int vlan = -1, vlanPcp;
    public IpAddress src, dst;
    public int proto = TCP, srcPort, dstPort;
    public int ttl = 64, tcpFlags = 0x10, payload = 6;
    public boolean ipOptions, moreFragments, ipv6HopByHop;
    public int fragmentOffset;
    /** Send a UDP datagram without checksum (0). */
    public boolean udpNoChecksum;

    public static Frames tcp(long dstMac, long srcMac, String src, int sport, String dst, int dport) {
        Frames f = new Frames();
        f.dstMac = dstMac; f.srcMac = srcMac; f.src = IpAddress.parse(src); f.dst = IpAddress.parse(dst);
        f.srcPort = sport; f.dstPort = dport;
        return f;
    }

    public Frames udp() { proto = UDP; return this; }

    public byte[] build() {
        boolean v6 = src.family() == IpAddress.IPV6;
        int l4len = switch (proto) { case TCP -> 20; case UDP -> 8; default -> 8; } + payload;
        int ipHdr = v6 ? 40 + (ipv6HopByHop ? 8 : 0) : 20 + (ipOptions ? 4 : 0);
        int l2 = 14 + (vlan >= 0 ? 4 : 0);
        byte[] b = new byte[l2 + ipHdr + l4len];
        mac(b, 0, dstMac);
        mac(b, 6, srcMac);
        int p = 12;
        if (vlan >= 0) { u16(b, p, 0x8100); u16(b, p + 2, (vlanPcp << 13) | vlan); p += 4; }
        u16(b, p, v6 ? 0x86DD : 0x0800);
        int l3 = l2, l4 = l2 + ipHdr;
        if (v6) {
            b[l3] = 0x60;
            u16(b, l3 + 4, ipHdr - 40 + l4len);
            b[l3 + 6] = (byte) (ipv6HopByHop ? 0 : proto);
            b[l3 + 7] = (byte) ttl;
            u64(b, l3 + 8, src.hi()); u64(b, l3 + 16, src.lo()); u64(b, l3 + 24, dst.hi()); u64(b, l3 + 32, dst.lo());
            if (ipv6HopByHop) { b[l3 + 40] = (byte) proto; b[l3 + 41] = 0; b[l3 + 42] = 1; b[l3 + 43] = 4; } // PadN
        } else {
            b[l3] = (byte) (0x40 | ipHdr / 4);
            u16(b, l3 + 2, ipHdr + l4len);
            u16(b, l3 + 4, 0x1234);
            u16(b, l3 + 6, (moreFragments ? 0x2000 : 0) | fragmentOffset);
            b[l3 + 8] = (byte) ttl;
            b[l3 + 9] = (byte) proto;
            u32(b, l3 + 12, src.v4()); u32(b, l3 + 16, dst.v4());
            if (ipOptions) { b[l3 + 20] = 1; b[l3 + 21] = 1; b[l3 + 22] = 1; b[l3 + 23] = 0; } // NOP NOP NOP EOL
            u16(b, l3 + 10, Checksums.checksum(b, l3, ipHdr));
        }
        for (int i = 0; i < payload; i++) b[b.length - payload + i] = (byte) ('a' + i);
        switch (proto) {
            case TCP -> {
                u16(b, l4, srcPort); u16(b, l4 + 2, dstPort);
                u32(b, l4 + 4, 1000); u32(b, l4 + 8, 2000);
                b[l4 + 12] = 0x50; b[l4 + 13] = (byte) tcpFlags; u16(b, l4 + 14, 65535);
                u16(b, l4 + 16, l4Checksum(b, l3, l4, v6));
            }
            case UDP -> {
                u16(b, l4, srcPort); u16(b, l4 + 2, dstPort); u16(b, l4 + 4, l4len);
                if (!udpNoChecksum) {
                    int c = l4Checksum(b, l3, l4, v6);
                    u16(b, l4 + 6, c == 0 ? 0xFFFF : c);
                }
            }
            default -> { b[l4] = 8; u16(b, l4 + 2, Checksums.checksum(b, l4, l4len)); } // ICMP echo
        }
        return b;
    }

    public Packet packet() {
        byte[] b = build();
        Packet p = new Packet();
        p.setFrame(b, 0, b.length);
        if (p.parse() != null) throw new IllegalStateException("test frame does not parse: " + p.parse());
        return p;
    }

    /** The TCP/UDP checksum over the pseudo header and segment, with the checksum field as zero. */
    private static int l4Checksum(byte[] b, int l3, int l4, boolean v6) {
        int len = b.length - l4;
        int proto = v6 ? lastNextHeader(b, l3) : b[l3 + 9] & 0xFF;
        long pseudo = v6 ? Checksums.pseudoV6(b, l3 + 8, l3 + 24, proto, len)
                : Checksums.pseudoV4(u32(b, l3 + 12), u32(b, l3 + 16), proto, len);
        return Checksums.finish(Checksums.sum(b, l4, len, pseudo));
    }

    private static int lastNextHeader(byte[] b, int l3) {
        int next = b[l3 + 6] & 0xFF;
        return next == 0 ? b[l3 + 40] & 0xFF : next;
    }

    // ---- verification from scratch ----

    /** True when the IPv4 header checksum of the frame sums to zero. */
    public static boolean ipv4HeaderOk(byte[] f, int l3) {
        int ihl = (f[l3] & 0x0F) * 4;
        return Checksums.checksum(f, l3, ihl) == 0;
    }

    /** True when the TCP/UDP checksum verifies over pseudo header and segment (a zero UDP checksum is "none"). */
    public static boolean l4Ok(byte[] f, int l3, int l4) {
        boolean v6 = (f[l3] & 0xF0) == 0x60;
        int proto = v6 ? lastNextHeader(f, l3) : f[l3 + 9] & 0xFF;
        int len = v6 ? u16(f, l3 + 4) + 40 - (l4 - l3) : u16(f, l3 + 2) - (l4 - l3);
        if (proto == UDP && u16(f, l4 + 6) == 0) return !v6;
        long pseudo = v6 ? Checksums.pseudoV6(f, l3 + 8, l3 + 24, proto, len) : Checksums.pseudoV4(u32(f, l3 + 12), u32(f, l3 + 16), proto, len);
        return Checksums.finish(Checksums.sum(f, l4, len, pseudo)) == 0;
    }

    // ---- byte helpers ----

    public static void mac(byte[] b, int o, long m) { for (int i = 0; i < 6; i++) b[o + i] = (byte) (m >>> (40 - 8 * i)); }

    public static long mac(byte[] b, int o) { long m = 0; for (int i = 0; i < 6; i++) m = (m << 8) | (b[o + i] & 0xFF); return m; }

    public static void u16(byte[] b, int o, int v) { b[o] = (byte) (v >>> 8); b[o + 1] = (byte) v; }

    public static int u16(byte[] b, int o) { return (b[o] & 0xFF) << 8 | (b[o + 1] & 0xFF); }

    public static void u32(byte[] b, int o, int v) { u16(b, o, v >>> 16); u16(b, o + 2, v); }

    public static int u32(byte[] b, int o) { return u16(b, o) << 16 | u16(b, o + 2); }

    public static void u64(byte[] b, int o, long v) { u32(b, o, (int) (v >>> 32)); u32(b, o + 4, (int) v); }

    public static long u64(byte[] b, int o) { return ((long) u32(b, o) << 32) | (u32(b, o + 4) & 0xFFFF_FFFFL); }
}
