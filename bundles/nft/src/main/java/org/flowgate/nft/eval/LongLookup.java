package org.flowgate.nft.eval;

import org.flowgate.api.packet.Packet;
import org.flowgate.nft.model.Field;

/** Disjoint intervals of 64-bit keys, sorted: a binary search per packet. */
public final class LongLookup extends Lookup {
    private final Field field;
    private final long[] lo;
    private final long[] hi;
    private final int[] index;

    /** Arrays sorted by {@code lo}, non-overlapping; {@code index} maps back to the element order. */
    public LongLookup(Field field, long[] lo, long[] hi, int[] index) {
        this.field = field;
        this.lo = lo;
        this.hi = hi;
        this.index = index;
    }

    @Override
    public int find(Packet p) {
        long v = Fields.load(field, p);
        if (v < 0) return ABSENT;
        return findValue(v);
    }

    public int findValue(long v) {
        int a = 0, b = lo.length - 1, found = -1;
        while (a <= b) {
            int m = (a + b) >>> 1;
            if (lo[m] <= v) { found = m; a = m + 1; } else b = m - 1;
        }
        return found >= 0 && v <= hi[found] ? index[found] : MISS;
    }

    /** The same over unsigned keys (packed concatenations use all 64 bits). */
    public int findUnsigned(long v) {
        int a = 0, b = lo.length - 1, found = -1;
        while (a <= b) {
            int m = (a + b) >>> 1;
            if (Long.compareUnsigned(lo[m], v) <= 0) { found = m; a = m + 1; } else b = m - 1;
        }
        return found >= 0 && Long.compareUnsigned(v, hi[found]) <= 0 ? index[found] : MISS;
    }

    @Override
    public int size() { return lo.length; }
}
