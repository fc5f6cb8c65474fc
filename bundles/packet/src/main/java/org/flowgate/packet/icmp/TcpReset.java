package org.flowgate.packet.icmp;

import org.flowgate.api.packet.Packet;
import org.flowgate.packet.frame.Frames;

/** The RST a closed TCP port answers with (RFC 9293 3.10.7.1), as Linux's tcp_v4/v6_send_reset. */
public final class TcpReset {
    private TcpReset() {}

    private static final int FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10;

    /** Whether a segment may be answered with a reset (never a reset itself). */
    public static boolean allowed(Packet seg) { return (seg.tcpFlags() & RST) == 0; }

    /** Builds the reset for {@code seg} into {@code out}, from the segment's destination address. */
    public static void build(Packet seg, Packet out) {
        int t = seg.l4();
        int flags = seg.tcpFlags();
        int dataLen = seg.l3End() - t - (seg.u8(t + 12) >>> 4) * 4;
        long seq, ack;
        int outFlags;
        if ((flags & ACK) != 0) {
            seq = seg.u32(t + 8) & 0xFFFF_FFFFL;
            ack = 0;
            outFlags = RST;
        } else {
            seq = 0;
            ack = ((seg.u32(t + 4) & 0xFFFF_FFFFL) + dataLen + ((flags & SYN) != 0 ? 1 : 0) + ((flags & FIN) != 0 ? 1 : 0)) & 0xFFFF_FFFFL;
            outFlags = RST | ACK;
        }
        int l3, l4;
        if (seg.isIpv4()) {
            l3 = Frames.ethernet(out, Packet.ETH_HLEN + Frames.IPV4_HLEN + 20, 0, 0, Packet.ETHERTYPE_IPV4);
            Frames.ipv4(out, l3, 0, Frames.IPV4_HLEN + 20, true, 64, Packet.PROTO_TCP, seg.ipv4Dst(), seg.ipv4Src());
            l4 = l3 + Frames.IPV4_HLEN;
        } else {
            l3 = Frames.ethernet(out, Packet.ETH_HLEN + Frames.IPV6_HLEN + 20, 0, 0, Packet.ETHERTYPE_IPV6);
            Frames.ipv6(out, l3, 20, Packet.PROTO_TCP, 64, seg.ipv6DstHi(), seg.ipv6DstLo(), seg.ipv6SrcHi(), seg.ipv6SrcLo());
            l4 = l3 + Frames.IPV6_HLEN;
        }
        out.setU16(l4, seg.dstPort());
        out.setU16(l4 + 2, seg.srcPort());
        out.setU32(l4 + 4, (int) seq);
        out.setU32(l4 + 8, (int) ack);
        out.setU8(l4 + 12, 5 << 4);
        out.setU8(l4 + 13, outFlags);
        out.setU16(l4 + 14, 0);
        out.setU16(l4 + 18, 0);
        if (seg.isIpv4()) Frames.l4ChecksumV4(out, l3, l4, 20, Packet.PROTO_TCP, l4 + 16);
        else Frames.l4ChecksumV6(out, l3, l4, 20, Packet.PROTO_TCP, l4 + 16);
    }
}
