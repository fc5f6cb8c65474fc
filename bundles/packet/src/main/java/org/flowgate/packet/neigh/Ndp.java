package org.flowgate.packet.neigh;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.packet.device.AddressSet;
import org.flowgate.packet.device.Device;
import org.flowgate.packet.frame.Frames;
import org.flowgate.packet.icmp.Icmp;

/** IPv6 neighbour discovery (RFC 4861): solicitations, advertisements, router solicitations. */
public final class Ndp {
    private Ndp() {}

    public static final int OPT_SOURCE_LL = 1, OPT_TARGET_LL = 2;
    public static final int NA_ROUTER = 0x8000_0000, NA_SOLICITED = 0x4000_0000, NA_OVERRIDE = 0x2000_0000;
    private static final long ALL_NODES_HI = 0xFF02_0000_0000_0000L, ALL_NODES_LO = 1;

    /** RFC 4861 7.1: hop limit 255, code 0, long enough, checksum valid, options well formed. */
    public static boolean valid(Packet p) {
        if (p.ttl() != 255 || p.icmpCode() != 0 || p.l4() < 0) return false;
        int len = p.l3End() - p.l4();
        int type = p.icmpType();
        int min = type == Icmp.V6_RS ? 8 : 24;
        if (len < min || !Frames.l4ChecksumOk(p)) return false;
        return linkLayerOption(p, type == Icmp.V6_RS ? 8 : 24, 0) != -2;
    }

    /**
     * The MAC in the first option of {@code type} after {@code optStart} bytes of the message: -1
     * when absent, -2 when the options are malformed (a zero length or running past the end).
     * With {@code type == 0} only validates.
     */
    static long linkLayerOption(Packet p, int optStart, int type) {
        int o = p.l4() + optStart, end = p.l3End();
        long found = -1;
        while (o < end) {
            if (o + 2 > end) return -2;
            int t = p.u8(o), len = p.u8(o + 1) * 8;
            if (len == 0 || o + len > end) return -2;
            if (t == type && found == -1 && len >= 8) found = p.mac(o + 2);
            o += len;
        }
        return found;
    }

    /**
     * A neighbour solicitation received on {@code in}. Learns the sender's link-layer address and,
     * when the target is one of our addresses on {@code in}, builds the advertisement into
     * {@code out} (solicited, router, override; to ff02::1 for duplicate address detection).
     *
     * @return true when {@code out} holds an advertisement to send
     */
    public static boolean solicitation(Device in, Packet p, Packet out, NeighbourCache cache, long nowNanos) {
        int l4 = p.l4();
        long tHi = p.u64(l4 + 8), tLo = p.u64(l4 + 16);
        if ((tHi >>> 56) == 0xFF) return false;
        long srcHi = p.ipv6SrcHi(), srcLo = p.ipv6SrcLo();
        boolean dad = srcHi == 0 && srcLo == 0;
        long sll = linkLayerOption(p, 24, OPT_SOURCE_LL);
        if (dad && (sll >= 0 || !isSolicitedNodeGroup(p.ipv6DstHi(), p.ipv6DstLo()))) return false;
        if (!in.addressSet().hasV6(tHi, tLo)) return false;
        if (!dad && sll >= 0) cache.learn(in, IpAddress.IPV6, srcHi, srcLo, sll, false, true, nowNanos);
        long dstHi = dad ? ALL_NODES_HI : srcHi, dstLo = dad ? ALL_NODES_LO : srcLo;
        advertisement(out, in, tHi, tLo, dstHi, dstLo, NA_ROUTER | NA_OVERRIDE | (dad ? 0 : NA_SOLICITED));
        return true;
    }

    /**
     * A neighbour advertisement: updates an existing entry (never creates one, RFC 4861 7.2.5);
     * solicited means reachable, an unsolicited one with a new address makes it stale, and one
     * without the override flag does not replace a known address.
     */
    public static void advertisement(Device in, Packet p, NeighbourCache cache, long nowNanos) {
        int l4 = p.l4();
        int flags = p.u32(l4 + 4);
        long tHi = p.u64(l4 + 8), tLo = p.u64(l4 + 16);
        if ((tHi >>> 56) == 0xFF) return;
        if ((p.ipv6DstHi() >>> 56) == 0xFF && (flags & NA_SOLICITED) != 0) return;
        long tll = linkLayerOption(p, 24, OPT_TARGET_LL);
        long known = cache.resolved(in.ifIndex(), IpAddress.IPV6, tHi, tLo);
        if (tll < 0) {
            if (known < 0) return;
            tll = known;
        }
        if ((flags & NA_OVERRIDE) == 0 && known >= 0 && known != tll) return;
        cache.learn(in, IpAddress.IPV6, tHi, tLo, tll, (flags & NA_SOLICITED) != 0, false, nowNanos);
    }

    /** A router solicitation: we do not advertise (no RA service), but learn the sender's address. */
    public static void routerSolicitation(Device in, Packet p, NeighbourCache cache, long nowNanos) {
        long srcHi = p.ipv6SrcHi(), srcLo = p.ipv6SrcLo();
        if (srcHi == 0 && srcLo == 0) return;
        long sll = linkLayerOption(p, 8, OPT_SOURCE_LL);
        if (sll >= 0) cache.learn(in, IpAddress.IPV6, srcHi, srcLo, sll, false, true, nowNanos);
    }

    /** Builds a neighbour advertisement for our address {@code t} with our MAC as target link-layer option. */
    public static void advertisement(Packet out, Device dev, long tHi, long tLo, long dstHi, long dstLo, int flags) {
        int icmpLen = 32;
        int l3 = Frames.ethernet(out, Packet.ETH_HLEN + Frames.IPV6_HLEN + icmpLen, 0, dev.macBits(), Packet.ETHERTYPE_IPV6);
        Frames.ipv6(out, l3, icmpLen, Packet.PROTO_ICMPV6, 255, tHi, tLo, dstHi, dstLo);
        int l4 = l3 + Frames.IPV6_HLEN;
        out.setU32(l4, Icmp.V6_NA << 24);
        out.setU32(l4 + 4, flags);
        out.setU64(l4 + 8, tHi);
        out.setU64(l4 + 16, tLo);
        out.setU8(l4 + 24, OPT_TARGET_LL);
        out.setU8(l4 + 25, 1);
        out.setMac(l4 + 26, dev.macBits());
        Frames.l4ChecksumV6(out, l3, l4, icmpLen, Packet.PROTO_ICMPV6, l4 + 2);
    }

    /**
     * Builds a neighbour solicitation for {@code t} from {@code dev}: to the solicited-node group,
     * or straight to {@code unicastMac} / the target when re-confirming a known neighbour.
     *
     * @return false when the device has no IPv6 address to send from
     */
    public static boolean solicitation(Packet out, Device dev, long tHi, long tLo, long unicastMac) {
        AddressSet a = dev.addressSet();
        int si = a.v6SourceIndex(tHi, tLo);
        if (si < 0) return false;
        boolean unicast = unicastMac >= 0;
        long dstHi = unicast ? tHi : 0xFF02_0000_0000_0000L;
        long dstLo = unicast ? tLo : 0x0000_0001_FF00_0000L | (tLo & 0xFF_FFFFL);
        long dstMac = unicast ? unicastMac : Frames.ipv6MulticastMac(dstLo);
        int icmpLen = 32;
        int l3 = Frames.ethernet(out, Packet.ETH_HLEN + Frames.IPV6_HLEN + icmpLen, dstMac, dev.macBits(), Packet.ETHERTYPE_IPV6);
        Frames.ipv6(out, l3, icmpLen, Packet.PROTO_ICMPV6, 255, a.v6Hi(si), a.v6Lo(si), dstHi, dstLo);
        int l4 = l3 + Frames.IPV6_HLEN;
        out.setU32(l4, Icmp.V6_NS << 24);
        out.setU32(l4 + 4, 0);
        out.setU64(l4 + 8, tHi);
        out.setU64(l4 + 16, tLo);
        out.setU8(l4 + 24, OPT_SOURCE_LL);
        out.setU8(l4 + 25, 1);
        out.setMac(l4 + 26, dev.macBits());
        Frames.l4ChecksumV6(out, l3, l4, icmpLen, Packet.PROTO_ICMPV6, l4 + 2);
        return true;
    }

    public static boolean isSolicitedNodeGroup(long hi, long lo) {
        return hi == 0xFF02_0000_0000_0000L && (lo & 0xFFFF_FFFF_FF00_0000L) == 0x0000_0001_FF00_0000L;
    }
}
