package org.flowgate.nft.eval;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;

/** The packet summary {@code log} prints, in the kernel's nf_log style. */
final class Describe {
    private Describe() {}

    static String packet(Packet p) {
        StringBuilder sb = new StringBuilder();
        sb.append("IN=").append(p.inDevice() == null ? "" : p.inDevice().name());
        sb.append(" OUT=").append(p.outDevice() == null ? "" : p.outDevice().name());
        if (p.isIpv4()) {
            sb.append(" SRC=").append(IpAddress.v4(p.ipv4Src())).append(" DST=").append(IpAddress.v4(p.ipv4Dst()))
                    .append(" LEN=").append(p.ipLength()).append(" TTL=").append(p.ttl());
        } else if (p.isIpv6()) {
            sb.append(" SRC=").append(IpAddress.v6(p.ipv6SrcHi(), p.ipv6SrcLo()))
                    .append(" DST=").append(IpAddress.v6(p.ipv6DstHi(), p.ipv6DstLo()))
                    .append(" LEN=").append(p.ipLength()).append(" HOPLIMIT=").append(p.ttl());
        } else {
            sb.append(" ETHERTYPE=0x").append(Integer.toHexString(p.etherType()));
            return sb.toString();
        }
        switch (p.l4Proto()) {
            case Packet.PROTO_TCP -> sb.append(" PROTO=TCP");
            case Packet.PROTO_UDP -> sb.append(" PROTO=UDP");
            case Packet.PROTO_ICMP -> sb.append(" PROTO=ICMP");
            case Packet.PROTO_ICMPV6 -> sb.append(" PROTO=ICMPv6");
            default -> sb.append(" PROTO=").append(p.l4Proto());
        }
        if (p.hasPorts()) sb.append(" SPT=").append(p.srcPort()).append(" DPT=").append(p.dstPort());
        else if (p.l4() >= 0 && (p.l4Proto() == Packet.PROTO_ICMP || p.l4Proto() == Packet.PROTO_ICMPV6))
            sb.append(" TYPE=").append(p.icmpType()).append(" CODE=").append(p.icmpCode());
        return sb.toString();
    }
}
