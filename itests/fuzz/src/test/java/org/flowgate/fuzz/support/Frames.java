package org.flowgate.fuzz.support;

import org.flowgate.api.packet.Checksums;
import org.flowgate.api.packet.Packet;

/** Turns fuzzer bytes into frames that get past the first checks often enough to reach deep paths. */
public final class Frames {
    /** Flags in the first input byte. */
    public static final int ON_V1 = 1, OUR_MAC = 2, FIX_CHECKSUMS = 4;

    private Frames() {}

    /**
     * Byte 0 selects the port and the repairs; the rest is the frame. With {@link #OUR_MAC} the
     * destination MAC becomes the port's, with {@link #FIX_CHECKSUMS} the IPv4 header and TCP/UDP/ICMP
     * checksums are recomputed (when the frame parses that far).
     */
    public static byte[] frame(byte[] input, byte[] portMac) {
        if (input.length < 2) return new byte[0];
        int flags = input[0];
        byte[] f = java.util.Arrays.copyOfRange(input, 1, input.length);
        if ((flags & OUR_MAC) != 0 && f.length >= 6) System.arraycopy(portMac, 0, f, 0, 6);
        if ((flags & FIX_CHECKSUMS) != 0) fixChecksums(f);
        return f;
    }

    /** Recomputes IPv4 header and L4 checksums in place where the layout allows it. */
    public static void fixChecksums(byte[] f) {
        int l3 = -1;
        int et = f.length >= 14 ? ((f[12] & 0xff) << 8 | (f[13] & 0xff)) : 0;
        if (et == 0x0800) l3 = 14;
        if (l3 < 0 || f.length < l3 + 20) return;
        int ihl = (f[l3] & 0x0f) * 4;
        if (ihl < 20 || f.length < l3 + ihl) return;
        f[l3 + 10] = 0;
        f[l3 + 11] = 0;
        int c = Checksums.checksum(f, l3, ihl);
        f[l3 + 10] = (byte) (c >>> 8);
        f[l3 + 11] = (byte) c;
        int total = (f[l3 + 2] & 0xff) << 8 | (f[l3 + 3] & 0xff);
        int l4 = l3 + ihl, end = Math.min(f.length, l3 + total), proto = f[l3 + 9] & 0xff;
        if (total < ihl || end <= l4) return;
        int len = end - l4, off;
        if (proto == Packet.PROTO_TCP && len >= 20) off = 16;
        else if (proto == Packet.PROTO_UDP && len >= 8) off = 6;
        else if (proto == Packet.PROTO_ICMP && len >= 4) off = 2;
        else return;
        f[l4 + off] = 0;
        f[l4 + off + 1] = 0;
        long sum = proto == Packet.PROTO_ICMP ? 0 : Checksums.pseudoV4(u32(f, l3 + 12), u32(f, l3 + 16), proto, len);
        int cs = Checksums.finish(Checksums.sum(f, l4, len, sum));
        if (proto == Packet.PROTO_UDP && cs == 0) cs = 0xffff;
        f[l4 + off] = (byte) (cs >>> 8);
        f[l4 + off + 1] = (byte) cs;
    }

    static int u32(byte[] b, int o) {
        return (b[o] & 0xff) << 24 | (b[o + 1] & 0xff) << 16 | (b[o + 2] & 0xff) << 8 | (b[o + 3] & 0xff);
    }
}
