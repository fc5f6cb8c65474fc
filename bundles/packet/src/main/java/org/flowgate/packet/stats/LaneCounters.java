package org.flowgate.packet.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A fixed set of monotonic counters with one cell per {@link Lanes lane}. The owner of a lane
 * adds with a plain load of its own cell and an opaque store (single writer: no atomic, no
 * fence, never torn); lane {@link Lanes#SHARED} adds atomically. {@link #sum} reads every
 * lane's cell opaquely and adds them up: exact once the writers' updates are visible (at once on
 * the hardware we run on; guaranteed after anything that orders them, a join or a lock), and,
 * like {@code LongAdder.sum()}, not an atomic snapshot across counters while packets flow.
 * <p>Lanes are 128-byte aligned blocks of the array (plus 128 bytes before the first), so two
 * threads' cells never share a cache line or an adjacent-line prefetch pair.
 */
public final class LaneCounters {
    private static final VarHandle CELL = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int LINE = 16; // longs in 128 bytes

    private final int counters;
    private final int stride;
    private final long[] cells;

    public LaneCounters(int counters) {
        if (counters <= 0) throw new IllegalArgumentException("counters must be positive");
        this.counters = counters;
        this.stride = (counters + LINE - 1) / LINE * LINE;
        this.cells = new long[LINE + stride * (Lanes.SHARED + 1)];
    }

    public int size() { return counters; }

    /** Adds to {@code counter} in {@code lane} ({@link Lanes#current()} / {@link Lanes#claim()} of this thread). */
    public void add(int lane, int counter, long delta) {
        int i = LINE + lane * stride + counter;
        if (lane == Lanes.SHARED) { CELL.getAndAdd(cells, i, delta); return; }
        CELL.setOpaque(cells, i, cells[i] + delta);
    }

    /** Adds one to {@code counter} in {@code lane}. */
    public void increment(int lane, int counter) { add(lane, counter, 1); }

    /** Adds to two counters of one lane (a packet and its bytes). */
    public void add2(int lane, int c1, long d1, int c2, long d2) {
        int base = LINE + lane * stride;
        if (lane == Lanes.SHARED) { addShared(base + c1, d1, base + c2, d2); return; }
        CELL.setOpaque(cells, base + c1, cells[base + c1] + d1);
        CELL.setOpaque(cells, base + c2, cells[base + c2] + d2);
    }

    private void addShared(int i1, long d1, int i2, long d2) {
        CELL.getAndAdd(cells, i1, d1);
        CELL.getAndAdd(cells, i2, d2);
    }

    /** The counter's total over all lanes. */
    public long sum(int counter) {
        if (counter < 0 || counter >= counters) throw new IndexOutOfBoundsException(counter);
        long s = 0;
        for (int lane = 0, i = LINE + counter; lane <= Lanes.SHARED; lane++, i += stride) s += (long) CELL.getOpaque(cells, i);
        return s;
    }
}
