package org.flowgate.packet;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * Frames built byte by byte from the RFC layouts, with checksums computed here (independently
 * of the code under test).
 */
public final class TestFrames {
    private TestFrames() {}

    public static final long BCAST = 0xFFFF_FFFF_FFFFL;

    /** RFC 1071 checksum of {@code len} bytes, with an initial 32-bit sum. */
    public static int csum(byte[] b, int off, int len, long init) {
        long s = init;
        for (int i = 0; i < len; i++) s += (b[off + i] & 0xFF) << ((i & 1) == 0 ? 8 : 0);
        while ((s >> 16) != 0) s = (s & 0xFFFF) + (s >> 16);
        return (int) (~s & 0xFFFF);
    }

    public static int ip4(String dotted) {
        String[] p = dotted.split("\\.");
        return (Integer.parseInt(p[0]) << 24) | (Integer.parseInt(p[1]) << 16) | (Integer.parseInt(p[2]) << 8) | Integer.parseInt(p[3]);
    }

    public static byte[] ip6(String literal) {
        try {
            return java.net.InetAddress.getByName(literal).getAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static byte[] mac(long m) {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) b[i] = (byte) (m >>> (40 - 8 * i));
        return b;
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }

    public static byte[] eth(long dst, long src, int type, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + payload.length);
        b.put(mac(dst)).put(mac(src)).putShort((short) type).put(payload);
        return b.array();
    }

    public static byte[] ethVlan(long dst, long src, int tci, int type, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(18 + payload.length);
        b.put(mac(dst)).put(mac(src)).putShort((short) 0x8100).putShort((short) tci).putShort((short) type).put(payload);
        return b.array();
    }

    /** Pads a frame to the 60-byte Ethernet minimum, as a NIC delivers it. */
    public static byte[] pad(byte[] frame) {
        return frame.length >= 60 ? frame : java.util.Arrays.copyOf(frame, 60);
    }

    // ---- IPv4 ----

    public static byte[] ipv4(int src, int dst, int proto, int ttl, int flagsFrag, int id, byte[] options, byte[] payload) {
        int hl = 20 + options.length;
        ByteBuffer b = ByteBuffer.allocate(hl + payload.length);
        b.put((byte) (0x40 | hl / 4)).put((byte) 0).putShort((short) (hl + payload.length)).putShort((short) id)
                .putShort((short) flagsFrag).put((byte) ttl).put((byte) proto).putShort((short) 0).putInt(src).putInt(dst)
                .put(options).put(payload);
        byte[] a = b.array();
        int c = csum(a, 0, hl, 0);
        a[10] = (byte) (c >> 8);
        a[11] = (byte) c;
        return a;
    }

    public static byte[] ipv4(int src, int dst, int proto, int ttl, byte[] payload) {
        return ipv4(src, dst, proto, ttl, 0, 0x1234, new byte[0], payload);
    }

    public static long pseudo4(int src, int dst, int proto, int len) {
        return (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + proto + len;
    }

    public static byte[] udp4(int src, int dst, int sport, int dport, byte[] data) {
        byte[] u = ByteBuffer.allocate(8 + data.length).putShort((short) sport).putShort((short) dport)
                .putShort((short) (8 + data.length)).putShort((short) 0).put(data).array();
        int c = csum(u, 0, u.length, pseudo4(src, dst, 17, u.length));
        if (c == 0) c = 0xFFFF;
        u[6] = (byte) (c >> 8);
        u[7] = (byte) c;
        return u;
    }

    public static byte[] tcp4(int src, int dst, int sport, int dport, int seq, int ack, int flags, byte[] data) {
        byte[] t = tcp(sport, dport, seq, ack, flags, data);
        int c = csum(t, 0, t.length, pseudo4(src, dst, 6, t.length));
        t[16] = (byte) (c >> 8);
        t[17] = (byte) c;
        return t;
    }

    static byte[] tcp(int sport, int dport, int seq, int ack, int flags, byte[] data) {
        return ByteBuffer.allocate(20 + data.length).putShort((short) sport).putShort((short) dport).putInt(seq).putInt(ack)
                .put((byte) 0x50).put((byte) flags).putShort((short) 65535).putShort((short) 0).putShort((short) 0).put(data).array();
    }

    public static byte[] icmp4(int type, int code, int rest, byte[] data) {
        byte[] m = ByteBuffer.allocate(8 + data.length).put((byte) type).put((byte) code).putShort((short) 0).putInt(rest).put(data).array();
        int c = csum(m, 0, m.length, 0);
        m[2] = (byte) (c >> 8);
        m[3] = (byte) c;
        return m;
    }

    /** A complete Ethernet + IPv4 + ICMP echo request frame. */
    public static byte[] ping4(long dstMac, long srcMac, int src, int dst, int ttl, int id, int seq, byte[] data) {
        return eth(dstMac, srcMac, 0x0800, ipv4(src, dst, 1, ttl, icmp4(8, 0, (id << 16) | seq, data)));
    }

    public static byte[] arp(int op, long sha, int spa, long tha, int tpa) {
        return ByteBuffer.allocate(28).putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4)
                .putShort((short) op).put(mac(sha)).putInt(spa).put(mac(tha)).putInt(tpa).array();
    }

    // ---- IPv6 ----

    public static byte[] ipv6(byte[] src, byte[] dst, int nextHeader, int hopLimit, byte[] payload) {
        return ByteBuffer.allocate(40 + payload.length).putInt(0x6000_0000).putShort((short) payload.length)
                .put((byte) nextHeader).put((byte) hopLimit).put(src).put(dst).put(payload).array();
    }

    public static long pseudo6(byte[] src, byte[] dst, int nh, int len) {
        long s = 0;
        for (int i = 0; i < 16; i += 2) s += ((src[i] & 0xFF) << 8) | (src[i + 1] & 0xFF);
        for (int i = 0; i < 16; i += 2) s += ((dst[i] & 0xFF) << 8) | (dst[i + 1] & 0xFF);
        return s + (len >>> 16) + (len & 0xFFFF) + nh;
    }

    /** An ICMPv6 message with its checksum. */
    public static byte[] icmp6(byte[] src, byte[] dst, int type, int code, byte[] body) {
        byte[] m = ByteBuffer.allocate(4 + body.length).put((byte) type).put((byte) code).putShort((short) 0).put(body).array();
        int c = csum(m, 0, m.length, pseudo6(src, dst, 58, m.length));
        m[2] = (byte) (c >> 8);
        m[3] = (byte) c;
        return m;
    }

    public static byte[] udp6(byte[] src, byte[] dst, int sport, int dport, byte[] data) {
        byte[] u = ByteBuffer.allocate(8 + data.length).putShort((short) sport).putShort((short) dport)
                .putShort((short) (8 + data.length)).putShort((short) 0).put(data).array();
        int c = csum(u, 0, u.length, pseudo6(src, dst, 17, u.length));
        if (c == 0) c = 0xFFFF;
        u[6] = (byte) (c >> 8);
        u[7] = (byte) c;
        return u;
    }

    public static byte[] ping6(long dstMac, long srcMac, byte[] src, byte[] dst, int hop, int id, int seq, byte[] data) {
        byte[] body = ByteBuffer.allocate(4 + data.length).putShort((short) id).putShort((short) seq).put(data).array();
        return eth(dstMac, srcMac, 0x86DD, ipv6(src, dst, 58, hop, icmp6(src, dst, 128, 0, body)));
    }

    /** Neighbour solicitation body (after type/code/checksum): reserved, target, optional SLLAO. */
    public static byte[] nsBody(byte[] target, long sll) {
        ByteBuffer b = ByteBuffer.allocate(4 + 16 + (sll >= 0 ? 8 : 0)).putInt(0).put(target);
        if (sll >= 0) b.put((byte) 1).put((byte) 1).put(mac(sll));
        return b.array();
    }

    public static byte[] naBody(int flags, byte[] target, long tll) {
        ByteBuffer b = ByteBuffer.allocate(4 + 16 + (tll >= 0 ? 8 : 0)).putInt(flags).put(target);
        if (tll >= 0) b.put((byte) 2).put((byte) 1).put(mac(tll));
        return b.array();
    }

    public static byte[] solicitedNode(byte[] addr) {
        byte[] g = ip6("ff02::1:ff00:0");
        g[13] = addr[13];
        g[14] = addr[14];
        g[15] = addr[15];
        return g;
    }

    public static long solicitedNodeMac(byte[] addr) {
        return 0x3333_FF00_0000L | ((addr[13] & 0xFFL) << 16) | ((addr[14] & 0xFFL) << 8) | (addr[15] & 0xFFL);
    }

    // ---- reading ----

    public static int u8(byte[] f, int i) { return f[i] & 0xFF; }

    public static int u16(byte[] f, int i) { return ((f[i] & 0xFF) << 8) | (f[i + 1] & 0xFF); }

    public static int u32(byte[] f, int i) { return (u16(f, i) << 16) | u16(f, i + 2); }

    public static long mac(byte[] f, int i) {
        long v = 0;
        for (int k = 0; k < 6; k++) v = (v << 8) | (f[i + k] & 0xFF);
        return v;
    }

    public static byte[] slice(byte[] f, int from, int len) { return java.util.Arrays.copyOfRange(f, from, from + len); }
}
