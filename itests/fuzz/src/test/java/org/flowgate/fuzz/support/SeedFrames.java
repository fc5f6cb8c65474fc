package org.flowgate.fuzz.support;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import org.flowgate.api.packet.Checksums;

/**
 * Valid frames of the demo topology, built byte by byte from the RFC layouts: the fuzz corpus's
 * seeds and the frames the parser fuzzers classify. Destination MAC = v0's (02:66:67:00:00:01),
 * source = h1's, unless stated.
 */
public final class SeedFrames {
    public static final byte[] V0_MAC = mac(0x02, 0x66, 0x67, 0, 0, 1), H1_MAC = mac(0x02, 0x66, 0x67, 0, 0, 2),
            BROADCAST = mac(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    public static final int H1 = ip(10, 0, 1, 2), H2 = ip(10, 0, 2, 2), V0 = ip(10, 0, 1, 1), OTHER = ip(10, 0, 2, 77);

    private SeedFrames() {}

    /** name -> frame, for the corpus. */
    public record Seed(String name, byte[] frame) {}

    public static List<Seed> seeds() {
        List<Seed> l = new ArrayList<>();
        l.add(new Seed("udp-h1-h2", ipv4(H1, H2, 17, udp(10000, 5001, new byte[18]), 64, 0)));
        l.add(new Seed("udp-h1-other", ipv4(H1, OTHER, 17, udp(10001, 5001, new byte[18]), 64, 0)));
        l.add(new Seed("udp-reject-9", ipv4(H1, H2, 17, udp(10002, 9, new byte[4]), 64, 0)));
        l.add(new Seed("udp-router-7", ipv4(H1, V0, 17, udp(10003, 7, new byte[4]), 64, 0)));
        l.add(new Seed("udp-router-closed", ipv4(H1, V0, 17, udp(10004, 5555, new byte[4]), 64, 0)));
        l.add(new Seed("udp-ttl1", ipv4(H1, H2, 17, udp(10005, 5001, new byte[8]), 1, 0)));
        l.add(new Seed("udp-fragment", ipv4(H1, H2, 17, udp(10006, 5001, new byte[16]), 64, 0x2000)));
        l.add(new Seed("udp-blocked-src", ipv4(ip(10, 0, 1, 210), H2, 17, udp(10007, 5001, new byte[8]), 64, 0)));
        l.add(new Seed("tcp-syn-h2", ipv4(H1, H2, 6, tcp(40000, 5001, 1000, 0, 0x02), 64, 0)));
        l.add(new Seed("tcp-ack-h2", ipv4(H1, H2, 6, tcp(40000, 5001, 1001, 1, 0x10), 64, 0)));
        l.add(new Seed("tcp-syn-router-22", ipv4(H1, V0, 6, tcp(40001, 22, 1, 0, 0x02), 64, 0)));
        l.add(new Seed("tcp-syn-router-80", ipv4(H1, V0, 6, tcp(40002, 80, 1, 0, 0x02), 64, 0)));
        l.add(new Seed("tcp-reject-23", ipv4(H1, H2, 6, tcp(40003, 23, 1, 0, 0x02), 64, 0)));
        l.add(new Seed("tcp-rst", ipv4(H1, H2, 6, tcp(40004, 5001, 1, 0, 0x04), 64, 0)));
        l.add(new Seed("icmp-echo-router", ipv4(H1, V0, 1, icmpEcho(8, 7, 1), 64, 0)));
        l.add(new Seed("icmp-echo-h2", ipv4(H1, H2, 1, icmpEcho(8, 7, 2), 64, 0)));
        l.add(new Seed("icmp-error-quote", ipv4(H1, H2, 1, icmpError(3, 3, ipv4(H2, H1, 17, udp(5001, 10000, new byte[4]), 64, 0)), 64, 0)));
        l.add(new Seed("ipv4-options", ipv4Options(H1, H2)));
        l.add(new Seed("arp-request", arpRequest(H1, V0)));
        l.add(new Seed("ipv6-udp-h2", ipv6(new byte[] {(byte) 0xfd, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2},
                new byte[] {(byte) 0xfd, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}, 17, udp(20000, 6000, new byte[10]), 64)));
        l.add(new Seed("ipv6-echo-router", ipv6(new byte[] {(byte) 0xfd, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2},
                new byte[] {(byte) 0xfd, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 58, icmpEcho(128, 9, 1), 64)));
        l.add(new Seed("vlan-tagged", vlan(ipv4(H1, H2, 17, udp(10008, 5001, new byte[8]), 64, 0), 10)));
        l.add(new Seed("vlan-priority", vlan(ipv4(H1, H2, 17, udp(10009, 5001, new byte[8]), 64, 0), 0)));
        return l;
    }

    public static List<byte[]> all() {
        List<byte[]> l = new ArrayList<>();
        for (Seed s : seeds()) l.add(s.frame);
        return l;
    }

    // ---- layouts ----

    static byte[] mac(int... b) {
        byte[] m = new byte[6];
        for (int i = 0; i < 6; i++) m[i] = (byte) b[i];
        return m;
    }

    public static int ip(int a, int b, int c, int d) { return a << 24 | b << 16 | c << 8 | d; }

    static byte[] eth(byte[] dst, int type, byte[] payload) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(dst);
        o.writeBytes(H1_MAC);
        o.write(type >>> 8);
        o.write(type);
        o.writeBytes(payload);
        while (o.size() < 60) o.write(0); // Ethernet minimum (padding)
        return o.toByteArray();
    }

    /** An IPv4 frame to v0 with correct header and L4 checksums. */
    public static byte[] ipv4(int src, int dst, int proto, byte[] l4, int ttl, int fragField) {
        byte[] ip = new byte[20 + l4.length];
        ip[0] = 0x45;
        put16(ip, 2, ip.length);
        put16(ip, 4, 0x1234);
        put16(ip, 6, fragField);
        ip[8] = (byte) ttl;
        ip[9] = (byte) proto;
        put32(ip, 12, src);
        put32(ip, 16, dst);
        System.arraycopy(l4, 0, ip, 20, l4.length);
        byte[] f = eth(V0_MAC, 0x0800, ip);
        Frames.fixChecksums(f);
        return f;
    }

    static byte[] ipv4Options(int src, int dst) {
        byte[] l4 = udp(10010, 5001, new byte[4]);
        byte[] ip = new byte[24 + l4.length];
        ip[0] = 0x46;
        put16(ip, 2, ip.length);
        ip[8] = 64;
        ip[9] = 17;
        put32(ip, 12, src);
        put32(ip, 16, dst);
        ip[20] = 1; ip[21] = 1; ip[22] = 1; ip[23] = 0; // NOPs, end of options
        System.arraycopy(l4, 0, ip, 24, l4.length);
        byte[] f = eth(V0_MAC, 0x0800, ip);
        Frames.fixChecksums(f);
        return f;
    }

    static byte[] ipv6(byte[] src, byte[] dst, int next, byte[] l4, int hops) {
        byte[] ip = new byte[40 + l4.length];
        ip[0] = 0x60;
        put16(ip, 4, l4.length);
        ip[6] = (byte) next;
        ip[7] = (byte) hops;
        System.arraycopy(src, 0, ip, 8, 16);
        System.arraycopy(dst, 0, ip, 24, 16);
        System.arraycopy(l4, 0, ip, 40, l4.length);
        int off = next == 17 ? 6 : next == 58 ? 2 : 16;
        int cs = Checksums.finish(Checksums.sum(ip, 40, l4.length, Checksums.pseudoV6(ip, 8, 24, next, l4.length)));
        put16(ip, 40 + off, cs == 0 && next == 17 ? 0xffff : cs);
        return eth(V0_MAC, 0x86dd, ip);
    }

    public static byte[] udp(int sport, int dport, byte[] payload) {
        byte[] u = new byte[8 + payload.length];
        put16(u, 0, sport);
        put16(u, 2, dport);
        put16(u, 4, u.length);
        System.arraycopy(payload, 0, u, 8, payload.length);
        return u;
    }

    public static byte[] tcp(int sport, int dport, int seq, int ack, int flags) {
        byte[] t = new byte[20];
        put16(t, 0, sport);
        put16(t, 2, dport);
        put32(t, 4, seq);
        put32(t, 8, ack);
        t[12] = 0x50;
        t[13] = (byte) flags;
        put16(t, 14, 64240);
        return t;
    }

    static byte[] icmpEcho(int type, int id, int seq) {
        byte[] i = new byte[16];
        i[0] = (byte) type;
        put16(i, 4, id);
        put16(i, 6, seq);
        return i;
    }

    static byte[] icmpError(int type, int code, byte[] quotedFrame) {
        int quoted = Math.min(28, quotedFrame.length - 14);
        byte[] i = new byte[8 + quoted];
        i[0] = (byte) type;
        i[1] = (byte) code;
        System.arraycopy(quotedFrame, 14, i, 8, quoted);
        return i;
    }

    static byte[] arpRequest(int sender, int target) {
        byte[] a = new byte[28];
        put16(a, 0, 1);
        put16(a, 2, 0x0800);
        a[4] = 6;
        a[5] = 4;
        put16(a, 6, 1);
        System.arraycopy(H1_MAC, 0, a, 8, 6);
        put32(a, 14, sender);
        put32(a, 24, target);
        return eth(BROADCAST, 0x0806, a);
    }

    static byte[] vlan(byte[] frame, int vid) {
        byte[] f = new byte[frame.length + 4];
        System.arraycopy(frame, 0, f, 0, 12);
        put16(f, 12, 0x8100);
        put16(f, 14, vid);
        System.arraycopy(frame, 12, f, 16, frame.length - 12);
        return f;
    }

    static void put16(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 8);
        b[o + 1] = (byte) v;
    }

    static void put32(byte[] b, int o, int v) {
        put16(b, o, v >>> 16);
        put16(b, o + 2, v);
    }
}
