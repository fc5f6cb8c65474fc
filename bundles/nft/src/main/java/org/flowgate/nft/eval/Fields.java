package org.flowgate.nft.eval;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.CtState;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.Packet;
import org.flowgate.nft.model.Field;

/** Reads a field of a packet as an unsigned number; -1 when the packet has no such field (the rule breaks). */
public final class Fields {
    public static final long ABSENT = -1;

    private Fields() {}

    public static long load(Field f, Packet p) {
        switch (f) {
            case META_L4PROTO: return p.ipVersion() == 0 || p.l4Proto() < 0 ? ABSENT : p.l4Proto();
            case META_NFPROTO: return p.ipVersion() == 4 ? 2 : p.ipVersion() == 6 ? 10 : ABSENT;
            case META_MARK: return p.mark() & 0xFFFF_FFFFL;
            case META_LENGTH: return p.ipVersion() != 0 ? p.ipLength() : p.length();
            case META_PKTTYPE: return pktType(p);
            case META_PROTOCOL: return p.etherType();
            case IP_SADDR: return p.isIpv4() ? p.ipv4Src() & 0xFFFF_FFFFL : ABSENT;
            case IP_DADDR: return p.isIpv4() ? p.ipv4Dst() & 0xFFFF_FFFFL : ABSENT;
            case IP_PROTOCOL: return p.isIpv4() ? p.u8(p.l3() + 9) : ABSENT;
            case IP_TTL: return p.isIpv4() ? p.u8(p.l3() + 8) : ABSENT;
            case IP_LENGTH: return p.isIpv4() ? p.u16(p.l3() + 2) : ABSENT;
            case IP_DSCP: return p.isIpv4() ? p.u8(p.l3() + 1) >>> 2 : ABSENT;
            case IP6_NEXTHDR: return p.isIpv6() ? p.u8(p.l3() + 6) : ABSENT;
            case IP6_HOPLIMIT: return p.isIpv6() ? p.u8(p.l3() + 7) : ABSENT;
            case TCP_SPORT: return tcp(p) ? p.srcPort() : ABSENT;
            case TCP_DPORT: return tcp(p) ? p.dstPort() : ABSENT;
            case TCP_FLAGS: return tcp(p) ? p.tcpFlags() : ABSENT;
            case UDP_SPORT: return udp(p) ? p.srcPort() : ABSENT;
            case UDP_DPORT: return udp(p) ? p.dstPort() : ABSENT;
            case TH_SPORT: return p.hasPorts() ? p.srcPort() : ABSENT;
            case TH_DPORT: return p.hasPorts() ? p.dstPort() : ABSENT;
            case ICMP_TYPE: return p.isIpv4() && p.l4() >= 0 && p.l4Proto() == Packet.PROTO_ICMP ? p.icmpType() : ABSENT;
            case ICMPV6_TYPE: return p.isIpv6() && p.l4() >= 0 && p.l4Proto() == Packet.PROTO_ICMPV6 ? p.icmpType() : ABSENT;
            case ICMP_CODE: return p.isIpv4() && p.l4() >= 0 && p.l4Proto() == Packet.PROTO_ICMP ? p.icmpCode() : ABSENT;
            case ICMPV6_CODE: return p.isIpv6() && p.l4() >= 0 && p.l4Proto() == Packet.PROTO_ICMPV6 ? p.icmpCode() : ABSENT;
            case CT_STATE: return p.ctState() == 0 ? CtState.INVALID : p.ctState();
            case CT_STATUS: return p.conn() instanceof ConnEntry e ? e.status() & 0xFFFF_FFFFL : ABSENT;
            case CT_MARK: return p.conn() instanceof ConnEntry e ? e.mark() & 0xFFFF_FFFFL : ABSENT;
            case CT_ZONE: return p.conn() instanceof ConnEntry e ? e.zone() & 0xFFFF : ABSENT;
            case CT_DIRECTION: return p.conn() instanceof ConnEntry ? p.ctDirection() : ABSENT;
            default: return ABSENT;
        }
    }

    private static boolean tcp(Packet p) { return p.l4() >= 0 && p.l4Proto() == Packet.PROTO_TCP; }

    private static boolean udp(Packet p) { return p.l4() >= 0 && p.l4Proto() == Packet.PROTO_UDP; }

    private static long pktType(Packet p) {
        long dst = p.ethDst();
        if (dst == 0xFFFF_FFFF_FFFFL) return 1;
        if ((dst & 0x0100_0000_0000L) != 0) return 2;
        NetDevice in = p.inDevice();
        return in == null || in.macBits() == dst ? 0 : 3;
    }

    /** IPv6 source/destination halves; callers check {@link Packet#isIpv6()} first. */
    public static long hi(Field f, Packet p) { return f == Field.IP6_SADDR ? p.ipv6SrcHi() : p.ipv6DstHi(); }

    public static long lo(Field f, Packet p) { return f == Field.IP6_SADDR ? p.ipv6SrcLo() : p.ipv6DstLo(); }

    /** The device a name field refers to; null when the packet has none yet. */
    public static NetDevice device(Field f, Packet p) {
        return f == Field.META_IIFNAME || f == Field.META_IIF ? p.inDevice() : p.outDevice();
    }
}
