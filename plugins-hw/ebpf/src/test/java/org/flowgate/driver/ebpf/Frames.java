package org.flowgate.driver.ebpf;

import java.nio.ByteBuffer;

import org.flowgate.api.net.IpAddress;

/** Ethernet/IPv4/IPv6/UDP frames built byte by byte (RFC 791, 8200, 768) with full checksums, and their parse. */
final class Frames {
    static final int ETH = 14;

    private Frames() { }

    static final int TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08, TCP_ACK = 0x10;

    static byte[] udp(long dstMac, long srcMac, IpAddress src, int sport, IpAddress dst, int dport, int ttl, byte[] payload) {
        return frame(17, dstMac, srcMac, src, sport, dst, dport, ttl, 0, payload);
    }

    /** A TCP segment (20-byte header, sequence 1000, ack 2000, window 65535) with {@code flags}. */
    static byte[] tcp(long dstMac, long srcMac, IpAddress src, int sport, IpAddress dst, int dport, int ttl, int flags, byte[] payload) {
        return frame(6, dstMac, srcMac, src, sport, dst, dport, ttl, flags, payload);
    }

    private static byte[] frame(int proto, long dstMac, long srcMac, IpAddress src, int sport, IpAddress dst, int dport, int ttl,
            int tcpFlags, byte[] payload) {
        boolean v4 = src.isV4();
        int l4Hdr = proto == 6 ? 20 : 8;
        int l3 = v4 ? 20 : 40, udpLen = l4Hdr + payload.length;
        ByteBuffer b = ByteBuffer.allocate(ETH + l3 + udpLen);
        putMac(b, dstMac);
        putMac(b, srcMac);
        b.putShort((short) (v4 ? 0x0800 : 0x86DD));
        if (v4) {
            b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + udpLen)).putShort((short) 0x1234).putShort((short) 0x4000)
                    .put((byte) ttl).put((byte) proto).putShort((short) 0).put(src.toBytes()).put(dst.toBytes());
        } else {
            b.putInt(0x6000_0000).putShort((short) udpLen).put((byte) proto).put((byte) ttl).put(src.toBytes()).put(dst.toBytes());
        }
        b.putShort((short) sport).putShort((short) dport);
        if (proto == 6) {
            b.putInt(1000).putInt(2000).put((byte) 0x50).put((byte) tcpFlags).putShort((short) 0xFFFF).putShort((short) 0).putShort((short) 0);
        } else {
            b.putShort((short) udpLen).putShort((short) 0);
        }
        b.put(payload);
        byte[] f = b.array();
        if (v4) putShort(f, ETH + 10, ~sum(f, ETH, 20, 0) & 0xFFFF);
        int c = ~l4Sum(f) & 0xFFFF;
        if (proto == 17 && c == 0) c = 0xFFFF;
        putShort(f, ETH + l3 + (proto == 6 ? 16 : 6), c);
        return f;
    }

    /** The frame with an 802.1Q tag for {@code vid} inserted after the MACs. */
    static byte[] withVlan(byte[] f, int vid) {
        byte[] t = new byte[f.length + 4];
        System.arraycopy(f, 0, t, 0, 12);
        t[12] = (byte) 0x81;
        t[14] = (byte) (vid >>> 8);
        t[15] = (byte) vid;
        System.arraycopy(f, 12, t, 16, f.length - 12);
        return t;
    }

    /** The VLAN id of a tagged frame, -1 untagged. */
    static int vlan(byte[] f) { return u16(f, 12) == 0x8100 ? u16(f, 14) & 0xFFF : -1; }

    /** The frame without its 802.1Q tag (as is when untagged). */
    static byte[] untagged(byte[] f) {
        if (vlan(f) < 0) return f;
        byte[] u = new byte[f.length - 4];
        System.arraycopy(f, 0, u, 0, 12);
        System.arraycopy(f, 16, u, 12, f.length - 16);
        return u;
    }

    static boolean isIp(byte[] f) { return f.length > ETH + 20 && (u16(f, 12) == 0x0800 || u16(f, 12) == 0x86DD); }

    static boolean v4(byte[] f) { return u16(f, 12) == 0x0800; }

    static int l3Len(byte[] f) { return v4(f) ? 20 : 40; }

    static int proto(byte[] f) { return v4(f) ? f[ETH + 9] & 0xFF : f[ETH + 6] & 0xFF; }

    static int ttl(byte[] f) { return v4(f) ? f[ETH + 8] & 0xFF : f[ETH + 7] & 0xFF; }

    static IpAddress src(byte[] f) { return addr(f, v4(f) ? ETH + 12 : ETH + 8, v4(f)); }

    static IpAddress dst(byte[] f) { return addr(f, v4(f) ? ETH + 16 : ETH + 24, v4(f)); }

    static int sport(byte[] f) { return u16(f, ETH + l3Len(f)); }

    static int dport(byte[] f) { return u16(f, ETH + l3Len(f) + 2); }

    static long dstMac(byte[] f) { return mac(f, 0); }

    static long srcMac(byte[] f) { return mac(f, 6); }

    static boolean ipv4HeaderChecksumOk(byte[] f) { return !v4(f) || (sum(f, ETH, 20, 0) & 0xFFFF) == 0xFFFF; }

    /** The TCP/UDP checksum over pseudo-header and segment verifies (sums to 0xFFFF). */
    static boolean l4ChecksumOk(byte[] f) { return (l4Sum(f) & 0xFFFF) == 0xFFFF; }

    private static int l4Sum(byte[] f) {
        boolean v4 = v4(f);
        int l3 = v4 ? 20 : 40;
        int l4Len = v4 ? u16(f, ETH + 2) - 20 : u16(f, ETH + 4);
        int s = v4 ? sum(f, ETH + 12, 8, 0) : sum(f, ETH + 8, 32, 0);
        s += proto(f) + l4Len;
        return sum(f, ETH + l3, l4Len, s);
    }

    private static int sum(byte[] f, int off, int len, int initial) {
        long s = initial;
        for (int i = 0; i + 1 < len; i += 2) s += u16(f, off + i);
        if ((len & 1) != 0) s += (f[off + len - 1] & 0xFF) << 8;
        while ((s >>> 16) != 0) s = (s & 0xFFFF) + (s >>> 16);
        return (int) s;
    }

    private static IpAddress addr(byte[] f, int off, boolean v4) {
        byte[] a = new byte[v4 ? 4 : 16];
        System.arraycopy(f, off, a, 0, a.length);
        return IpAddress.of(a);
    }

    private static long mac(byte[] f, int off) {
        long m = 0;
        for (int i = 0; i < 6; i++) m = (m << 8) | (f[off + i] & 0xFF);
        return m;
    }

    static int u16(byte[] f, int off) { return ((f[off] & 0xFF) << 8) | (f[off + 1] & 0xFF); }

    private static void putShort(byte[] f, int off, int v) {
        f[off] = (byte) (v >>> 8);
        f[off + 1] = (byte) v;
    }

    private static void putMac(ByteBuffer b, long mac) {
        for (int i = 5; i >= 0; i--) b.put((byte) (mac >>> (8 * i)));
    }
}
