package org.flowgate.flowtable.fastpath;

import org.flowgate.api.packet.Packet;
import org.flowgate.flowtable.table.FlowHashTable;
import org.flowgate.flowtable.table.FlowTuple;

/**
 * The header rewrites of a fast-path hit, in place: NAT of addresses and ports, TTL / hop limit
 * decrement, VLAN tag and MAC addresses, as Linux's {@code nf_flow_table_ip.c} does. The packet's
 * old header words are the flow's key, so every checksum change is a constant of the flow direction
 * ({@link FlowTuple#ipDelta}, {@link FlowTuple#l4Delta}, RFC 1624): one add per checksum here. The
 * new addresses and ports are written whether or not they changed (a flow without NAT writes the
 * old values back and its L4 delta is 0).
 */
final class Rewrite {
    private Rewrite() {}

    /**
     * IPv4 with TCP or UDP, no options, not a fragment; TTL known to be above 1. {@code newAddr}
     * and {@code rewrite} are the slot's NEWADDR and REWRITE words ({@link FlowHashTable});
     * {@code l4Head} the transport header's first 8 bytes and {@code ttlWord} the IPv4 header's
     * TTL, protocol and checksum, as the caller read them.
     */
    static void ipv4(Packet p, int l3, int l4, int proto, long newAddr, long rewrite, long l4Head, int ttlWord) {
        p.setU64(l3 + 12, newAddr);
        int l4Delta = (int) rewrite & 0xFFFF;
        if (proto == Packet.PROTO_UDP) { // ports, length, checksum: one store
            int c = (int) l4Head & 0xFFFF;
            if (c != 0 && l4Delta != 0) {
                c = add(c, l4Delta);
                if (c == 0) c = 0xFFFF;
            }
            p.setU64(l4, (rewrite & 0xFFFF_FFFF_0000_0000L) | (l4Head & 0xFFFF_0000L) | c);
        } else {
            p.setU32(l4, (int) (rewrite >>> 32));
            if (l4Delta != 0) transport(p, l4 + 16, proto, l4Delta);
        }
        p.setU32(l3 + 8, (ttlWord - 0x0100_0000) & 0xFFFF_0000 | add(ttlWord & 0xFFFF, (int) (rewrite >>> 16) & 0xFFFF));
    }

    /**
     * IPv6 with TCP or UDP, no extension headers, hop limit known to be above 1, from a slot's
     * words: the new addresses (its side entry) and its REWRITE word (new ports, L4 checksum delta).
     * The addresses and ports are written whether or not they changed, as for IPv4.
     */
    static void ipv6(Packet p, long newSrcHi, long newSrcLo, long newDstHi, long newDstLo, long rewrite) {
        int l3 = p.l3();
        p.setU64(l3 + 8, newSrcHi);
        p.setU64(l3 + 16, newSrcLo);
        p.setU64(l3 + 24, newDstHi);
        p.setU64(l3 + 32, newDstLo);
        p.setU32(p.l4(), (int) (rewrite >>> 32));
        int l4Delta = (int) rewrite & 0xFFFF;
        if (l4Delta != 0) transport(p, p.l4ChecksumOffset(), p.l4Proto(), l4Delta);
        p.setU8(l3 + 7, p.u8(l3 + 7) - 1);
    }

    /** IPv6 with TCP or UDP, no extension headers; hop limit known to be above 1 (from the flow's tuple). */
    static void ipv6(Packet p, FlowTuple t) {
        int l3 = p.l3();
        if (t.nat) {
            int l4 = p.l4();
            p.setU64(l3 + 8, t.newSrcHi);
            p.setU64(l3 + 16, t.newSrcLo);
            p.setU64(l3 + 24, t.newDstHi);
            p.setU64(l3 + 32, t.newDstLo);
            p.setU32(l4, (t.newSrcPort << 16) | t.newDstPort);
            transport(p, p.l4ChecksumOffset(), t.proto, t.l4Delta);
        }
        p.setU8(l3 + 7, p.u8(l3 + 7) - 1);
    }

    /**
     * The TCP/UDP checksum after NAT: a UDP datagram sent without checksum (0) keeps none
     * (RFC 768), and a UDP checksum that computes to 0 is sent as 0xFFFF.
     */
    private static void transport(Packet p, int at, int proto, int delta) {
        int c = p.u16(at);
        if (proto == Packet.PROTO_UDP) {
            if (c == 0) return;
            c = add(c, delta);
            p.setU16(at, c == 0 ? 0xFFFF : c);
        } else {
            p.setU16(at, add(c, delta));
        }
    }

    /** RFC 1624 eqn. 3, HC' = ~(~HC + delta), with the delta summed in advance. */
    private static int add(int csum, int delta) {
        int s = (~csum & 0xFFFF) + delta;
        s = (s & 0xFFFF) + (s >>> 16);
        return ~s & 0xFFFF;
    }

    /**
     * Tags the frame as the flow says (keep, re-tag, push or pop) and writes the MAC addresses.
     * {@code outVlan} is {@link FlowHashTable#NO_VLAN} for untagged; {@code macHead}/{@code macTail}
     * the 12 address bytes as one 8-byte and one 4-byte big-endian store.
     */
    static void ethernet(Packet p, int outVlan, long macHead, int macTail) {
        int tci = p.vlanTci();
        if (outVlan == FlowHashTable.NO_VLAN) {
            if (tci >= 0) p.popVlan();
        } else if (tci < 0) {
            p.pushVlan(outVlan);
        } else if ((tci & 0xFFF) != outVlan) {
            p.setU16(p.start() + 14, (tci & 0xF000) | outVlan); // keeps priority and DEI
        }
        int s = p.start();
        p.setU64(s, macHead);
        p.setU32(s + 8, macTail);
    }

    static void ethernet(Packet p, FlowTuple t) {
        ethernet(p, t.outVlan < 0 ? FlowHashTable.NO_VLAN : t.outVlan, t.macHead, t.macTail);
    }
}
