package org.flowgate.tc.action;

import org.flowgate.api.packet.Checksums;
import org.flowgate.api.packet.Packet;

/**
 * {@code nat ingress|egress OLD[/LEN] NEW}: stateless IPv4 address translation, as act_nat.
 * Egress rewrites the source, ingress the destination, when it lies in OLD/LEN; the host bits are
 * kept. The IPv4 and TCP/UDP checksums are updated.
 */
public final class StatelessNat extends Action {
    private final boolean egress;
    private final int oldAddr, newAddr, mask;
    private final String text;

    public StatelessNat(int control, boolean egress, int oldAddr, int prefixLen, int newAddr, String text) {
        super(control);
        this.egress = egress;
        this.mask = prefixLen == 0 ? 0 : -1 << (32 - prefixLen);
        this.oldAddr = oldAddr & mask;
        this.newAddr = newAddr & mask;
        this.text = text;
    }

    @Override
    public int execute(Packet p, ExecContext ctx) {
        if (!p.isIpv4()) return control;
        int at = p.l3() + (egress ? 12 : 16);
        int addr = p.u32(at);
        if ((addr & mask) != oldAddr) return control;
        int now = (addr & ~mask) | newAddr;
        p.setU32(at, now);
        int ck = p.l3() + 10;
        p.setU16(ck, Checksums.update32(p.u16(ck), addr, now));
        int l4ck = p.hasFlag(Packet.F_LATER_FRAGMENT) ? -1 : p.l4ChecksumOffset();
        if (l4ck >= 0 && p.l4Proto() != Packet.PROTO_ICMP && !(p.l4Proto() == Packet.PROTO_UDP && p.u16(l4ck) == 0)) {
            int c = Checksums.update32(p.u16(l4ck), addr, now);
            if (p.l4Proto() == Packet.PROTO_UDP && c == 0) c = 0xFFFF;
            p.setU16(l4ck, c);
        }
        return control;
    }

    @Override
    public String describe() { return text; }
}
