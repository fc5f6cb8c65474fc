package org.flowgate.flowtable.table;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The tuples of all flows of a table, in one open-addressing (linear probing) array of references.
 *
 * <p>Lookups are lock-free and allocation-free: they read the current array once and probe slots
 * with acquire semantics; tuples are immutable, so a published one is complete. Writers (adding on
 * the packet path, removing from the garbage collector and commands) serialize on a lock; removal
 * leaves a tombstone, and the array is rebuilt into a fresh one (then published) when tombstones or
 * load pass a threshold, so a reader still probing the old array sees a consistent, if stale, set.
 */
public final class FlowHashTable {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(FlowTuple[].class);
    /** Marks a removed slot; never matches a key (its ingress ifIndex is -1) and has no flow. */
    private static final FlowTuple TOMBSTONE = FlowTuple.tombstone();

    private final ReentrantLock lock = new ReentrantLock();
    private volatile FlowTuple[] slots;
    private final int minCapacity;
    private int used;       // live tuples
    private int tombstones;
    private volatile int flows;

    public FlowHashTable(int expectedFlows) {
        minCapacity = capacityFor(Math.max(16, expectedFlows));
        slots = new FlowTuple[minCapacity];
    }

    /** Slots for {@code flows} flows (two tuples each) at a load of at most 1/2. */
    private static int capacityFor(int flows) {
        long need = Math.max(32L, (long) flows * 4);
        return (int) Math.min(1 << 30, Long.highestOneBit(need - 1) << 1);
    }

    public int size() { return flows; }

    public int capacity() { return slots.length; }

    // ---- readers ----

    public FlowTuple lookup(int family, long srcHi, long srcLo, long dstHi, long dstLo, int proto, int srcPort, int dstPort,
            int inIfIndex, int inVlan) {
        FlowTuple[] t = slots;
        int mask = t.length - 1;
        int h = FlowTuple.hash(family, srcHi, srcLo, dstHi, dstLo, proto, srcPort, dstPort, inIfIndex, inVlan);
        int i = h & mask;
        for (int n = 0; n <= mask; n++) {
            FlowTuple e = (FlowTuple) SLOT.getAcquire(t, i);
            if (e == null) return null;
            if (e.matches(h, family, srcHi, srcLo, dstHi, dstLo, proto, srcPort, dstPort, inIfIndex, inVlan)) return e;
            i = (i + 1) & mask;
        }
        return null;
    }

    /** The current slot array, for the garbage collector's incremental walk (entries may be {@link #isLive} or not). */
    FlowTuple[] slots() { return slots; }

    static FlowTuple slot(FlowTuple[] t, int i) { return (FlowTuple) SLOT.getAcquire(t, i); }

    static boolean isLive(FlowTuple e) { return e != null && e.flow != null; }

    // ---- writers ----

    /**
     * Adds both tuples of a flow unless either key is already present.
     *
     * @param wait false on the packet path: give up instead of waiting while another writer
     *             (a rebuild) holds the lock
     * @return false when a tuple exists already or the lock was busy
     */
    public boolean insert(Flow f, boolean wait) {
        if (wait) lock.lock();
        else if (!lock.tryLock()) return false;
        try {
            FlowTuple a = f.tuple(0), b = f.tuple(1);
            if (find(slots, a) >= 0 || find(slots, b) >= 0) return false;
            if ((used + tombstones + 2) * 2L > slots.length) rebuild(used / 2 + 1);
            if (place(slots, a)) tombstones--;
            if (place(slots, b)) tombstones--;
            used += 2;
            flows++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Removes a flow's tuples (by identity); false when it was not in the table. */
    public boolean remove(Flow f) {
        lock.lock();
        try {
            FlowTuple[] t = slots;
            int ia = indexOf(t, f.tuple(0)), ib = indexOf(t, f.tuple(1));
            if (ia < 0 && ib < 0) return false;
            if (ia >= 0) { SLOT.setRelease(t, ia, TOMBSTONE); used--; tombstones++; }
            if (ib >= 0) { SLOT.setRelease(t, ib, TOMBSTONE); used--; tombstones++; }
            flows--;
            if (tombstones * 4L > t.length) rebuild(used / 2);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Rebuilds into an array sized for {@code flowsToHold}, dropping tombstones; then publishes it. */
    private void rebuild(int flowsToHold) {
        int cap = Math.max(minCapacity, capacityFor(Math.max(flowsToHold, used / 2) * 2));
        FlowTuple[] old = slots, fresh = new FlowTuple[cap];
        for (int i = 0; i < old.length; i++) {
            FlowTuple e = old[i];
            if (isLive(e)) place(fresh, e);
        }
        tombstones = 0;
        slots = fresh;
    }

    /** Puts a tuple in the first free slot of its probe run; true when that slot held a tombstone. */
    private static boolean place(FlowTuple[] t, FlowTuple e) {
        int mask = t.length - 1;
        for (int i = e.hash & mask; ; i = (i + 1) & mask) {
            FlowTuple s = t[i];
            if (s == null || !isLive(s)) {
                SLOT.setRelease(t, i, e);
                return s != null;
            }
        }
    }

    private static int find(FlowTuple[] t, FlowTuple key) {
        int mask = t.length - 1;
        for (int i = key.hash & mask, n = 0; n <= mask; i = (i + 1) & mask, n++) {
            FlowTuple s = t[i];
            if (s == null) return -1;
            if (isLive(s) && s.sameKey(key)) return i;
        }
        return -1;
    }

    private static int indexOf(FlowTuple[] t, FlowTuple e) {
        int mask = t.length - 1;
        for (int i = e.hash & mask, n = 0; n <= mask; i = (i + 1) & mask, n++) {
            FlowTuple s = t[i];
            if (s == null) return -1;
            if (s == e) return i;
        }
        return -1;
    }
}
