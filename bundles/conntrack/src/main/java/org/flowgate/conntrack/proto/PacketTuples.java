package org.flowgate.conntrack.proto;

import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;

/** Reads the conntrack tuple of a parsed packet and classifies what conntrack does with it. */
public final class PacketTuples {
    private PacketTuples() {}

    /** Track it: the tuple is filled. */
    public static final int TRACK = 0;
    /** Leave it untracked (IPv6 neighbour discovery, MLD), as Linux does. */
    public static final int UNTRACK = 1;
    /** Cannot be tracked: ct state invalid (later fragments: no reassembly here; unknown ICMP types). */
    public static final int INVALID = 2;
    /** An ICMP error: look up the connection of the quoted packet ({@link IcmpInner}). */
    public static final int ICMP_ERROR = 3;

    public static int classify(Packet p, FiveTuple t) {
        int proto = p.l4Proto();
        if (p.l4() < 0) return INVALID;
        t.family = p.ipVersion();
        t.srcHi = p.srcHi(); t.srcLo = p.srcLo(); t.dstHi = p.dstHi(); t.dstLo = p.dstLo();
        t.proto = proto;
        t.srcPort = 0; t.dstPort = 0;
        switch (proto) {
            case Packet.PROTO_TCP, Packet.PROTO_UDP -> {
                t.srcPort = p.srcPort();
                t.dstPort = p.dstPort();
                return TRACK;
            }
            case Packet.PROTO_ICMP -> {
                int type = p.icmpType();
                if (isIcmpQuery(type)) { t.srcPort = p.u16(p.l4() + 4); return TRACK; }
                return isIcmpError(type) ? ICMP_ERROR : INVALID;
            }
            case Packet.PROTO_ICMPV6 -> {
                int type = p.icmpType();
                if (type == 128 || type == 129) { t.srcPort = p.u16(p.l4() + 4); return TRACK; }
                if (type >= 1 && type <= 4) return ICMP_ERROR;
                if ((type >= 130 && type <= 137) || type == 143) return UNTRACK;
                return INVALID;
            }
            default -> { return TRACK; }
        }
    }

    /** Echo, timestamp, information and address mask request/reply: the identifier is the "port". */
    public static boolean isIcmpQuery(int type) {
        return type == 8 || type == 0 || type == 13 || type == 14 || type == 15 || type == 16 || type == 17 || type == 18;
    }

    public static boolean isIcmpError(int type) {
        return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    }

    /** Whether an ICMP/ICMPv6 query of this type may start a connection (requests only). */
    public static boolean icmpMayCreate(int proto, int type) {
        return proto == Packet.PROTO_ICMPV6 ? type == 128 : type == 8 || type == 13 || type == 15 || type == 17;
    }
}
