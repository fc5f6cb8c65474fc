package org.flowgate.conntrack.proto;

import org.flowgate.api.packet.Checksums;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;

/**
 * The packet an ICMP error quotes: its IP header and the first 8 bytes of its transport header.
 * A reusable cursor: {@link #parse} fills the offsets and the quoted packet's tuple.
 */
public final class IcmpInner {
    public int l3, l4, version, proto;
    /** Bytes of the quoted transport header present in the error. */
    public int l4Avail;

    /**
     * @return false when the quote is too short or not something conntrack tracks (an error
     *         quoting an error, a non-first fragment)
     */
    public boolean parse(Packet p, FiveTuple t) {
        int end = p.l3End();
        l3 = p.l4() + 8;
        if (p.ipVersion() == 4) {
            if (end - l3 < 20 || (p.u8(l3) >>> 4) != 4) return false;
            int ihl = (p.u8(l3) & 0x0F) * 4;
            if (ihl < 20 || (p.u16(l3 + 6) & 0x1FFF) != 0) return false;
            version = 4;
            proto = p.u8(l3 + 9);
            l4 = l3 + ihl;
            t.srcHi = 0; t.dstHi = 0;
            t.srcLo = p.u32(l3 + 12) & 0xFFFF_FFFFL;
            t.dstLo = p.u32(l3 + 16) & 0xFFFF_FFFFL;
        } else {
            if (end - l3 < 40 || (p.u8(l3) >>> 4) != 6) return false;
            version = 6;
            int next = p.u8(l3 + 6);
            int q = l3 + 40;
            for (int n = 0; n < 8 && (next == 0 || next == 43 || next == 60); n++) {
                if (q + 8 > end) return false;
                next = p.u8(q);
                q += (p.u8(q + 1) + 1) * 8;
            }
            if (next == 0 || next == 43 || next == 60 || next == 44) return false;
            proto = next;
            l4 = q;
            t.srcHi = p.u64(l3 + 8); t.srcLo = p.u64(l3 + 16);
            t.dstHi = p.u64(l3 + 24); t.dstLo = p.u64(l3 + 32);
        }
        l4Avail = end - l4;
        if (l4Avail < 8) return false;
        t.family = version;
        t.proto = proto;
        t.srcPort = 0; t.dstPort = 0;
        switch (proto) {
            case Packet.PROTO_TCP, Packet.PROTO_UDP -> { t.srcPort = p.u16(l4); t.dstPort = p.u16(l4 + 2); }
            case Packet.PROTO_ICMP -> {
                if (!PacketTuples.isIcmpQuery(p.u8(l4))) return false;
                t.srcPort = p.u16(l4 + 4);
            }
            case Packet.PROTO_ICMPV6 -> {
                int type = p.u8(l4);
                if (type != 128 && type != 129) return false;
                t.srcPort = p.u16(l4 + 4);
            }
            default -> { }
        }
        return true;
    }

    /** Verifies the outer ICMP/ICMPv6 checksum of an error (as Linux's {@code nf_ip_checksum}). */
    public static boolean checksumOk(Packet p) {
        int l4 = p.l4();
        int len = p.l3End() - l4;
        long sum = Checksums.sum(p.array(), l4, len, 0);
        if (p.ipVersion() == 6) sum += Checksums.pseudoV6(p.array(), p.l3() + 8, p.l3() + 24, Packet.PROTO_ICMPV6, len);
        return Checksums.finish(sum) == 0;
    }
}
