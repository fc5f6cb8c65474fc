package org.flowgate.tc.support;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.MacAddress;

/** Builds and checks frames byte by byte from the RFC layouts (Ethernet II, 802.1Q, RFC 791, 793, 768, 792, 7348). */
public final class Frames {
    private Frames() {}

    public static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

    public static byte[] eth(MacAddress dst, MacAddress src, int type, byte[] payload) {
        byte[] b = new byte[14 + payload.length];
        dst.write(b, 0);
        src.write(b, 6);
        put16(b, 12, type);
        System.arraycopy(payload, 0, b, 14, payload.length);
        return b;
    }

    /** An 802.1Q-tagged frame. */
    public static byte[] ethVlan(MacAddress dst, MacAddress src, int tci, int type, byte[] payload) {
        byte[] b = new byte[18 + payload.length];
        dst.write(b, 0);
        src.write(b, 6);
        put16(b, 12, 0x8100);
        put16(b, 14, tci);
        put16(b, 16, type);
        System.arraycopy(payload, 0, b, 18, payload.length);
        return b;
    }

    public static byte[] tcp(int sport, int dport, int seq, int ack, int flags, int window, byte[] payload) {
        byte[] b = new byte[20 + payload.length];
        put16(b, 0, sport); put16(b, 2, dport); put32(b, 4, seq); put32(b, 8, ack);
        b[12] = 0x50;
        b[13] = (byte) flags;
        put16(b, 14, window);
        System.arraycopy(payload, 0, b, 20, payload.length);
        return b;
    }

    public static byte[] udp(int sport, int dport, byte[] payload) {
        byte[] b = new byte[8 + payload.length];
        put16(b, 0, sport); put16(b, 2, dport); put16(b, 4, b.length);
        System.arraycopy(payload, 0, b, 8, payload.length);
        return b;
    }

    public static byte[] echo(int type, int id, int seq) {
        byte[] b = new byte[16];
        b[0] = (byte) type;
        put16(b, 4, id); put16(b, 6, seq);
        return b;
    }

    /** An IPv4 packet with TTL 64 and tos 0; header and TCP/UDP/ICMP checksums filled. */
    public static byte[] ipv4(IpAddress src, IpAddress dst, int proto, byte[] l4) { return ipv4(src, dst, proto, 64, 0, l4); }

    public static byte[] ipv4(IpAddress src, IpAddress dst, int proto, int ttl, int tos, byte[] l4) {
        byte[] b = new byte[20 + l4.length];
        b[0] = 0x45;
        b[1] = (byte) tos;
        put16(b, 2, b.length);
        put16(b, 4, 0x1234);
        b[8] = (byte) ttl;
        b[9] = (byte) proto;
        System.arraycopy(src.toBytes(), 0, b, 12, 4);
        System.arraycopy(dst.toBytes(), 0, b, 16, 4);
        System.arraycopy(l4, 0, b, 20, l4.length);
        put16(b, 10, checksum(b, 0, 20, 0));
        fillL4Checksum(b, 0);
        return b;
    }

    /** An IPv6 packet (hop limit 64) with its TCP/UDP checksum. */
    public static byte[] ipv6(IpAddress src, IpAddress dst, int proto, byte[] l4) {
        byte[] b = new byte[40 + l4.length];
        b[0] = 0x60;
        put16(b, 4, l4.length);
        b[6] = (byte) proto;
        b[7] = 64;
        System.arraycopy(src.toBytes(), 0, b, 8, 16);
        System.arraycopy(dst.toBytes(), 0, b, 24, 16);
        System.arraycopy(l4, 0, b, 40, l4.length);
        int at = proto == 6 ? 40 + 16 : 40 + 6;
        long s = pseudo6(b, 0, proto, l4.length);
        put16(b, at, checksum(b, 40, l4.length, s));
        return b;
    }

    static long pseudo6(byte[] b, int ip, int proto, int len) {
        long s = 0;
        for (int i = 8; i < 40; i += 2) s += get16(b, ip + i);
        return s + proto + len;
    }

    /** Fills the TCP/UDP/ICMP checksum of the IPv4 packet at {@code ip}. */
    public static void fillL4Checksum(byte[] b, int ip) {
        int ihl = (b[ip] & 0x0F) * 4;
        int total = get16(b, ip + 2);
        int proto = b[ip + 9] & 0xFF;
        int l4 = ip + ihl, len = total - ihl;
        int at = switch (proto) { case 6 -> l4 + 16; case 17 -> l4 + 6; case 1 -> l4 + 2; default -> -1; };
        if (at < 0) return;
        put16(b, at, 0);
        long init = proto == 1 ? 0 : pseudo4(b, ip, proto, len);
        int c = checksum(b, l4, len, init);
        if (proto == 17 && c == 0) c = 0xFFFF;
        put16(b, at, c);
    }

    static long pseudo4(byte[] b, int ip, int proto, int len) {
        return get16(b, ip + 12) + get16(b, ip + 14) + get16(b, ip + 16) + get16(b, ip + 18) + proto + len;
    }

    /** Whether the IPv4 header and the TCP/UDP/ICMP checksum of the packet at {@code ip} verify (UDP 0 = none). */
    public static boolean checksumsOk(byte[] b, int ip) {
        int ihl = (b[ip] & 0x0F) * 4;
        if (checksum(b, ip, ihl, 0) != 0) return false;
        int total = get16(b, ip + 2);
        int proto = b[ip + 9] & 0xFF;
        int l4 = ip + ihl, len = total - ihl;
        if (proto == 17 && get16(b, l4 + 6) == 0) return true;
        long init = proto == 1 ? 0 : pseudo4(b, ip, proto, len);
        return proto != 6 && proto != 17 && proto != 1 || checksum(b, l4, len, init) == 0;
    }

    public static int checksum(byte[] b, int off, int len, long init) {
        long s = init;
        int i = off;
        for (; i + 1 < off + len; i += 2) s += get16(b, i);
        if (i < off + len) s += (b[i] & 0xFF) << 8;
        while ((s >>> 16) != 0) s = (s & 0xFFFF) + (s >>> 16);
        return (int) (~s & 0xFFFF);
    }

    public static int get16(byte[] b, int i) { return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF); }

    public static int get32(byte[] b, int i) { return (get16(b, i) << 16) | get16(b, i + 2); }

    public static void put16(byte[] b, int i, int v) { b[i] = (byte) (v >>> 8); b[i + 1] = (byte) v; }

    public static void put32(byte[] b, int i, int v) { put16(b, i, v >>> 16); put16(b, i + 2, v); }

    public static IpAddress ip4At(byte[] b, int i) { return IpAddress.of(java.util.Arrays.copyOfRange(b, i, i + 4)); }

    public static MacAddress macAt(byte[] b, int i) { return MacAddress.of(b, i); }
}
