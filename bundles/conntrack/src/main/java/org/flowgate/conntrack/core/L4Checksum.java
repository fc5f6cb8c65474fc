package org.flowgate.conntrack.core;

import org.flowgate.api.packet.Checksums;
import org.flowgate.api.packet.Packet;

/** Full transport checksum verification of an unfragmented packet ({@code nf_ip_checksum}). */
final class L4Checksum {
    private L4Checksum() {}

    static boolean ok(Packet p) {
        int l4 = p.l4();
        if (l4 < 0) return true;
        int proto = p.l4Proto();
        int len = p.l3End() - l4;
        long pseudo;
        switch (proto) {
            case Packet.PROTO_TCP, Packet.PROTO_ICMPV6 -> pseudo = pseudo(p, proto, len);
            case Packet.PROTO_UDP -> {
                if (p.u16(l4 + 6) == 0) return p.ipVersion() == 4; // no checksum: allowed for IPv4 only
                pseudo = pseudo(p, proto, len);
            }
            case Packet.PROTO_ICMP -> pseudo = 0;
            default -> { return true; }
        }
        return Checksums.finish(Checksums.sum(p.array(), l4, len, pseudo)) == 0;
    }

    private static long pseudo(Packet p, int proto, int len) {
        return p.ipVersion() == 4 ? Checksums.pseudoV4(p.ipv4Src(), p.ipv4Dst(), proto, len)
                : Checksums.pseudoV6(p.array(), p.l3() + 8, p.l3() + 24, proto, len);
    }
}
