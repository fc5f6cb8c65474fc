package org.flowgate.driver.emulated.eswitch;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * The CT table: a fixed-capacity open-addressing array (the hardware's finite table). Lookups are
 * lock-free and allocation-free; inserts and removals (the driver's thread) are serialized, leave
 * tombstones, and rebuild the array when tombstones pile up.
 */
final class CtTable {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(CtEntry[].class);
    private static final CtEntry TOMBSTONE = new CtEntry(-1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    private volatile int capacity;
    private volatile CtEntry[] slots;
    private int used, tombstones;

    CtTable(int capacity) {
        this.capacity = capacity;
        slots = new CtEntry[size(capacity)];
    }

    private static int size(int capacity) { return Integer.highestOneBit(Math.max(16, capacity * 2) - 1) << 1; }

    int capacity() { return capacity; }

    /**
     * A new limit, applied at runtime: a larger one rebuilds the array when it is too small (same
     * entries, counters kept); a smaller one only refuses inserts until the caller evicted enough.
     */
    synchronized void setCapacity(int n) {
        capacity = n;
        if (size(n) > slots.length) {
            CtEntry[] old = slots, t = new CtEntry[size(n)];
            int mask = t.length - 1;
            for (CtEntry e : old) {
                if (e == null || e == TOMBSTONE) continue;
                int i = e.hash & mask;
                while (t[i] != null) i = (i + 1) & mask;
                t[i] = e;
            }
            tombstones = 0;
            slots = t;
        }
    }

    synchronized int size() { return used; }

    CtEntry lookup(int zone, int inPort, int inVlan, int family, int proto, long srcHi, long srcLo, long dstHi, long dstLo, int srcPort,
            int dstPort) {
        CtEntry[] t = slots;
        int mask = t.length - 1;
        int h = CtEntry.hash(zone, inPort, inVlan, family, proto, srcHi, srcLo, dstHi, dstLo, srcPort, dstPort);
        for (int i = h & mask, n = 0; n <= mask; n++, i = (i + 1) & mask) {
            CtEntry e = (CtEntry) SLOT.getAcquire(t, i);
            if (e == null) return null;
            if (e != TOMBSTONE && e.matches(h, zone, inPort, inVlan, family, proto, srcHi, srcLo, dstHi, dstLo, srcPort, dstPort)) return e;
        }
        return null;
    }

    /** 0 when inserted, 1 when the table is full, 2 when an entry with the same match exists. */
    synchronized int insert(CtEntry e) {
        if (used >= capacity) return 1;
        if (lookup(e.zone, e.inPort, e.inVlan, e.family, e.proto, e.srcHi, e.srcLo, e.dstHi, e.dstLo, e.srcPort, e.dstPort) != null) return 2;
        if (tombstones > capacity / 2) rebuild();
        CtEntry[] t = slots;
        int mask = t.length - 1;
        for (int i = e.hash & mask; ; i = (i + 1) & mask) {
            CtEntry x = (CtEntry) SLOT.getAcquire(t, i);
            if (x == null || x == TOMBSTONE) {
                if (x == TOMBSTONE) tombstones--;
                SLOT.setRelease(t, i, e);
                used++;
                return 0;
            }
        }
    }

    synchronized boolean remove(CtEntry e) {
        CtEntry[] t = slots;
        int mask = t.length - 1;
        for (int i = e.hash & mask, n = 0; n <= mask; n++, i = (i + 1) & mask) {
            CtEntry x = (CtEntry) SLOT.getAcquire(t, i);
            if (x == null) return false;
            if (x == e) {
                SLOT.setRelease(t, i, TOMBSTONE);
                used--;
                tombstones++;
                return true;
            }
        }
        return false;
    }

    private void rebuild() {
        CtEntry[] old = slots, t = new CtEntry[old.length];
        int mask = t.length - 1;
        for (CtEntry e : old) {
            if (e == null || e == TOMBSTONE) continue;
            int i = e.hash & mask;
            while (t[i] != null) i = (i + 1) & mask;
            t[i] = e;
        }
        tombstones = 0;
        slots = t;
    }

    List<CtEntry> entries() {
        List<CtEntry> l = new ArrayList<>();
        for (CtEntry e : slots) if (e != null && e != TOMBSTONE) l.add(e);
        return l;
    }
}
