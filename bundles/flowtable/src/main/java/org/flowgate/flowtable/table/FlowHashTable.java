package org.flowgate.flowtable.table;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

import org.flowgate.api.netdev.NetDevice;

/**
 * The directions of all flows of a table, inlined into one primitive array with open addressing
 * (linear probing): a slot is {@link #SLOT} longs (64 bytes) holding a direction's lookup key and
 * everything a fast-path hit needs to forward an IPv4 packet, so a hit at a million flows costs
 * one cache miss instead of a chain of object dereferences. The {@link Flow} objects stay for the
 * control plane (garbage collector, commands, offload) and are reached by the slot's flow index
 * ({@link FlowStore}).
 *
 * <h2>Slot layout (longs)</h2>
 * <pre>
 * 0 META     sequence (32) | out VLAN id, 0xFFFF untagged (16) | flags (16): state (2 bits), TORN_DOWN
 * 1 ADDR     IPv4: source (32) | destination (32); IPv6: a 64-bit fingerprint of both addresses
 * 2 PORTS    source port (16) | destination port (16) | ingress ifIndex (32)
 * 3 MISC     protocol (8) | ingress VLAN, 0xFFFF untagged (16) | family (8) | direction (1) | flow index (31)
 * 4 NEWADDR  IPv4: new source (32) | new destination (32); IPv6: 0 (the tuple holds the addresses)
 * 5 REWRITE  new source port (16) | new destination port (16) | IPv4 header checksum delta (16) | L4 checksum delta (16)
 * 6 MACHEAD  destination MAC (48) | first 16 bits of the source MAC
 * 7 TAIL     last 32 bits of the source MAC | MTU (16) | egress device number (16)
 * </pre>
 * Words 1-3 are the key. An IPv6 hit compares the full addresses in the flow's tuple and takes
 * the new addresses from it (one more dependent miss for IPv6).
 *
 * <h2>Concurrency</h2>
 * Lookups are lock-free and allocation-free. Writers (add on the packet path with {@code tryLock},
 * remove from the garbage collector and commands) serialize on a lock. A slot's META word is a
 * sequence lock: a writer filling a slot (a fresh one or a tombstone being reused) sets state
 * WRITING with a new sequence, stores the words, then publishes LIVE with the next sequence
 * (release); a reader loads META with acquire, compares the key, copies the words it needs, then
 * re-reads META after a load-load fence and discards the hit if the sequence moved
 * ({@link #probe4} / {@link #stable}). Removal leaves a tombstone (new sequence). When tombstones
 * or load pass a threshold the array is rebuilt into a fresh one and published; a reader still
 * probing the old array sees a consistent, if stale, set. The TORN_DOWN flag is set with a CAS on
 * META (sequence kept) from any thread; a rebuild re-applies it from the flows after publishing.
 */
public final class FlowHashTable {
    public static final int SLOT_SHIFT = 3, SLOT = 1 << SLOT_SHIFT;
    public static final int META = 0, ADDR = 1, PORTS = 2, MISC = 3, NEWADDR = 4, REWRITE = 5, MACHEAD = 6, TAIL = 7;
    static final int EMPTY = 0, LIVE = 1, TOMB = 2, WRITING = 3, STATE = 3;
    public static final int TORN_DOWN = 4;
    public static final int NO_VLAN = 0xFFFF;
    /** A miss from {@link #probe4}/{@link #probe6}. */
    public static final long MISS = -1;
    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int MAX_DEVICES = 0xFFFF;

    private final ReentrantLock lock = new ReentrantLock();
    private volatile long[] slots;
    private final int minCapacity;
    private int used;       // live slots
    private int tombstones;
    private volatile int flows;
    private final FlowStore store = new FlowStore();
    private volatile NetDevice[] devices = new NetDevice[0];
    private final boolean counting;
    private long retiredPackets; // of flows removed, under the lock

    public FlowHashTable(int expectedFlows) { this(expectedFlows, true); }

    /** @param counting whether the flows report their counters ({@code NF_FLOWTABLE_COUNTER}) */
    public FlowHashTable(int expectedFlows, boolean counting) {
        this.counting = counting;
        minCapacity = capacityFor(Math.max(16, expectedFlows));
        slots = new long[minCapacity << SLOT_SHIFT];
    }

    /** Slots for {@code flows} flows (two directions each) at a load of at most 1/2. */
    private static int capacityFor(int flows) {
        long need = Math.max(32L, (long) flows * 4);
        return (int) Math.min(1 << 26, Long.highestOneBit(need - 1) << 1);
    }

    public int size() { return flows; }

    /** Number of slots. */
    public int capacity() { return slots.length >>> SLOT_SHIFT; }

    boolean counting() { return counting; }

    FlowStore store() { return store; }

    // ---- keys ----

    /** Word MISC's key half: protocol, ingress VLAN (-1 untagged) and family. */
    public static int misc(int family, int proto, int vlan) {
        return (proto & 0xFF) << 24 | (vlan & 0xFFFF) << 8 | (family & 0xFF);
    }

    /** Word PORTS: the transport header's first 32 bits and the ingress ifIndex. */
    public static long ports(int srcPort, int dstPort, int inIfIndex) {
        return ((long) srcPort << 48) | ((long) (dstPort & 0xFFFF) << 32) | (inIfIndex & 0xFFFF_FFFFL);
    }

    /** Word ADDR of an IPv6 key. */
    public static long fingerprint(long srcHi, long srcLo, long dstHi, long dstLo) {
        long h = srcHi * 0x9E3779B97F4A7C15L + srcLo;
        h = (h ^ (h >>> 29)) * 0xBF58476D1CE4E5B9L + dstHi;
        h = (h ^ (h >>> 32)) * 0x94D049BB133111EBL + dstLo;
        return h ^ (h >>> 31);
    }

    /** The slot hash of a key (splitmix64-style finalizer: linear probing needs well-spread low bits). */
    public static int hash(long addr, long ports, int misc) {
        long h = (addr ^ (ports * 0x9E3779B97F4A7C15L)) * 0xBF58476D1CE4E5B9L + misc;
        h ^= h >>> 31;
        h *= 0x94D049BB133111EBL;
        h ^= h >>> 29;
        return (int) h;
    }

    private static long addrWord(int family, long srcHi, long srcLo, long dstHi, long dstLo) {
        return family == 4 ? (srcLo << 32) | (dstLo & 0xFFFF_FFFFL) : fingerprint(srcHi, srcLo, dstHi, dstLo);
    }

    // ---- readers: the packet path ----

    /** The current slot array (read once per packet; {@link #probe4} and the slot words index into it). */
    public long[] slots() { return slots; }

    /**
     * Finds an IPv4 key: {@code addr} is the packet's source and destination as one big-endian
     * long. Returns {@link #MISS} or the slot's base index (low 32 bits) with the sequence it had
     * (high 32 bits), for {@link #stable} once the caller has copied the words it needs.
     */
    public static long probe4(long[] t, long addr, long ports, int misc) {
        int mask = (t.length >>> SLOT_SHIFT) - 1;
        for (int i = hash(addr, ports, misc) & mask, n = 0; n <= mask; i = (i + 1) & mask, n++) {
            int b = i << SLOT_SHIFT;
            long m = (long) WORD.getAcquire(t, b);
            int state = (int) m & STATE;
            if (state == EMPTY) return MISS;
            if (state == LIVE && t[b + ADDR] == addr && t[b + PORTS] == ports && (int) (t[b + MISC] >>> 32) == misc)
                return (m & 0x7FFF_FFFF_0000_0000L) | b;
        }
        return MISS;
    }

    /** As {@link #probe4} for IPv6: the fingerprint narrows, the flow's tuple confirms. */
    public long probe6(long[] t, long srcHi, long srcLo, long dstHi, long dstLo, long ports, int misc) {
        long addr = fingerprint(srcHi, srcLo, dstHi, dstLo);
        int mask = (t.length >>> SLOT_SHIFT) - 1;
        for (int i = hash(addr, ports, misc) & mask, n = 0; n <= mask; i = (i + 1) & mask, n++) {
            int b = i << SLOT_SHIFT;
            long m = (long) WORD.getAcquire(t, b);
            int state = (int) m & STATE;
            if (state == EMPTY) return MISS;
            if (state == LIVE && t[b + ADDR] == addr && t[b + PORTS] == ports && (int) (t[b + MISC] >>> 32) == misc) {
                FlowTuple e = tupleOf(t[b + MISC]);
                if (e != null && e.srcHi == srcHi && e.srcLo == srcLo && e.dstHi == dstHi && e.dstLo == dstLo)
                    return (m & 0x7FFF_FFFF_0000_0000L) | b;
            }
        }
        return MISS;
    }

    /**
     * After copying a hit's words: the slot's META if it still holds the entry {@code hit} found
     * (same sequence), else {@link #MISS} (a writer reused the slot meanwhile).
     */
    public static long stable(long[] t, long hit) {
        VarHandle.loadLoadFence();
        int b = (int) hit;
        long m = (long) WORD.getOpaque(t, b);
        return (m & 0x7FFF_FFFF_0000_0000L) == (hit & 0x7FFF_FFFF_0000_0000L) ? m : MISS;
    }

    /** The egress device of a slot's TAIL word. */
    public NetDevice device(long tail) { return devices[(int) tail & 0xFFFF]; }

    /** The direction (tuple) a slot's MISC word belongs to; null once the flow left. */
    public FlowTuple tupleOf(long misc) {
        Flow f = store.flow((int) misc & 0x7FFF_FFFF);
        return f == null ? null : f.tuple((int) (misc >>> 31) & 1);
    }

    /** The flow of a slot's MISC word; null once it left. */
    public Flow flowOf(long misc) { return store.flow((int) misc & 0x7FFF_FFFF); }

    /** Counts a forwarded packet on the direction of a slot's MISC word. */
    public void hit(long misc, int len, long now) {
        store.hit((int) (misc >>> 31) & 1, (int) misc & 0x7FFF_FFFF, len, now);
    }

    /** A key's tuple (control plane and tests), or null. */
    public FlowTuple lookup(int family, long srcHi, long srcLo, long dstHi, long dstLo, int proto, int srcPort, int dstPort,
            int inIfIndex, int inVlan) {
        long[] t = slots;
        long ports = ports(srcPort, dstPort, inIfIndex);
        int misc = misc(family, proto, inVlan);
        for (int tries = 0; tries < 4; tries++) {
            long hit = family == 4 ? probe4(t, addrWord(4, 0, srcLo, 0, dstLo), ports, misc) : probe6(t, srcHi, srcLo, dstHi, dstLo, ports, misc);
            if (hit == MISS) return null;
            FlowTuple e = tupleOf(t[(int) hit + MISC]);
            if (stable(t, hit) != MISS) return e;
        }
        return null;
    }

    // ---- the garbage collector's walk ----

    /** The flow whose original direction is in slot {@code i} of {@code t}, or null. */
    Flow originalAt(long[] t, int i) {
        int b = i << SLOT_SHIFT;
        long m = (long) WORD.getAcquire(t, b);
        if (((int) m & STATE) != LIVE) return null;
        long misc = t[b + MISC];
        if (((misc >>> 31) & 1) != 0) return null;
        Flow f = store.flow((int) misc & 0x7FFF_FFFF);
        return stable(t, (m & 0x7FFF_FFFF_0000_0000L) | b) == MISS ? null : f;
    }

    /** Called once per garbage-collector step: released flow indices age. */
    void epoch() {
        lock.lock();
        try {
            store.epoch();
        } finally {
            lock.unlock();
        }
    }

    /** Packets forwarded by the fast path: flows removed plus the live ones (walks the table under the lock). */
    long packets() {
        lock.lock();
        try {
            long n = retiredPackets;
            long[] t = slots;
            for (int b = 0; b < t.length; b += SLOT) {
                if (((int) t[b] & STATE) != LIVE) continue;
                long misc = t[b + MISC];
                n += store.get((int) (misc >>> 31) & 1, (int) misc & 0x7FFF_FFFF, FlowStore.PACKETS);
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    // ---- writers ----

    /**
     * Adds both directions of a flow unless either key is already present.
     *
     * @param wait false on the packet path: give up instead of waiting while another writer
     *             (a rebuild) holds the lock
     * @return false when a key exists already, the lock was busy or the table is full
     */
    public boolean insert(Flow f, boolean wait) {
        if (wait) lock.lock();
        else if (!lock.tryLock()) return false;
        try {
            FlowTuple a = f.tuple(0), b = f.tuple(1);
            if (a.index() >= 0 || find(slots, a, -1) >= 0 || find(slots, b, -1) >= 0) return false;
            int da = deviceNumber(a.outDevice), db = deviceNumber(b.outDevice);
            if (da < 0 || db < 0) return false;
            if ((used + tombstones + 2) * 2L > capacity()) rebuild(used / 2 + 1);
            int index = store.allocate(f);
            a.attach(this, index);
            b.attach(this, index);
            if (place(slots, a, da, index, f.isTornDown())) tombstones--;
            if (place(slots, b, db, index, f.isTornDown())) tombstones--;
            used += 2;
            flows++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Removes a flow's directions; false when it was not in the table. */
    public boolean remove(Flow f) {
        lock.lock();
        try {
            FlowTuple a = f.tuple(0), b = f.tuple(1);
            int index = a.index();
            if (index < 0) return false;
            long[] t = slots;
            int ia = find(t, a, index), ib = find(t, b, index);
            if (ia >= 0) { tombstone(t, ia); used--; tombstones++; }
            if (ib >= 0) { tombstone(t, ib); used--; tombstones++; }
            retiredPackets += store.get(0, index, FlowStore.PACKETS) + store.get(1, index, FlowStore.PACKETS);
            a.detach(store);
            b.detach(store);
            store.release(index);
            flows--;
            if (tombstones * 4L > capacity()) rebuild(used / 2);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Sets TORN_DOWN on the slots of a flow whose {@link Flow#TEARDOWN} flag is set; any thread, no lock. */
    void markTornDown(Flow f) {
        int index = f.tuple(0).index();
        if (index < 0) return;
        for (;;) {
            long[] t = slots;
            for (int d = 0; d < 2; d++) {
                int i = find(t, f.tuple(d), index);
                if (i < 0) continue;
                int b = i << SLOT_SHIFT;
                for (;;) {
                    long m = (long) WORD.getVolatile(t, b);
                    if (((int) m & STATE) != LIVE || (m & TORN_DOWN) != 0 || WORD.compareAndSet(t, b, m, m | TORN_DOWN)) break;
                }
            }
            if (slots == t) return;
        }
    }

    private static void tombstone(long[] t, int i) {
        int b = i << SLOT_SHIFT;
        long m = t[b];
        WORD.setRelease(t, b, (((m >>> 32) + 1) << 32) | TOMB);
    }

    private int deviceNumber(NetDevice d) {
        NetDevice[] ds = devices;
        for (int i = 0; i < ds.length; i++) if (ds[i] == d) return i;
        if (ds.length == MAX_DEVICES) return -1;
        ds = Arrays.copyOf(ds, ds.length + 1);
        ds[ds.length - 1] = d;
        devices = ds;
        return ds.length - 1;
    }

    /** Rebuilds into an array sized for {@code flowsToHold}, dropping tombstones; then publishes it. */
    private void rebuild(int flowsToHold) {
        int cap = Math.max(minCapacity, capacityFor(Math.max(flowsToHold, used / 2) * 2));
        long[] old = slots, fresh = new long[cap << SLOT_SHIFT];
        int mask = cap - 1;
        for (int b = 0; b < old.length; b += SLOT) {
            if (((int) old[b] & STATE) != LIVE) continue;
            int i = hash(old[b + ADDR], old[b + PORTS], (int) (old[b + MISC] >>> 32)) & mask;
            while (fresh[i << SLOT_SHIFT] != 0) i = (i + 1) & mask;
            System.arraycopy(old, b, fresh, i << SLOT_SHIFT, SLOT);
            fresh[i << SLOT_SHIFT] = (1L << 32) | (old[b] & 0xFFFF_FFFFL);
        }
        tombstones = 0;
        slots = fresh;
        // a teardown that read the old array may have marked only that one: re-apply from the flows
        for (int b = 0; b < fresh.length; b += SLOT) {
            if (((int) fresh[b] & STATE) != LIVE) continue;
            Flow f = store.flow((int) fresh[b + MISC] & 0x7FFF_FFFF);
            if (f != null && f.isTornDown()) {
                for (;;) {
                    long m = (long) WORD.getVolatile(fresh, b);
                    if ((m & TORN_DOWN) != 0 || WORD.compareAndSet(fresh, b, m, m | TORN_DOWN)) break;
                }
            }
        }
    }

    /** Writes a direction into the first free slot of its probe run; true when that slot held a tombstone. */
    private static boolean place(long[] t, FlowTuple e, int device, int index, boolean tornDown) {
        long addr = addrWord(e.family, e.srcHi, e.srcLo, e.dstHi, e.dstLo);
        long ports = ports(e.srcPort, e.dstPort, e.inIfIndex);
        int misc = misc(e.family, e.proto, e.inVlan);
        int mask = (t.length >>> SLOT_SHIFT) - 1;
        int i = hash(addr, ports, misc) & mask;
        while (((int) t[i << SLOT_SHIFT] & STATE) == LIVE) i = (i + 1) & mask;
        int b = i << SLOT_SHIFT;
        long m = t[b];
        boolean wasTomb = ((int) m & STATE) == TOMB;
        long seq = (m >>> 32) + 1;
        WORD.setOpaque(t, b, (seq << 32) | WRITING);
        VarHandle.storeStoreFence();
        t[b + ADDR] = addr;
        t[b + PORTS] = ports;
        t[b + MISC] = ((long) misc << 32) | ((long) (e.dir & 1) << 31) | index;
        t[b + NEWADDR] = e.family == 4 ? (e.newSrcLo << 32) | (e.newDstLo & 0xFFFF_FFFFL) : 0;
        t[b + REWRITE] = ((long) e.newSrcPort << 48) | ((long) (e.newDstPort & 0xFFFF) << 32) | ((long) (e.ipDelta & 0xFFFF) << 16)
                | (e.l4Delta & 0xFFFF);
        t[b + MACHEAD] = e.macHead;
        t[b + TAIL] = ((long) e.macTail << 32) | ((long) (e.mtu & 0xFFFF) << 16) | device;
        long flags = ((long) (e.outVlan < 0 ? NO_VLAN : e.outVlan & 0xFFF) << 16) | LIVE | (tornDown ? TORN_DOWN : 0);
        WORD.setRelease(t, b, ((seq + 1) << 32) | flags);
        return wasTomb;
    }

    /** The slot of a direction's key, or -1; for a direction in the table, only its own slot (same flow index). */
    private int find(long[] t, FlowTuple e, int index) {
        long addr = addrWord(e.family, e.srcHi, e.srcLo, e.dstHi, e.dstLo);
        long ports = ports(e.srcPort, e.dstPort, e.inIfIndex);
        int misc = misc(e.family, e.proto, e.inVlan);
        int mask = (t.length >>> SLOT_SHIFT) - 1;
        for (int i = hash(addr, ports, misc) & mask, n = 0; n <= mask; i = (i + 1) & mask, n++) {
            int b = i << SLOT_SHIFT;
            int state = (int) (long) WORD.getAcquire(t, b) & STATE;
            if (state == EMPTY) return -1;
            if (state == LIVE && t[b + ADDR] == addr && t[b + PORTS] == ports && (int) (t[b + MISC] >>> 32) == misc) {
                if (index >= 0 && ((int) t[b + MISC] & 0x7FFF_FFFF) != index) continue;
                FlowTuple o = e.family == 4 ? null : tupleOf(t[b + MISC]);
                if (e.family == 4 || (o != null && o.srcHi == e.srcHi && o.srcLo == e.srcLo && o.dstHi == e.dstHi && o.dstLo == e.dstLo))
                    return i;
            }
        }
        return -1;
    }
}
