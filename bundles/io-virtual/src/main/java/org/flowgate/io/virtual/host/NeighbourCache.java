package org.flowgate.io.virtual.host;

/** A host's ARP/NDP cache: a few entries in primitive arrays, scanned linearly. */
final class NeighbourCache {
    private final int[] family;
    private final long[] hi, lo, mac;
    private int size, next;

    NeighbourCache(int capacity) {
        family = new int[capacity];
        hi = new long[capacity];
        lo = new long[capacity];
        mac = new long[capacity];
    }

    synchronized long lookup(int fam, long h, long l) {
        for (int i = 0; i < size; i++) {
            if (lo[i] == l && hi[i] == h && family[i] == fam) return mac[i];
        }
        return -1;
    }

    /** Adds or updates; when full the oldest insertion is replaced. */
    synchronized void learn(int fam, long h, long l, long m) {
        for (int i = 0; i < size; i++) {
            if (lo[i] == l && hi[i] == h && family[i] == fam) { mac[i] = m; return; }
        }
        int i;
        if (size < family.length) i = size++;
        else { i = next; next = (next + 1) % family.length; }
        family[i] = fam; hi[i] = h; lo[i] = l; mac[i] = m;
    }

    synchronized void clear() { size = 0; next = 0; }

    synchronized int size() { return size; }
}
