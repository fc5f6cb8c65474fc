package org.flowgate.conntrack.table;

import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;

/** Tuple helpers that know the ICMP convention: the echo identifier stays in the source port both ways. */
public final class Tuples {
    private Tuples() {}

    public static boolean isIcmp(int proto) { return proto == Packet.PROTO_ICMP || proto == Packet.PROTO_ICMPV6; }

    /** {@code dst = invert(src)}; dst and src may be the same object. */
    public static FiveTuple invert(FiveTuple dst, FiveTuple src) {
        if (isIcmp(src.proto)) {
            long sh = src.srcHi, sl = src.srcLo;
            dst.family = src.family; dst.proto = src.proto;
            dst.srcHi = src.dstHi; dst.srcLo = src.dstLo;
            dst.dstHi = sh; dst.dstLo = sl;
            dst.srcPort = src.srcPort; dst.dstPort = 0;
            return dst;
        }
        return dst.setReverse(src);
    }

    public static boolean equal(FiveTuple a, FiveTuple b) {
        return a.srcLo == b.srcLo && a.dstLo == b.dstLo && a.srcPort == b.srcPort && a.dstPort == b.dstPort
                && a.srcHi == b.srcHi && a.dstHi == b.dstHi && a.proto == b.proto && a.family == b.family;
    }

    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return h ^ (h >>> 33);
    }

    /** Seeded hash of a tuple in a zone (the seed keeps remote hosts from choosing our buckets). */
    public static int hash(long seed, int zone, FiveTuple t) {
        long h = mix(seed ^ t.srcLo);
        h = mix(h ^ t.dstLo ^ Long.rotateLeft(t.srcHi, 17));
        h = mix(h ^ t.dstHi);
        h = mix(h ^ (((long) t.srcPort << 48) | ((long) t.dstPort << 32) | ((long) zone << 16) | ((long) t.proto << 4) | t.family));
        return (int) (h ^ (h >>> 32));
    }
}
