package org.flowgate.driver.emulated.eswitch;

import org.flowgate.api.packet.Checksums;
import org.flowgate.api.packet.Packet;

/**
 * What the NIC's mangle actions do to a hit, in place: NAT addresses and ports with incremental
 * checksum updates (RFC 1624), TTL / hop limit decrement, VLAN and MAC rewrite.
 */
final class HwRewrite {
    private HwRewrite() {}

    /** The CT stage's NAT mangles alone (a ct-only entry: tc's filters, not the NIC, forward). */
    static void nat(Packet p, CtEntry e) {
        if (!e.snat && !e.dnat) return;
        if (p.ipVersion() == 4) ipv4(p, e, false);
        else ipv6(p, e, false);
    }

    static void apply(Packet p, CtEntry e, PostCt a) {
        if (p.ipVersion() == 4) ipv4(p, e, a.decrementTtl());
        else ipv6(p, e, a.decrementTtl());
        ethernet(p, a);
    }

    private static void ipv4(Packet p, CtEntry e, boolean ttl) {
        int l3 = p.l3(), l4 = p.l4();
        int csumAt = p.l4ChecksumOffset();
        boolean l4Sum = !(p.l4Proto() == Packet.PROTO_UDP && p.u16(csumAt) == 0);
        int ipSum = p.u16(l3 + 10), l4c = p.u16(csumAt);
        if (e.snat) {
            int old = p.u32(l3 + 12), now = (int) e.newSrcLo;
            if (old != now) {
                p.setU32(l3 + 12, now);
                ipSum = Checksums.update32(ipSum, old, now);
                l4c = Checksums.update32(l4c, old, now);
            }
            l4c = port(p, l4, e.newSrcPort, l4c);
        }
        if (e.dnat) {
            int old = p.u32(l3 + 16), now = (int) e.newDstLo;
            if (old != now) {
                p.setU32(l3 + 16, now);
                ipSum = Checksums.update32(ipSum, old, now);
                l4c = Checksums.update32(l4c, old, now);
            }
            l4c = port(p, l4 + 2, e.newDstPort, l4c);
        }
        if (ttl) {
            int ttlProto = p.u16(l3 + 8), decremented = ttlProto - 0x100;
            p.setU16(l3 + 8, decremented);
            ipSum = Checksums.update16(ipSum, ttlProto, decremented);
        }
        p.setU16(l3 + 10, ipSum);
        if (l4Sum && (e.snat || e.dnat)) p.setU16(csumAt, finishL4(p, l4c));
    }

    private static void ipv6(Packet p, CtEntry e, boolean ttl) {
        int l3 = p.l3(), l4 = p.l4();
        int csumAt = p.l4ChecksumOffset();
        boolean l4Sum = !(p.l4Proto() == Packet.PROTO_UDP && p.u16(csumAt) == 0);
        int l4c = p.u16(csumAt);
        if (e.snat) {
            l4c = address6(p, l3 + 8, e.newSrcHi, e.newSrcLo, l4c);
            l4c = port(p, l4, e.newSrcPort, l4c);
        }
        if (e.dnat) {
            l4c = address6(p, l3 + 24, e.newDstHi, e.newDstLo, l4c);
            l4c = port(p, l4 + 2, e.newDstPort, l4c);
        }
        if (ttl) p.setU8(l3 + 7, p.u8(l3 + 7) - 1);
        if (l4Sum && (e.snat || e.dnat)) p.setU16(csumAt, finishL4(p, l4c));
    }

    private static int address6(Packet p, int at, long hi, long lo, int csum) {
        long oldHi = p.u64(at), oldLo = p.u64(at + 8);
        if (oldHi != hi) { p.setU64(at, hi); csum = Checksums.update64(csum, oldHi, hi); }
        if (oldLo != lo) { p.setU64(at + 8, lo); csum = Checksums.update64(csum, oldLo, lo); }
        return csum;
    }

    private static int port(Packet p, int at, int now, int csum) {
        int old = p.u16(at);
        if (old == now) return csum;
        p.setU16(at, now);
        return Checksums.update16(csum, old, now);
    }

    private static int finishL4(Packet p, int csum) {
        return csum == 0 && p.l4Proto() == Packet.PROTO_UDP ? 0xFFFF : csum;
    }

    private static void ethernet(Packet p, PostCt a) {
        int tci = p.vlanTci();
        if (a.outVlan() < 0) {
            if (tci >= 0) p.popVlan();
        } else if (tci < 0) {
            p.pushVlan(a.outVlan());
        } else if ((tci & 0xFFF) != a.outVlan()) {
            p.setU16(p.start() + 14, (tci & 0xF000) | a.outVlan());
        }
        p.setEthDst(a.dstMac());
        p.setEthSrc(a.srcMac());
    }
}
