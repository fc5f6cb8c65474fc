package org.flowgate.io.virtual;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.netdev.PortReceiver;
import org.flowgate.api.packet.Packet;

/**
 * Test-side frame construction and checks, written independently of the code under test
 * (ByteBuffer layouts and a plain RFC 1071 sum), so a shared mistake cannot hide.
 */
public final class Rfc {
    private Rfc() {}

    /** RFC 1071 over a byte range, with an initial 32-bit sum; returns the folded, inverted value. */
    public static int checksum(byte[] b, int off, int len, long initial) {
        long sum = initial;
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xFF;
            int lo = i + 1 < len ? b[off + i + 1] & 0xFF : 0;
            sum += (hi << 8) | lo;
        }
        while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
        return (int) (~sum & 0xFFFF);
    }

    public static int u16(byte[] b, int i) { return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF); }

    public static long u32(byte[] b, int i) { return ((long) u16(b, i) << 16) | u16(b, i + 2); }

    public static long mac(byte[] b, int i) { return ((long) u16(b, i) << 32) | u32(b, i + 2); }

    /** True when the IPv4 header at {@code l3} sums to zero. */
    public static boolean ipv4HeaderOk(byte[] f, int l3) {
        int ihl = (f[l3] & 0x0F) * 4;
        return checksum(f, l3, ihl, 0) == 0;
    }

    /** True when the TCP/UDP/ICMP(v6) segment of an IPv4 or IPv6 frame (no extension headers) sums to zero. */
    public static boolean l4ChecksumOk(byte[] f) {
        int l3 = 14;
        if (u16(f, 12) == 0x0800) {
            int ihl = (f[l3] & 0x0F) * 4;
            int total = u16(f, l3 + 2);
            int proto = f[l3 + 9] & 0xFF;
            int l4 = l3 + ihl, len = total - ihl;
            long pseudo = 0;
            if (proto != 1) pseudo = u16(f, l3 + 12) + u16(f, l3 + 14) + u16(f, l3 + 16) + u16(f, l3 + 18) + proto + len;
            return checksum(f, l4, len, pseudo) == 0;
        }
        int len = u16(f, l3 + 4);
        int next = f[l3 + 6] & 0xFF;
        long pseudo = next + len;
        for (int i = 0; i < 32; i += 2) pseudo += u16(f, l3 + 8 + i);
        return checksum(f, l3 + 40, len, pseudo) == 0;
    }

    // ---- builders: a frame as a ByteBuffer, written field by field ----

    public static ByteBuffer eth(int size, long dst, long src, int type) {
        ByteBuffer b = ByteBuffer.allocate(size);
        putMac(b, dst);
        putMac(b, src);
        b.putShort((short) type);
        return b;
    }

    public static void putMac(ByteBuffer b, long mac) {
        b.putShort((short) (mac >>> 32));
        b.putInt((int) mac);
    }

    public static byte[] arpRequest(long srcMac, IpAddress senderIp, IpAddress targetIp) {
        ByteBuffer b = eth(60, 0xFFFF_FFFF_FFFFL, srcMac, 0x0806);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        putMac(b, srcMac);
        b.putInt(senderIp.v4());
        putMac(b, 0);
        b.putInt(targetIp.v4());
        return b.array();
    }

    public static byte[] arpReply(long srcMac, IpAddress senderIp, long dstMac, IpAddress targetIp) {
        ByteBuffer b = eth(60, dstMac, srcMac, 0x0806);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 2);
        putMac(b, srcMac);
        b.putInt(senderIp.v4());
        putMac(b, dstMac);
        b.putInt(targetIp.v4());
        return b.array();
    }

    /** IPv4 frame with the given transport bytes (checksum computed here for the IP header and the segment). */
    public static byte[] ipv4(long dstMac, long srcMac, IpAddress src, IpAddress dst, int proto, int ttl, byte[] l4) {
        int total = 20 + l4.length;
        ByteBuffer b = eth(Math.max(60, 14 + total), dstMac, srcMac, 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) total).putShort((short) 0x1234).putShort((short) 0x4000)
                .put((byte) ttl).put((byte) proto).putShort((short) 0).putInt(src.v4()).putInt(dst.v4());
        b.put(l4);
        byte[] f = b.array();
        int c = checksum(f, 14, 20, 0);
        f[24] = (byte) (c >>> 8);
        f[25] = (byte) c;
        fillL4Checksum(f, 14, 34, l4.length, proto);
        return f;
    }

    public static byte[] ipv6(long dstMac, long srcMac, IpAddress src, IpAddress dst, int next, int hopLimit, byte[] l4) {
        ByteBuffer b = eth(Math.max(60, 54 + l4.length), dstMac, srcMac, 0x86DD);
        b.putInt(0x6000_0000).putShort((short) l4.length).put((byte) next).put((byte) hopLimit);
        b.put(src.toBytes()).put(dst.toBytes());
        b.put(l4);
        byte[] f = b.array();
        fillL4Checksum(f, 14, 54, l4.length, next);
        return f;
    }

    private static void fillL4Checksum(byte[] f, int l3, int l4, int len, int proto) {
        int at = switch (proto) { case 6 -> 16; case 17 -> 6; default -> 2; };
        f[l4 + at] = 0;
        f[l4 + at + 1] = 0;
        long pseudo;
        if (u16(f, 12) == 0x0800) {
            pseudo = proto == 1 ? 0 : u16(f, l3 + 12) + u16(f, l3 + 14) + u16(f, l3 + 16) + u16(f, l3 + 18) + proto + len;
        } else {
            pseudo = proto + len;
            for (int i = 0; i < 32; i += 2) pseudo += u16(f, l3 + 8 + i);
        }
        int c = checksum(f, l4, len, pseudo);
        f[l4 + at] = (byte) (c >>> 8);
        f[l4 + at + 1] = (byte) c;
    }

    public static byte[] echo(int type, int id, int seq, int dataLength) {
        ByteBuffer b = ByteBuffer.allocate(8 + dataLength);
        b.put((byte) type).put((byte) 0).putShort((short) 0).putShort((short) id).putShort((short) seq);
        for (int i = 0; i < dataLength; i++) b.put((byte) i);
        return b.array();
    }

    public static byte[] udp(int sport, int dport, int dataLength) {
        ByteBuffer b = ByteBuffer.allocate(8 + dataLength);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + dataLength)).putShort((short) 0);
        for (int i = 0; i < dataLength; i++) b.put((byte) (i * 7));
        return b.array();
    }

    public static byte[] tcp(int sport, int dport, long seq, long ack, int flags, int window, byte[] options, int dataLength) {
        int hl = 20 + options.length;
        ByteBuffer b = ByteBuffer.allocate(hl + dataLength);
        b.putShort((short) sport).putShort((short) dport).putInt((int) seq).putInt((int) ack)
                .put((byte) ((hl / 4) << 4)).put((byte) flags).putShort((short) window).putShort((short) 0).putShort((short) 0);
        b.put(options);
        return b.array();
    }

    /** A neighbour solicitation (type 135) with a source link-layer address option. */
    public static byte[] neighbourSolicit(IpAddress target, long sourceMac) {
        ByteBuffer b = ByteBuffer.allocate(32);
        b.put((byte) 135).put((byte) 0).putShort((short) 0).putInt(0).put(target.toBytes());
        b.put((byte) 1).put((byte) 1);
        putMac(b, sourceMac);
        return b.array();
    }

    public static byte[] neighbourAdvert(IpAddress target, long targetMac, boolean solicited) {
        ByteBuffer b = ByteBuffer.allocate(32);
        b.put((byte) 136).put((byte) 0).putShort((short) 0).putInt((0x80 | (solicited ? 0x40 : 0) | 0x20) << 24).put(target.toBytes());
        b.put((byte) 2).put((byte) 1);
        putMac(b, targetMac);
        return b.array();
    }

    public static IpAddress solicitedNode(IpAddress a) {
        byte[] t = a.toBytes();
        byte[] m = new byte[16];
        m[0] = (byte) 0xFF; m[1] = 2; m[11] = 1; m[12] = (byte) 0xFF;
        m[13] = t[13]; m[14] = t[14]; m[15] = t[15];
        return IpAddress.of(m);
    }

    public static long multicastMac(IpAddress a) {
        byte[] t = a.toBytes();
        return 0x3333_0000_0000L | ((t[12] & 0xFFL) << 24) | ((t[13] & 0xFFL) << 16) | ((t[14] & 0xFFL) << 8) | (t[15] & 0xFFL);
    }

    public static Packet packet(byte[] frame) {
        Packet p = new Packet();
        p.setFrame(frame, 0, frame.length);
        return p;
    }

    /** The router side of a port in a test: keeps a copy of each frame the far end injects. */
    public static class Capture implements PortReceiver {
        public final List<byte[]> frames = new ArrayList<>();
        public int batches;

        @Override
        public synchronized void receive(Packet p) { frames.add(p.toByteArray()); }

        @Override
        public synchronized void endOfBatch() { batches++; }

        public synchronized List<byte[]> take() {
            List<byte[]> out = new ArrayList<>(frames);
            frames.clear();
            return out;
        }

        public synchronized int size() { return frames.size(); }
    }
}
