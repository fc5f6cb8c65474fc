package org.flowgate.packet.fib;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * An immutable longest-prefix-match table for one address family: for each prefix length in
 * use (longest first) a sorted array of masked prefixes, searched by binary search. Lookups read
 * only final arrays: lock-free and allocation-free. Built once per change and swapped whole.
 */
final class PrefixTable {
    static final PrefixTable EMPTY = new PrefixTable(new int[0], new long[0][], new long[0][], new FibEntry[0][]);

    private final int[] lengths;
    private final long[][] hi, lo;
    private final FibEntry[][] entries;

    private PrefixTable(int[] lengths, long[][] hi, long[][] lo, FibEntry[][] entries) {
        this.lengths = lengths;
        this.hi = hi;
        this.lo = lo;
        this.entries = entries;
    }

    /** Longest-prefix match; null when nothing matches. */
    FibEntry lookup(int bits, long aHi, long aLo) {
        int[] ls = lengths;
        for (int i = 0; i < ls.length; i++) {
            int len = ls[i];
            long kh = aHi & maskHi(bits, len), kl = aLo & maskLo(bits, len);
            long[] h = hi[i], l = lo[i];
            int a = 0, b = h.length - 1;
            while (a <= b) {
                int m = (a + b) >>> 1;
                int c = Long.compareUnsigned(h[m], kh);
                if (c == 0) c = Long.compareUnsigned(l[m], kl);
                if (c == 0) return entries[i][m];
                if (c < 0) a = m + 1; else b = m - 1;
            }
        }
        return null;
    }

    static long maskHi(int bits, int len) {
        if (bits == 32) return 0;
        return len == 0 ? 0 : len >= 64 ? -1L : -1L << (64 - len);
    }

    static long maskLo(int bits, int len) {
        if (bits == 32) return len == 0 ? 0 : (0xFFFF_FFFFL << (32 - len)) & 0xFFFF_FFFFL;
        return len <= 64 ? 0 : len == 128 ? -1L : -1L << (128 - len);
    }

    /** Builds a table; for equal prefixes the first entry in {@code preferred} order wins. */
    static PrefixTable build(int bits, List<FibEntry> candidates, Comparator<FibEntry> preferred) {
        // length (descending) -> key -> best entry
        TreeMap<Integer, TreeMap<long[], FibEntry>> byLen = new TreeMap<>(Comparator.reverseOrder());
        Comparator<long[]> keyOrder = (x, y) -> {
            int c = Long.compareUnsigned(x[0], y[0]);
            return c != 0 ? c : Long.compareUnsigned(x[1], y[1]);
        };
        for (FibEntry e : candidates) {
            int len = e.route.destination().length();
            long[] key = {e.route.destination().address().hi() & maskHi(bits, len), e.route.destination().address().lo() & maskLo(bits, len)};
            TreeMap<long[], FibEntry> m = byLen.computeIfAbsent(len, k -> new TreeMap<>(keyOrder));
            FibEntry old = m.get(key);
            if (old == null || preferred.compare(e, old) < 0) m.put(key, e);
        }
        int n = byLen.size();
        int[] lengths = new int[n];
        long[][] hi = new long[n][], lo = new long[n][];
        FibEntry[][] entries = new FibEntry[n][];
        int i = 0;
        for (var le : byLen.entrySet()) {
            lengths[i] = le.getKey();
            List<long[]> keys = new ArrayList<>(le.getValue().keySet());
            hi[i] = new long[keys.size()];
            lo[i] = new long[keys.size()];
            entries[i] = new FibEntry[keys.size()];
            for (int k = 0; k < keys.size(); k++) {
                hi[i][k] = keys.get(k)[0];
                lo[i][k] = keys.get(k)[1];
                entries[i][k] = le.getValue().get(keys.get(k));
            }
            i++;
        }
        return new PrefixTable(lengths, hi, lo, entries);
    }
}
