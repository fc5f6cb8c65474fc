package org.flowgate.tc.action;

import org.flowgate.api.packet.Checksums;
import org.flowgate.api.packet.Packet;

/** {@code csum [iph|ip4h] [tcp] [udp] [icmp]}: recomputes the named checksums, as act_csum. */
public final class Csum extends Action {
    public static final int IPH = 1, TCP = 2, UDP = 4, ICMP = 8;
    private final int what;
    private final String text;

    public Csum(int control, int what, String text) {
        super(control);
        this.what = what;
        this.text = text;
    }

    @Override
    public int execute(Packet p, ExecContext ctx) {
        if (p.ipVersion() == 0) return control;
        byte[] b = p.array();
        int l3 = p.l3();
        if ((what & IPH) != 0 && p.isIpv4()) {
            int ihl = p.ipv4HeaderLength();
            p.setU16(l3 + 10, 0);
            p.setU16(l3 + 10, Checksums.checksum(b, l3, ihl));
        }
        int l4 = p.l4();
        if (l4 < 0 || p.hasFlag(Packet.F_FRAGMENT)) return control;
        int len = p.l3End() - l4;
        int proto = p.l4Proto();
        if ((proto == Packet.PROTO_TCP && (what & TCP) != 0) || (proto == Packet.PROTO_UDP && (what & UDP) != 0)) {
            int at = p.l4ChecksumOffset();
            if (proto == Packet.PROTO_UDP && p.isIpv4() && p.u16(at) == 0) return control; // no checksum in use
            p.setU16(at, 0);
            long pseudo = p.isIpv4() ? Checksums.pseudoV4(p.ipv4Src(), p.ipv4Dst(), proto, len)
                    : Checksums.pseudoV6(b, l3 + 8, l3 + 24, proto, len);
            int c = Checksums.finish(Checksums.sum(b, l4, len, pseudo));
            if (proto == Packet.PROTO_UDP && c == 0) c = 0xFFFF;
            p.setU16(at, c);
        } else if ((what & ICMP) != 0 && (proto == Packet.PROTO_ICMP || proto == Packet.PROTO_ICMPV6)) {
            int at = l4 + 2;
            p.setU16(at, 0);
            long init = proto == Packet.PROTO_ICMPV6 ? Checksums.pseudoV6(b, l3 + 8, l3 + 24, proto, len) : 0;
            p.setU16(at, Checksums.finish(Checksums.sum(b, l4, len, init)));
        }
        return control;
    }

    @Override
    public String describe() { return text; }
}
