package org.flowgate.conntrack.nat;

import org.flowgate.api.conntrack.CtState;
import org.flowgate.api.conntrack.CtStatus;
import org.flowgate.api.packet.Checksums;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.conntrack.proto.IcmpInner;
import org.flowgate.conntrack.proto.PacketTuples;
import org.flowgate.conntrack.table.Conn;
import org.flowgate.conntrack.table.Tuples;

/**
 * Rewrites packets as a connection's NAT binding says ({@code nf_nat_packet},
 * {@code nf_nat_icmp_reply_translation}) with incremental checksum updates (RFC 1624).
 *
 * <p>Writing the target values is idempotent: running a manipulation twice on a packet changes
 * nothing the second time, so the order of hooks at equal priority does not matter.
 */
public final class Mangler {
    private Mangler() {}

    /** Per-thread scratch space, so the hot path allocates nothing. */
    public static final class Scratch {
        final FiveTuple target = new FiveTuple();
        final FiveTuple inner = new FiveTuple();
        final IcmpInner icmp = new IcmpInner();
    }

    /** The status bit that makes a hook's manipulation apply to a packet of direction {@code dir}. */
    static int statusFor(int dir, boolean srcManip) {
        return srcManip == (dir == Conn.ORIGINAL) ? CtStatus.SRC_NAT : CtStatus.DST_NAT;
    }

    /**
     * Applies the source ({@code srcManip}) or destination manipulation of {@code c} to a packet
     * of direction {@code dir}, including the quoted packet of a related ICMP error.
     */
    public static void apply(Packet p, Conn c, int dir, boolean srcManip, Scratch s) {
        if (!c.hasStatus(statusFor(dir, srcManip))) return;
        FiveTuple other = c.tuple(1 - dir);
        if ((p.ctState() & CtState.RELATED) != 0 && isIcmpError(p)) {
            IcmpInner in = s.icmp;
            if (!in.parse(p, s.inner)) return;
            // the quoted packet travelled the other way: give it back the addresses the peer knows
            manip(p, in.l3, in.version, in.l4, in.l4Avail, in.proto, !srcManip, other, false);
            Tuples.invert(s.target, other);
            manip(p, p.l3(), p.ipVersion(), p.l4(), p.l3End() - p.l4(), p.l4Proto(), srcManip, s.target, true);
            recomputeIcmp(p);
            return;
        }
        Tuples.invert(s.target, other);
        int l4 = p.l4();
        manip(p, p.l3(), p.ipVersion(), l4, l4 < 0 ? 0 : p.l3End() - l4, p.l4Proto(), srcManip, s.target, false);
    }

    static boolean isIcmpError(Packet p) {
        if (p.l4() < 0) return false;
        int type = p.icmpType();
        return p.l4Proto() == Packet.PROTO_ICMP ? PacketTuples.isIcmpError(type)
                : p.l4Proto() == Packet.PROTO_ICMPV6 && type >= 1 && type <= 4;
    }

    /**
     * Sets the source (or destination) address and port of the IP packet at {@code l3} to the
     * target tuple's, fixing the IPv4 header checksum and the transport checksum when the
     * transport header holds it ({@code l4Avail} bytes present). {@code addressesOnly} for the
     * outer header of an ICMP error (its checksum is recomputed whole afterwards).
     */
    public static void manip(Packet p, int l3, int version, int l4, int l4Avail, int proto, boolean src, FiveTuple target, boolean addressesOnly) {
        int csumOff = -1;
        boolean udp = false, pseudo = true;
        if (l4 >= 0) {
            switch (proto) {
                case Packet.PROTO_TCP -> { if (l4Avail >= 18) csumOff = l4 + 16; }
                case Packet.PROTO_UDP -> { if (l4Avail >= 8) { csumOff = l4 + 6; udp = true; } }
                case Packet.PROTO_ICMP -> { if (l4Avail >= 4) csumOff = l4 + 2; pseudo = false; }
                case Packet.PROTO_ICMPV6 -> { if (l4Avail >= 4) csumOff = l4 + 2; }
                default -> { }
            }
        }
        if (addressesOnly) csumOff = -1;
        if (csumOff >= 0 && udp && p.u16(csumOff) == 0) csumOff = -1; // UDP without checksum stays so
        int csum = csumOff >= 0 ? p.u16(csumOff) : 0;

        if (version == 4) {
            int off = l3 + (src ? 12 : 16);
            int old = p.u32(off), now = (int) (src ? target.srcLo : target.dstLo);
            if (old != now) {
                p.setU32(off, now);
                p.setU16(l3 + 10, Checksums.update32(p.u16(l3 + 10), old, now));
                if (csumOff >= 0 && pseudo) csum = Checksums.update32(csum, old, now);
            }
        } else {
            int off = l3 + (src ? 8 : 24);
            long oldHi = p.u64(off), oldLo = p.u64(off + 8);
            long hi = src ? target.srcHi : target.dstHi, lo = src ? target.srcLo : target.dstLo;
            if (oldHi != hi || oldLo != lo) {
                p.setU64(off, hi);
                p.setU64(off + 8, lo);
                if (csumOff >= 0 && pseudo) csum = Checksums.update64(Checksums.update64(csum, oldHi, hi), oldLo, lo);
            }
        }

        if (!addressesOnly && l4 >= 0 && l4Avail >= 8) {
            int portOff = -1, port = 0;
            if (proto == Packet.PROTO_TCP || proto == Packet.PROTO_UDP) {
                portOff = l4 + (src ? 0 : 2);
                port = src ? target.srcPort : target.dstPort;
            } else if (proto == Packet.PROTO_ICMP || proto == Packet.PROTO_ICMPV6) {
                portOff = l4 + 4; // query identifier
                port = target.srcPort;
            }
            if (portOff >= 0) {
                int old = p.u16(portOff);
                if (old != port) {
                    p.setU16(portOff, port);
                    if (csumOff >= 0) csum = Checksums.update16(csum, old, port);
                }
            }
        }
        if (csumOff >= 0) {
            if (udp && csum == 0) csum = 0xFFFF;
            p.setU16(csumOff, csum);
        }
    }

    /** Recomputes an ICMP/ICMPv6 checksum from scratch (after the quoted packet changed). */
    static void recomputeIcmp(Packet p) {
        int l4 = p.l4();
        int len = p.l3End() - l4;
        p.setU16(l4 + 2, 0);
        long sum = Checksums.sum(p.array(), l4, len, 0);
        if (p.ipVersion() == 6) sum += Checksums.pseudoV6(p.array(), p.l3() + 8, p.l3() + 24, Packet.PROTO_ICMPV6, len);
        p.setU16(l4 + 2, Checksums.finish(sum));
    }
}
