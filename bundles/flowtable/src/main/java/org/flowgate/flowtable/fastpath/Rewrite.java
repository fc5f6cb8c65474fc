package org.flowgate.flowtable.fastpath;

import org.flowgate.api.packet.Packet;
import org.flowgate.flowtable.table.FlowTuple;

/**
 * The header rewrites of a fast-path hit, in place: NAT of addresses and ports, TTL / hop limit
 * decrement, VLAN tag and MAC addresses, as Linux's {@code nf_flow_table_ip.c} does. The packet's
 * old header words are the flow's key, so every checksum change is a constant of the flow direction
 * ({@link FlowTuple#ipDelta}, {@link FlowTuple#l4Delta}, RFC 1624): one add per checksum here.
 */
final class Rewrite {
    private Rewrite() {}

    /** IPv4 with TCP or UDP, no options, not a fragment; TTL known to be above 1. */
    static void ipv4(Packet p, FlowTuple t) {
        int l3 = p.l3();
        if (t.nat) {
            int l4 = p.l4();
            p.setU32(l3 + 12, (int) t.newSrcLo);
            p.setU32(l3 + 16, (int) t.newDstLo);
            p.setU32(l4, (t.newSrcPort << 16) | t.newDstPort);
            transport(p, t);
        }
        p.setU16(l3 + 8, p.u16(l3 + 8) - 0x100);
        p.setU16(l3 + 10, add(p.u16(l3 + 10), t.ipDelta));
    }

    /** IPv6 with TCP or UDP, no extension headers; hop limit known to be above 1. */
    static void ipv6(Packet p, FlowTuple t) {
        int l3 = p.l3();
        if (t.nat) {
            int l4 = p.l4();
            p.setU64(l3 + 8, t.newSrcHi);
            p.setU64(l3 + 16, t.newSrcLo);
            p.setU64(l3 + 24, t.newDstHi);
            p.setU64(l3 + 32, t.newDstLo);
            p.setU32(l4, (t.newSrcPort << 16) | t.newDstPort);
            transport(p, t);
        }
        p.setU8(l3 + 7, p.u8(l3 + 7) - 1);
    }

    /**
     * The TCP/UDP checksum after NAT: a UDP datagram sent without checksum (0) keeps none
     * (RFC 768), and a UDP checksum that computes to 0 is sent as 0xFFFF.
     */
    private static void transport(Packet p, FlowTuple t) {
        int at = p.l4ChecksumOffset();
        int c = p.u16(at);
        if (t.proto == Packet.PROTO_UDP) {
            if (c == 0) return;
            c = add(c, t.l4Delta);
            p.setU16(at, c == 0 ? 0xFFFF : c);
        } else {
            p.setU16(at, add(c, t.l4Delta));
        }
    }

    /** RFC 1624 eqn. 3, HC' = ~(~HC + delta), with the delta summed in advance. */
    private static int add(int csum, int delta) {
        int s = (~csum & 0xFFFF) + delta;
        s = (s & 0xFFFF) + (s >>> 16);
        return ~s & 0xFFFF;
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
        int s = p.start();
        p.setU64(s, t.macHead);
        p.setU32(s + 8, t.macTail);
    }
}
