package org.flowgate.packet.path;

import org.flowgate.api.packet.Checksums;
import org.flowgate.api.packet.Packet;

/**
 * IPv4 fragmentation as Linux's ip_do_fragment slow path: fragments of (MTU - header) rounded
 * down to 8 bytes, the first keeps every option, later ones keep the header length with the
 * options not marked "copied" replaced by NOPs (ip_options_fragment); offsets continue those of
 * a packet that was itself a fragment.
 */
final class Ipv4Fragmenter {
    private Ipv4Fragmenter() {}

    /** Number of fragments {@code p} needs for {@code mtu}, or 0 when it cannot be fragmented for it. */
    static int count(Packet p, int mtu) {
        int hl = p.ipv4HeaderLength();
        int maxData = (mtu - hl) & ~7;
        if (maxData < 8) return 0;
        int data = p.l3End() - p.l3() - hl;
        return (data + maxData - 1) / maxData;
    }

    /**
     * Writes fragment {@code i} (0-based) of {@code p} into {@code f}, Ethernet header copied,
     * IP header rewritten, parsed.
     */
    static void fragment(Packet p, int mtu, int i, Packet f) {
        int hl = p.ipv4HeaderLength();
        int maxData = (mtu - hl) & ~7;
        int l3 = p.l3();
        int dataStart = l3 + hl;
        int dataLen = p.l3End() - dataStart;
        int off = i * maxData;
        int len = Math.min(maxData, dataLen - off);
        boolean last = off + len == dataLen;
        int field = p.u16(l3 + 6);
        int baseOffset = (field & 0x1FFF) * 8;
        boolean moreAfterOriginal = (field & 0x2000) != 0;

        f.reset(Packet.ETH_HLEN + hl + len);
        byte[] src = p.array(), dst = f.array();
        int fs = f.start();
        System.arraycopy(src, p.start(), dst, fs, Packet.ETH_HLEN);
        int fl3 = fs + Packet.ETH_HLEN;
        System.arraycopy(src, l3, dst, fl3, hl);
        System.arraycopy(src, dataStart + off, dst, fl3 + hl, len);
        if (i > 0) nopUncopiedOptions(f, fl3, hl);
        f.setU16(fl3 + 2, hl + len);
        f.setU16(fl3 + 6, ((baseOffset + off) >>> 3) | (last && !moreAfterOriginal ? 0 : 0x2000));
        f.setU16(fl3 + 10, 0);
        f.setU16(fl3 + 10, Checksums.checksum(dst, fl3, hl));
        f.parse();
        f.setInDevice(p.inDevice());
        f.setOutDevice(p.outDevice());
        f.setMark(p.mark());
        f.setNextHop(p.nextHopHi(), p.nextHopLo());
    }

    private static void nopUncopiedOptions(Packet f, int l3, int hl) {
        int o = l3 + 20, end = l3 + hl;
        while (o < end) {
            int type = f.u8(o);
            if (type == 0) return;          // end of options list
            if (type == 1) { o++; continue; }
            if (o + 1 >= end) return;
            int len = f.u8(o + 1);
            if (len < 2 || o + len > end) return;
            if ((type & 0x80) == 0) for (int k = 0; k < len; k++) f.setU8(o + k, 1);
            o += len;
        }
    }
}
