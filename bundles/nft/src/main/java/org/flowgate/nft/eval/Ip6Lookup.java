package org.flowgate.nft.eval;

import org.flowgate.api.packet.Packet;
import org.flowgate.nft.model.Field;

/** Disjoint intervals of IPv6 addresses (two unsigned longs each), sorted: a binary search per packet. */
public final class Ip6Lookup extends Lookup {
    private final Field field;
    private final long[] loHi, loLo, hiHi, hiLo;
    private final int[] index;

    public Ip6Lookup(Field field, long[] loHi, long[] loLo, long[] hiHi, long[] hiLo, int[] index) {
        this.field = field;
        this.loHi = loHi;
        this.loLo = loLo;
        this.hiHi = hiHi;
        this.hiLo = hiLo;
        this.index = index;
    }

    static int cmp(long aHi, long aLo, long bHi, long bLo) {
        int c = Long.compareUnsigned(aHi, bHi);
        return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
    }

    @Override
    public int find(Packet p) {
        if (!p.isIpv6()) return ABSENT;
        long h = Fields.hi(field, p), l = Fields.lo(field, p);
        int a = 0, b = loHi.length - 1, found = -1;
        while (a <= b) {
            int m = (a + b) >>> 1;
            if (cmp(loHi[m], loLo[m], h, l) <= 0) { found = m; a = m + 1; } else b = m - 1;
        }
        return found >= 0 && cmp(h, l, hiHi[found], hiLo[found]) <= 0 ? index[found] : MISS;
    }

    @Override
    public int size() { return loHi.length; }
}
