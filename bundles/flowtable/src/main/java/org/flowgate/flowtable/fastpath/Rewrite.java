package org.flowgate.flowtable.fastpath;

import org.flowgate.api.packet.Checksums;
import org.flowgate.api.packet.Packet;
import org.flowgate.flowtable.table.FlowTuple;

/**
 * The header rewrites of a fast-path hit, in place: NAT of addresses and ports with incremental
 * checksum updates (RFC 1624), TTL / hop limit decrement, VLAN tag and MAC addresses, as Linux's
 * {@code nf_flow_table_ip.c} does.
 */
final class Rewrite {
    private Rewrite() {}

    /** IPv4 with TCP or UDP, no options, not a fragment; TTL known to be above 1. */
    static void ipv4(Packet p, FlowTuple t) {
        int l3 = p.l3(), l4 = p.l4();
        int csumAt = p.l4ChecksumOffset();
        // a UDP datagram sent without checksum (0) keeps none (RFC 768)
        boolean l4Sum = !(p.l4Proto() == Packet.PROTO_UDP && p.u16(csumAt) == 0);
        int ipSum = p.u16(l3 + 10), l4c = p.u16(csumAt);
        if (t.snat) {
            int old = p.u32(l3 + 12), now = (int) t.newSrcLo;
            if (old != now) {
                p.setU32(l3 + 12, now);
                ipSum = Checksums.update32(ipSum, old, now);
                l4c = Checksums.update32(l4c, old, now); // the pseudo-header holds the address
            }
            l4c = port(p, l4, t.newSrcPort, l4c);
        }
        if (t.dnat) {
            int old = p.u32(l3 + 16), now = (int) t.newDstLo;
            if (old != now) {
                p.setU32(l3 + 16, now);
                ipSum = Checksums.update32(ipSum, old, now);
                l4c = Checksums.update32(l4c, old, now);
            }
            l4c = port(p, l4 + 2, t.newDstPort, l4c);
        }
        int ttlProto = p.u16(l3 + 8), decremented = ttlProto - 0x100;
        p.setU16(l3 + 8, decremented);
        p.setU16(l3 + 10, Checksums.update16(ipSum, ttlProto, decremented));
        if (l4Sum && (t.snat || t.dnat)) p.setU16(csumAt, finishL4(p, l4c));
    }

    /** IPv6 with TCP or UDP, no extension headers; hop limit known to be above 1. */
    static void ipv6(Packet p, FlowTuple t) {
        int l3 = p.l3(), l4 = p.l4();
        int csumAt = p.l4ChecksumOffset();
        boolean l4Sum = !(p.l4Proto() == Packet.PROTO_UDP && p.u16(csumAt) == 0);
        int l4c = p.u16(csumAt);
        if (t.snat) {
            l4c = address6(p, l3 + 8, t.newSrcHi, t.newSrcLo, l4c);
            l4c = port(p, l4, t.newSrcPort, l4c);
        }
        if (t.dnat) {
            l4c = address6(p, l3 + 24, t.newDstHi, t.newDstLo, l4c);
            l4c = port(p, l4 + 2, t.newDstPort, l4c);
        }
        p.setU8(l3 + 7, p.u8(l3 + 7) - 1);
        if (l4Sum && (t.snat || t.dnat)) p.setU16(csumAt, finishL4(p, l4c));
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

    /** A UDP checksum that computes to 0 is sent as 0xFFFF: 0 means "none". */
    private static int finishL4(Packet p, int csum) {
        return csum == 0 && p.l4Proto() == Packet.PROTO_UDP ? 0xFFFF : csum;
    }

    /** Tags the frame as the flow says (keep, re-tag, push or pop) and writes the MAC addresses. */
    static void ethernet(Packet p, FlowTuple t) {
        int tci = p.vlanTci();
        if (t.outVlan < 0) {
            if (tci >= 0) p.popVlan();
        } else if (tci < 0) {
            p.pushVlan(t.outVlan);
        } else if ((tci & 0xFFF) != t.outVlan) {
            p.setU16(p.start() + 14, (tci & 0xF000) | t.outVlan); // keeps priority and DEI
        }
        p.setEthDst(t.dstMac);
        p.setEthSrc(t.srcMac);
    }
}
