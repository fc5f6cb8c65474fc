package org.flowgate.conntrack.table;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.flowgate.api.conntrack.CtStatus;
import org.flowgate.api.tuple.FiveTuple;

/**
 * The hash table of confirmed connections, both directions of each entry hashed as in Linux.
 *
 * <p>Lookups are lock-free: chains are singly linked through volatile {@code next} fields and an
 * unlinked node still points forward, so a reader walking it concurrently stays on a valid chain.
 * Writers take the stripe lock of each bucket they touch (two stripes for an insert or delete,
 * always in ascending order). The bucket count is fixed for the table's life.
 */
public final class CtTable {
    /** Receives every entry removed from the table (expired, deleted, flushed, early-dropped). */
    public interface RemovalListener {
        void removed(Conn c);
    }

    public static final long DAY_NANOS = 86_400L * 1_000_000_000L;
    private static final int STRIPES = 1024;
    /** Buckets early drop looks at, from the new entry's bucket on (Linux looks at 8). */
    private static final int EVICTION_RANGE = 64;

    private final AtomicReferenceArray<TupleNode> buckets;
    private final int mask;
    private final Object[] locks;
    private final long seed = ThreadLocalRandom.current().nextLong();
    private final AtomicInteger count = new AtomicInteger();
    private final java.util.concurrent.atomic.LongAdder expired = new java.util.concurrent.atomic.LongAdder();
    private final RemovalListener listener;

    public CtTable(int bucketCount, RemovalListener listener) {
        int n = Integer.highestOneBit(Math.max(16, Math.min(bucketCount, 1 << 26)));
        if (n < bucketCount && n < (1 << 26)) n <<= 1;
        buckets = new AtomicReferenceArray<>(n);
        mask = n - 1;
        locks = new Object[Math.min(STRIPES, n)];
        for (int i = 0; i < locks.length; i++) locks[i] = new Object();
        this.listener = listener;
    }

    public int bucketCount() { return mask + 1; }

    public int count() { return count.get(); }

    /** Entries the garbage collector removed because they timed out. */
    public long expired() { return expired.sum(); }

    public int hash(int zone, FiveTuple t) { return Tuples.hash(seed, zone, t); }

    /** The live entry with {@code t} as one of its tuples in {@code zone}, or null. Allocation-free. */
    public Conn find(int zone, FiveTuple t, long now) {
        int h = hash(zone, t);
        for (TupleNode n = buckets.get(h & mask); n != null; n = n.next) {
            if (n.matches(h, zone, t)) {
                Conn c = n.conn;
                if (c.hasStatus(CtStatus.DYING) || c.isExpired(now)) return null;
                return c;
            }
        }
        return null;
    }

    /** Whether a live entry other than {@code ignore} uses {@code t} (either direction) in {@code zone}. */
    public boolean taken(int zone, FiveTuple t, Conn ignore, long now) {
        int h = hash(zone, t);
        for (TupleNode n = buckets.get(h & mask); n != null; n = n.next) {
            if (n.conn != ignore && n.matches(h, zone, t) && !n.conn.hasStatus(CtStatus.DYING) && !n.conn.isExpired(now)) return true;
        }
        return false;
    }

    /**
     * Inserts (confirms) an entry. Expired entries in the way are reaped first.
     *
     * @return {@code c} when inserted; an existing entry with identical tuples (the same new flow
     *         raced on another thread: adopt it); null on a clash with a different entry
     */
    public Conn insert(Conn c, long now) {
        int ho = hash(c.zone, c.orig), hr = hash(c.zone, c.reply);
        Conn expiredO, expiredR;
        int bo = ho & mask, br = hr & mask;
        Object l1 = locks[Math.min(bo, br) & (locks.length - 1)], l2 = locks[Math.max(bo, br) & (locks.length - 1)];
        synchronized (l1) {
            synchronized (l2) {
                expiredO = null; expiredR = null;
                TupleNode a = lookupLocked(bo, ho, c.zone, c.orig), b = lookupLocked(br, hr, c.zone, c.reply);
                if (a != null) {
                    if (a.conn.isExpired(now)) expiredO = a.conn;
                    else return a.dir == Conn.ORIGINAL && b != null && b.conn == a.conn ? a.conn : null;
                }
                if (b != null && b.conn != expiredO) {
                    if (b.conn.isExpired(now)) expiredR = b.conn;
                    else return null;
                }
                if (expiredO == null && expiredR == null) {
                    link(c, bo, ho, br, hr);
                    return c;
                }
            }
        }
        // reap outside the locks (removal takes its own), then retry once
        if (expiredO != null) remove(expiredO);
        if (expiredR != null) remove(expiredR);
        synchronized (l1) {
            synchronized (l2) {
                if (lookupLocked(bo, ho, c.zone, c.orig) != null || lookupLocked(br, hr, c.zone, c.reply) != null) return null;
                link(c, bo, ho, br, hr);
                return c;
            }
        }
    }

    private void link(Conn c, int bo, int ho, int br, int hr) {
        TupleNode o = new TupleNode(ho, c, Conn.ORIGINAL), r = new TupleNode(hr, c, Conn.REPLY);
        c.origNode = o;
        c.replyNode = r;
        c.setStatus(CtStatus.CONFIRMED);
        o.next = buckets.get(bo);
        buckets.set(bo, o);
        r.next = buckets.get(br);
        buckets.set(br, r);
        count.incrementAndGet();
    }

    private TupleNode lookupLocked(int b, int h, int zone, FiveTuple t) {
        for (TupleNode n = buckets.get(b); n != null; n = n.next) {
            if (n.matches(h, zone, t) && !n.conn.hasStatus(CtStatus.DYING)) return n;
        }
        return null;
    }

    /** Removes an entry (marks it DYING); false when it was not in the table or already removed. */
    public boolean remove(Conn c) {
        TupleNode o = c.origNode, r = c.replyNode;
        if (o == null || !c.setStatus(CtStatus.DYING)) return false;
        int bo = o.hash & mask, br = r.hash & mask;
        Object l1 = locks[Math.min(bo, br) & (locks.length - 1)], l2 = locks[Math.max(bo, br) & (locks.length - 1)];
        synchronized (l1) {
            synchronized (l2) {
                unlink(bo, o);
                unlink(br, r);
            }
        }
        count.decrementAndGet();
        listener.removed(c);
        return true;
    }

    private void unlink(int b, TupleNode node) {
        TupleNode prev = null;
        for (TupleNode n = buckets.get(b); n != null; prev = n, n = n.next) {
            if (n == node) {
                if (prev == null) buckets.set(b, n.next);
                else prev.next = n.next;
                return;
            }
        }
    }

    /**
     * One incremental garbage collection step over {@code n} buckets from {@code from}: removes
     * expired entries and masqueraded ones whose address is gone, and re-arms offloaded ones (as
     * Linux's {@code nf_ct_offload_timeout}).
     *
     * @return the bucket to continue from next time
     */
    public int gcStep(int from, int n, long now) {
        int b = from & mask;
        for (int i = 0; i < n; i++, b = (b + 1) & mask) {
            for (TupleNode t = buckets.get(b); t != null; t = t.next) {
                if (t.dir != Conn.ORIGINAL) continue;
                Conn c = t.conn;
                if (c.hasStatus(CtStatus.OFFLOAD)) {
                    if (c.deadline() - now < DAY_NANOS / 2) c.setDeadline(now + DAY_NANOS);
                } else if (c.isExpired(now)) {
                    if (remove(c)) expired.increment();
                } else if (c.masqDevice != null && c.masqueradeStale()) {
                    remove(c);
                }
            }
        }
        return b;
    }

    /**
     * Makes room as Linux's {@code early_drop}: from the bucket of {@code hash} on, removes the
     * first entry that is expired or not assured (and not offloaded).
     *
     * @return true when an entry was removed
     */
    public boolean earlyDrop(int hash, long now) {
        int b = hash & mask;
        int range = Math.min(EVICTION_RANGE, mask + 1);
        for (int i = 0; i < range; i++, b = (b + 1) & mask) {
            for (TupleNode t = buckets.get(b); t != null; t = t.next) {
                Conn c = t.conn;
                if (c.hasStatus(CtStatus.DYING | CtStatus.OFFLOAD)) continue;
                if ((c.isExpired(now) || !c.hasStatus(CtStatus.ASSURED)) && remove(c)) return true;
            }
        }
        return false;
    }

    /** A snapshot of all entries (administration path; allocates). */
    public List<Conn> snapshot() {
        List<Conn> out = new ArrayList<>(Math.max(16, count.get()));
        for (int b = 0; b <= mask; b++) {
            for (TupleNode t = buckets.get(b); t != null; t = t.next) {
                if (t.dir == Conn.ORIGINAL && !t.conn.hasStatus(CtStatus.DYING)) out.add(t.conn);
            }
        }
        return out;
    }
}
