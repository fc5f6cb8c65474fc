package org.flowgate.conntrack.testing;

import java.io.ByteArrayOutputStream;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;

/** Builds frames byte by byte from the RFC layouts (Ethernet II, RFC 791, 8200, 793, 768, 792, 4443). */
public final class Frames {
    private Frames() {}

    public static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

    /** A TCP segment: header (with options, padded to 32 bits) and payload; checksum left 0, filled by {@link #ip}. */
    public static byte[] tcp(int sport, int dport, int seq, int ack, int flags, int window, byte[] options, byte[] payload) {
        int optLen = (options.length + 3) & ~3;
        int hlen = 20 + optLen;
        byte[] b = new byte[hlen + payload.length];
        put16(b, 0, sport); put16(b, 2, dport); put32(b, 4, seq); put32(b, 8, ack);
        b[12] = (byte) ((hlen / 4) << 4);
        b[13] = (byte) flags;
        put16(b, 14, window);
        System.arraycopy(options, 0, b, 20, options.length);
        System.arraycopy(payload, 0, b, hlen, payload.length);
        return b;
    }

    public static byte[] tcp(int sport, int dport, int seq, int ack, int flags, int window) {
        return tcp(sport, dport, seq, ack, flags, window, new byte[0], new byte[0]);
    }

    public static byte[] udp(int sport, int dport, byte[] payload) {
        byte[] b = new byte[8 + payload.length];
        put16(b, 0, sport); put16(b, 2, dport); put16(b, 4, b.length);
        System.arraycopy(payload, 0, b, 8, payload.length);
        return b;
    }

    /** ICMP / ICMPv6 echo request or reply (type 8/0 or 128/129). */
    public static byte[] echo(int type, int id, int seq, byte[] data) {
        byte[] b = new byte[8 + data.length];
        b[0] = (byte) type;
        put16(b, 4, id); put16(b, 6, seq);
        System.arraycopy(data, 0, b, 8, data.length);
        return b;
    }

    /** An ICMP error quoting {@code quoted} (an IP packet), truncated to IP header + 8 bytes as routers do (v4). */
    public static byte[] icmpError(int type, int code, byte[] quotedIp, int quoteLen) {
        int n = Math.min(quoteLen, quotedIp.length);
        byte[] b = new byte[8 + n];
        b[0] = (byte) type; b[1] = (byte) code;
        System.arraycopy(quotedIp, 0, b, 8, n);
        return b;
    }

    /**
     * An IP packet (no Ethernet) carrying {@code l4}; fills the IPv4 header checksum and the
     * TCP/UDP/ICMP/ICMPv6 checksum (UDP checksum left 0 when {@code udpZeroChecksum}).
     */
    public static byte[] ip(IpAddress src, IpAddress dst, int proto, byte[] l4, boolean udpZeroChecksum) {
        byte[] seg = l4.clone();
        int hl = src.isV4() ? 20 : 40;
        byte[] b = new byte[hl + seg.length];
        if (src.isV4()) {
            b[0] = 0x45;
            put16(b, 2, b.length);
            put16(b, 4, 0x1234);
            b[8] = 64;
            b[9] = (byte) proto;
            System.arraycopy(src.toBytes(), 0, b, 12, 4);
            System.arraycopy(dst.toBytes(), 0, b, 16, 4);
            put16(b, 10, checksum(b, 0, 20, 0));
        } else {
            b[0] = 0x60;
            put16(b, 4, seg.length);
            b[6] = (byte) proto;
            b[7] = 64;
            System.arraycopy(src.toBytes(), 0, b, 8, 16);
            System.arraycopy(dst.toBytes(), 0, b, 24, 16);
        }
        System.arraycopy(seg, 0, b, hl, seg.length);
        int csOff = switch (proto) {
            case Packet.PROTO_TCP -> 16;
            case Packet.PROTO_UDP -> udpZeroChecksum ? -1 : 6;
            case Packet.PROTO_ICMP, Packet.PROTO_ICMPV6 -> 2;
            default -> -1;
        };
        if (csOff >= 0) {
            long pseudo = proto == Packet.PROTO_ICMP ? 0 : pseudo(b, src.isV4(), proto, seg.length);
            int c = checksum(b, hl, seg.length, pseudo);
            if (proto == Packet.PROTO_UDP && c == 0) c = 0xFFFF;
            put16(b, hl + csOff, c);
        }
        return b;
    }

    public static byte[] ip(IpAddress src, IpAddress dst, int proto, byte[] l4) { return ip(src, dst, proto, l4, false); }

    /** An Ethernet frame around an IP packet. */
    public static byte[] eth(byte[] ip) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2});
        boolean v4 = (ip[0] >>> 4) == 4;
        o.write(v4 ? 0x08 : 0x86);
        o.write(v4 ? 0x00 : 0xDD);
        o.writeBytes(ip);
        return o.toByteArray();
    }

    /** A parsed packet holding the frame. */
    public static Packet packet(byte[] ipPacket) {
        Packet p = new Packet();
        byte[] f = eth(ipPacket);
        p.setFrame(f, 0, f.length);
        if (p.parse() != null) throw new AssertionError("test frame does not parse: " + p.parse());
        return p;
    }

    // ---- checksums from scratch, independent of the production code ----

    static long pseudo(byte[] b, boolean v4, int proto, int len) {
        long s = 0;
        if (v4) {
            s += sum(b, 12, 8);
        } else {
            s += sum(b, 8, 32);
        }
        return s + proto + (len >>> 16) + (len & 0xFFFF);
    }

    static long sum(byte[] b, int off, int len) {
        long s = 0;
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xFF;
            int lo = i + 1 < len ? b[off + i + 1] & 0xFF : 0;
            s += (hi << 8) | lo;
        }
        return s;
    }

    public static int checksum(byte[] b, int off, int len, long initial) {
        long s = initial + sum(b, off, len);
        while ((s >>> 16) != 0) s = (s & 0xFFFF) + (s >>> 16);
        return (int) (~s & 0xFFFF);
    }

    static void put16(byte[] b, int i, int v) { b[i] = (byte) (v >>> 8); b[i + 1] = (byte) v; }

    static void put32(byte[] b, int i, int v) { put16(b, i, v >>> 16); put16(b, i + 2, v); }

    public static int get16(byte[] b, int i) { return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF); }

    /**
     * Verifies every checksum of an IP packet from scratch: the IPv4 header checksum and the full
     * transport checksum (a UDP checksum of 0 means "none" and is accepted only when
     * {@code udpZeroAllowed}). For ICMP errors, also the quoted IPv4 header's checksum.
     */
    public static void verifyChecksums(byte[] ip, boolean udpZeroAllowed) {
        boolean v4 = (ip[0] >>> 4 & 0xF) == 4;
        int hl = v4 ? (ip[0] & 0xF) * 4 : 40;
        int len = v4 ? get16(ip, 2) : 40 + get16(ip, 4);
        int proto = v4 ? ip[9] & 0xFF : ip[6] & 0xFF;
        if (v4 && checksum(ip, 0, hl, 0) != 0) throw new AssertionError("bad IPv4 header checksum");
        int l4len = len - hl;
        switch (proto) {
            case Packet.PROTO_TCP, Packet.PROTO_ICMPV6 -> {
                if (checksum(ip, hl, l4len, pseudo(ip, v4, proto, l4len)) != 0) throw new AssertionError("bad " + proto + " checksum");
            }
            case Packet.PROTO_UDP -> {
                if (get16(ip, hl + 6) == 0) {
                    if (!udpZeroAllowed) throw new AssertionError("UDP checksum became 0");
                } else if (checksum(ip, hl, l4len, pseudo(ip, v4, proto, l4len)) != 0) {
                    throw new AssertionError("bad UDP checksum");
                }
            }
            case Packet.PROTO_ICMP -> {
                if (checksum(ip, hl, l4len, 0) != 0) throw new AssertionError("bad ICMP checksum");
            }
            default -> { }
        }
        if (proto == Packet.PROTO_ICMP && (ip[hl] == 3 || ip[hl] == 11) && l4len >= 28) {
            int q = hl + 8;
            int qhl = (ip[q] & 0xF) * 4;
            if (checksum(ip, q, qhl, 0) != 0) throw new AssertionError("bad quoted IPv4 header checksum");
        }
    }

    /** The IP packet (without Ethernet) of a packet's current frame. */
    public static byte[] ipBytes(Packet p) {
        return java.util.Arrays.copyOfRange(p.array(), p.l3(), p.l3End());
    }
}
