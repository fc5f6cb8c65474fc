package org.flowgate.flowtable.table;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * What a flow table keeps per flow outside its hash slots, by a stable flow index (a slot moves
 * when the table is rebuilt, the index does not): the {@link Flow} object (control plane only) and
 * each direction's packet/byte counters and last-used time, in chunked primitive arrays that never
 * move once allocated, so a fast-path hit counts into one cache line without touching an object.
 *
 * <p>Race policy of the counters: each direction has a single writer (the port thread its ingress
 * device delivers on; a port fanning out by flow hash keeps a flow on one thread), which
 * increments with opaque read and write, no atomic instruction; readers see a recent value, and
 * while the flow is in the table the counts add up exactly. When a flow leaves, its counts are
 * retired into its {@link FlowTuple}; a packet that found the flow just before it was removed may
 * still count into the released index (at most one per port thread, as Linux's flow counters do)
 * and that count is lost. Released indices are reused only after two {@link #epoch()} calls (two
 * garbage-collector steps), so such a late count never lands in another flow.
 *
 * <p>Allocation and release are serialized by the table's writer lock.
 */
final class FlowStore {
    static final int CHUNK_BITS = 14, CHUNK = 1 << CHUNK_BITS, CHUNK_MASK = CHUNK - 1;
    /** Longs per direction in a stats chunk: packets, bytes, last used, spare (32 bytes). */
    static final int STAT_SHIFT = 2;
    static final int PACKETS = 0, BYTES = 1, LAST_USED = 2;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle FLOWS = MethodHandles.arrayElementVarHandle(Flow[].class);

    /** [direction][chunk]: each direction in its own chunks, so two port threads never share a line of one flow. */
    private volatile long[][][] stats = new long[2][0][];
    private volatile Flow[][] flows = new Flow[0][];
    private int next;
    private int[] free = new int[64];
    private int freeCount;
    private int[] quarantine = new int[64], older = new int[64];
    private int quarantineCount, olderCount;

    // ---- packet path ----

    /** Counts one forwarded packet of {@code len} bytes and marks the direction used at {@code now}. */
    void hit(int dir, int index, int len, long now) {
        long[] c = stats[dir][index >>> CHUNK_BITS];
        int o = (index & CHUNK_MASK) << STAT_SHIFT;
        LONGS.setOpaque(c, o + PACKETS, (long) LONGS.getOpaque(c, o + PACKETS) + 1);
        LONGS.setOpaque(c, o + BYTES, (long) LONGS.getOpaque(c, o + BYTES) + len);
        if ((long) LONGS.getOpaque(c, o + LAST_USED) != now) LONGS.setOpaque(c, o + LAST_USED, now);
    }

    Flow flow(int index) { return (Flow) FLOWS.getAcquire(flows[index >>> CHUNK_BITS], index & CHUNK_MASK); }

    // ---- readers off the packet path ----

    long get(int dir, int index, int field) {
        return (long) LONGS.getOpaque(stats[dir][index >>> CHUNK_BITS], ((index & CHUNK_MASK) << STAT_SHIFT) + field);
    }

    void setLastUsed(int dir, int index, long now) {
        LONGS.setOpaque(stats[dir][index >>> CHUNK_BITS], ((index & CHUNK_MASK) << STAT_SHIFT) + LAST_USED, now);
    }

    // ---- writers (under the table's lock) ----

    /** A fresh index for {@code f}: counters zeroed, last used as the tuples say. */
    int allocate(Flow f) {
        int i;
        if (freeCount > 0) i = free[--freeCount];
        else {
            i = next++;
            if ((i >>> CHUNK_BITS) >= flows.length) grow();
        }
        for (int d = 0; d < 2; d++) {
            long[] c = stats[d][i >>> CHUNK_BITS];
            int o = (i & CHUNK_MASK) << STAT_SHIFT;
            LONGS.setOpaque(c, o + PACKETS, 0L);
            LONGS.setOpaque(c, o + BYTES, 0L);
            LONGS.setOpaque(c, o + LAST_USED, f.tuple(d).lastUsed());
        }
        FLOWS.setRelease(flows[i >>> CHUNK_BITS], i & CHUNK_MASK, f);
        return i;
    }

    /** Gives an index back; reusable after two epochs. */
    void release(int index) {
        FLOWS.setRelease(flows[index >>> CHUNK_BITS], index & CHUNK_MASK, (Flow) null);
        if (quarantineCount == quarantine.length) quarantine = Arrays.copyOf(quarantine, quarantineCount * 2);
        quarantine[quarantineCount++] = index;
    }

    /** Moves indices released two epochs ago to the free list (called once per garbage-collector step). */
    void epoch() {
        if (freeCount + olderCount > free.length) free = Arrays.copyOf(free, Math.max(free.length * 2, freeCount + olderCount));
        System.arraycopy(older, 0, free, freeCount, olderCount);
        freeCount += olderCount;
        int[] t = older;
        older = quarantine;
        olderCount = quarantineCount;
        quarantine = t;
        quarantineCount = 0;
    }

    private void grow() {
        int n = flows.length + 1;
        Flow[][] f = Arrays.copyOf(flows, n);
        f[n - 1] = new Flow[CHUNK];
        long[][][] s = new long[2][][];
        for (int d = 0; d < 2; d++) {
            s[d] = Arrays.copyOf(stats[d], n);
            s[d][n - 1] = new long[CHUNK << STAT_SHIFT];
        }
        flows = f;
        stats = s;
    }

    /** Bytes held by the chunks (for the memory report). */
    long footprint() {
        return (long) flows.length * CHUNK * (4 + 2 * (8 << STAT_SHIFT));
    }
}
