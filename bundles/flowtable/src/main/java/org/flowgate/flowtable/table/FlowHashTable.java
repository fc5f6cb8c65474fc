package org.flowgate.flowtable.table;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

import org.flowgate.api.netdev.NetDevice;

/**
 * The directions of all flows of a table, inlined into one primitive array with open addressing
 * (linear probing): a slot is {@link #SLOT} longs (96 bytes) holding a direction's lookup key,
 * everything a fast-path hit needs to forward an IPv4 packet and the direction's counters, so a
 * hit at a million flows costs one cache miss (the slot's adjacent lines, fetched in parallel)
 * instead of a chain of object dereferences. The {@link Flow} objects stay for the control plane
 * (garbage collector, commands, offload) and are reached by the slot's flow index
 * ({@link FlowStore}). The capacity need not be a power of two (the hash is mapped onto it by a
 * multiply), so a million flows take 2.9M slots (load 0.7) rather than 4M.
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
 * 8 PACKETS  packets forwarded (this slot's share, see below)
 * 9 BYTES    bytes forwarded (IP length)
 * 10 LAST_USED  last hit (the table's coarse clock)
 * 11 RETIRED  in a tombstone: the epoch it was made in
 * </pre>
 * Words 1-3 are the key. IPv6 addresses do not fit: once a table holds an IPv6 flow it gets a
 * side array of {@link #WIDE} longs per slot ({@link #wideFor}: source, destination, new source,
 * new destination), written and read under the slot's sequence like the slot's own words, so an
 * IPv6 hit costs the slot and its side entry (independent loads) instead of a walk through the
 * flow's objects.
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
 *
 * <h2>Counters: race policy</h2>
 * A direction's PACKETS/BYTES/LAST_USED have a single writer, the port thread its ingress device
 * delivers on (a port fanning out by flow hash keeps a flow on one thread): opaque read and write,
 * no atomic instruction. While a flow is in the table its counts add up exactly: a rebuild starts
 * the fresh array's counters at 0 and keeps the old array aside for two {@link #epoch()}s
 * (garbage-collector steps) and at least a second, so the packets a port thread still counts there
 * are not lost; then they are harvested into the flows' tuples (readers sum tuple, current slot
 * and the arrays set aside). Only a port thread stalled for longer than that inside one packet
 * (or a rebuild storm beyond 64 MB / twice the table of arrays set aside) could lose a count.
 * When a flow is removed its counts are retired into its tuple; a packet that
 * found the flow just before may still count into the tombstone (at most one per port thread, as
 * Linux's flow counters) and that count is lost. A tombstone is reused only two epochs after it
 * was made, so such a late count never lands in another flow.
 */
public final class FlowHashTable {
    public static final int SLOT = 12;
    public static final int META = 0, ADDR = 1, PORTS = 2, MISC = 3, NEWADDR = 4, REWRITE = 5, MACHEAD = 6, TAIL = 7,
            PACKETS = 8, BYTES = 9, LAST_USED = 10, RETIRED = 11;
    /** How long a rebuilt-away array is kept for late counts, at least (and two epochs). */
    private static final long GRACE_NANOS = 1_000_000_000L;
    /** Bytes of rebuilt-away arrays kept at most, beyond twice the live array (then the oldest is harvested at once). */
    private static final long MAX_RETIRING_BYTES = 64L << 20;
    static final int EMPTY = 0, LIVE = 1, TOMB = 2, WRITING = 3, STATE = 3;
    public static final int TORN_DOWN = 4;
    public static final int NO_VLAN = 0xFFFF;
    /** A miss from {@link #probe4}/{@link #probe6}. */
    public static final long MISS = -1;
    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int MAX_DEVICES = 0xFFFF;

    /** Longs per slot in the IPv6 side array: source hi/lo, destination hi/lo, new source hi/lo, new destination hi/lo. */
    public static final int WIDE = 8;
    public static final int W_SRC = 0, W_DST = 2, W_NEW_SRC = 4, W_NEW_DST = 6;

    /** The IPv6 side array of one slot array (a rebuild makes a new pair). */
    private record Wide(long[] slots, long[] words) {}

    private final ReentrantLock lock = new ReentrantLock();
    private volatile long[] slots;
    private volatile Wide wide; // null until the first IPv6 flow
    private final int minCapacity;
    private int used;       // live slots
    private int tombstones;
    private volatile int flows;
    private final FlowStore store = new FlowStore();
    private volatile NetDevice[] devices = new NetDevice[0];
    private final boolean counting;
    private long retiredPackets; // of flows removed and of harvested arrays, under the lock
    private long epochs;
    private final java.util.ArrayDeque<long[]> retiring = new java.util.ArrayDeque<>();
    private final java.util.ArrayDeque<long[]> retiredAt = new java.util.ArrayDeque<>(); // {epoch, nanoTime}
    private long retiringBytes;

    public FlowHashTable(int expectedFlows) { this(expectedFlows, true); }

    /** @param counting whether the flows report their counters ({@code NF_FLOWTABLE_COUNTER}) */
    public FlowHashTable(int expectedFlows, boolean counting) {
        this.counting = counting;
        minCapacity = capacityFor(Math.max(16, expectedFlows));
        slots = new long[minCapacity * SLOT];
    }

    /** Slots for {@code flows} flows (two directions each) at a load of 0.7. */
    private static int capacityFor(int flows) {
        long need = Math.max(32L, (long) flows * 20 / 7 + 1);
        return (int) Math.min(1 << 27, need);
    }

    /** The first slot of a hash's probe run: the hash mapped onto [0, capacity) by a multiply (Lemire). */
    private static int start(int hash, int capacity) { return (int) (((hash & 0xFFFF_FFFFL) * capacity) >>> 32); }

    /** Number of slots of an array. */
    public static int slotCount(long[] t) { return t.length / SLOT; }

    public int size() { return flows; }

    /** Number of slots. */
    public int capacity() { return slots.length / SLOT; }

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

    /**
     * The slot hash of a key: three independent multiplies folded, a short dependency chain before
     * the slot load ({@link #start} uses all 32 bits). Checked against a splitmix64 finalizer on
     * 1M flows of three address/port patterns at load 0.7: 1.7-2.1 probes on average (max 51-184)
     * where the finalizer gave 2.2-2.6 (max up to 1853).
     */
    public static int hash(long addr, long ports, int misc) {
        long h = addr * 0xBF58476D1CE4E5B9L ^ ports * 0x9E3779B97F4A7C15L ^ misc * 0x94D049BB133111EBL;
        return (int) (h ^ (h >>> 29) ^ (h >>> 32));
    }

    private static long addrWord(int family, long srcHi, long srcLo, long dstHi, long dstLo) {
        return family == 4 ? (srcLo << 32) | (dstLo & 0xFFFF_FFFFL) : fingerprint(srcHi, srcLo, dstHi, dstLo);
    }

    // ---- readers: the packet path ----

    /** The current slot array (read once per packet; {@link #probe4} and the slot words index into it). */
    public long[] slots() { return slots; }

    /**
     * The IPv6 side array of slot array {@code t} ({@link #WIDE} longs per slot), or null when
     * {@code t} has none (no IPv6 flow yet, or {@code t} was rebuilt away meanwhile: the caller
     * then confirms and rewrites from the flow's tuple).
     */
    public long[] wideFor(long[] t) {
        Wide w = wide;
        return w != null && w.slots == t ? w.words : null;
    }

    /**
     * Finds an IPv4 key: {@code addr} is the packet's source and destination as one big-endian
     * long. Returns {@link #MISS} or the slot's base index (low 32 bits) with the sequence it had
     * (high 32 bits), for {@link #stable} once the caller has copied the words it needs.
     */
    public static long probe4(long[] t, long addr, long ports, int misc) {
        int cap = t.length / SLOT;
        for (int i = start(hash(addr, ports, misc), cap), n = 0; n < cap; n++, i = i + 1 == cap ? 0 : i + 1) {
            int b = i * SLOT;
            long m = (long) WORD.getAcquire(t, b);
            int state = (int) m & STATE;
            if (state == EMPTY) return MISS;
            if (state == LIVE && t[b + ADDR] == addr && t[b + PORTS] == ports && (int) (t[b + MISC] >>> 32) == misc)
                return (m & 0x7FFF_FFFF_0000_0000L) | b;
        }
        return MISS;
    }

    /**
     * As {@link #probe4} for IPv6: the fingerprint narrows, the addresses in {@code w} (the side
     * array of {@code t}, {@link #wideFor}) or, without one, in the flow's tuple confirm.
     */
    public long probe6(long[] t, long[] w, long srcHi, long srcLo, long dstHi, long dstLo, long ports, int misc) {
        long addr = fingerprint(srcHi, srcLo, dstHi, dstLo);
        int cap = t.length / SLOT;
        for (int i = start(hash(addr, ports, misc), cap), n = 0; n < cap; n++, i = i + 1 == cap ? 0 : i + 1) {
            int b = i * SLOT;
            long m = (long) WORD.getAcquire(t, b);
            int state = (int) m & STATE;
            if (state == EMPTY) return MISS;
            if (state == LIVE && t[b + ADDR] == addr && t[b + PORTS] == ports && (int) (t[b + MISC] >>> 32) == misc) {
                if (w != null) {
                    int k = i * WIDE;
                    if (w[k + W_SRC] == srcHi && w[k + W_SRC + 1] == srcLo && w[k + W_DST] == dstHi && w[k + W_DST + 1] == dstLo)
                        return (m & 0x7FFF_FFFF_0000_0000L) | b;
                    continue;
                }
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

    /**
     * Loads the slot where a key's probe starts (all of its cache lines: a slot spans two or three)
     * and, for IPv6, its side entry (both ends: 64 bytes not aligned to a line span two): for
     * {@code PacketHook.prefetch}, so that a batch's misses overlap. Returns a sum of what it
     * loaded; changes nothing.
     */
    public static long touch(long[] t, long[] w, long addr, long ports, int misc) {
        int i = start(hash(addr, ports, misc), t.length / SLOT), b = i * SLOT;
        long v = t[b] + t[b + 6] + t[b + SLOT - 1];
        return w == null ? v : v + w[i * WIDE] + w[i * WIDE + WIDE - 1];
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

    /** Counts a forwarded packet of {@code len} bytes in slot {@code b} of {@code t} and marks it used (its single writer). */
    public static void hit(long[] t, int b, int len, long now) {
        WORD.setOpaque(t, b + PACKETS, (long) WORD.getOpaque(t, b + PACKETS) + 1);
        WORD.setOpaque(t, b + BYTES, (long) WORD.getOpaque(t, b + BYTES) + len);
        if ((long) WORD.getOpaque(t, b + LAST_USED) != now) WORD.setOpaque(t, b + LAST_USED, now);
    }

    /** A key's tuple (control plane and tests), or null. */
    public FlowTuple lookup(int family, long srcHi, long srcLo, long dstHi, long dstLo, int proto, int srcPort, int dstPort,
            int inIfIndex, int inVlan) {
        long[] t = slots;
        long ports = ports(srcPort, dstPort, inIfIndex);
        int misc = misc(family, proto, inVlan);
        for (int tries = 0; tries < 4; tries++) {
            long hit = family == 4 ? probe4(t, addrWord(4, 0, srcLo, 0, dstLo), ports, misc) : probe6(t, null, srcHi, srcLo, dstHi, dstLo, ports, misc);
            if (hit == MISS) return null;
            FlowTuple e = tupleOf(t[(int) hit + MISC]);
            if (stable(t, hit) != MISS) return e;
        }
        return null;
    }

    // ---- the garbage collector's walk ----

    /** The flow whose original direction is in slot {@code i} of {@code t}, or null. */
    Flow originalAt(long[] t, int i) {
        int b = i * SLOT;
        long m = (long) WORD.getAcquire(t, b);
        if (((int) m & STATE) != LIVE) return null;
        long misc = t[b + MISC];
        if (((misc >>> 31) & 1) != 0) return null;
        Flow f = store.flow((int) misc & 0x7FFF_FFFF);
        return stable(t, (m & 0x7FFF_FFFF_0000_0000L) | b) == MISS ? null : f;
    }

    /**
     * Called once per garbage-collector step: arrays rebuilt away two epochs ago are harvested
     * (their counts go to the flows' tuples), then released flow indices age.
     */
    void epoch() {
        if (!lock.tryLock()) return; // a writer is busy: this epoch is simply later (the packet path never waits on us)
        try {
            epochs++;
            long now = System.nanoTime();
            while (!retiring.isEmpty() && epochs - retiredAt.peekFirst()[0] >= 2 && now - retiredAt.peekFirst()[1] >= GRACE_NANOS)
                harvestOldest();
            store.epoch();
        } finally {
            lock.unlock();
        }
    }

    private void harvestOldest() {
        long[] t = retiring.pollFirst();
        retiredAt.pollFirst();
        retiringBytes -= 8L * t.length;
        for (int b = 0; b < t.length; b += SLOT) {
            if (((int) t[b] & STATE) != LIVE) continue;
            long misc = t[b + MISC], packets = t[b + PACKETS], bytes = t[b + BYTES];
            Flow f = store.flow((int) misc & 0x7FFF_FFFF);
            if (f != null) f.tuple((int) (misc >>> 31) & 1).retire(packets, bytes, counting);
            retiredPackets += packets;
        }
    }

    /** Packets forwarded by the fast path: flows removed plus the live ones (walks the table under the lock). */
    long packets() {
        lock.lock();
        try {
            long n = retiredPackets + sum(slots, PACKETS);
            for (long[] r : retiring) n += sum(r, PACKETS);
            return n;
        } finally {
            lock.unlock();
        }
    }

    private static long sum(long[] t, int word) {
        long n = 0;
        for (int b = 0; b < t.length; b += SLOT) if (((int) t[b] & STATE) == LIVE) n += (long) WORD.getOpaque(t, b + word);
        return n;
    }

    /** A direction's live count ({@link #PACKETS} or {@link #BYTES}) outside its tuple; 0 when not in the table. */
    long live(FlowTuple e, int word) {
        lock.lock();
        try {
            int index = e.index();
            if (index < 0) return 0;
            long n = 0;
            int i = find(slots, e, index);
            if (i >= 0) n += (long) WORD.getOpaque(slots, i * SLOT + word);
            for (long[] r : retiring) {
                int j = find(r, e, index);
                if (j >= 0) n += (long) WORD.getOpaque(r, j * SLOT + word);
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A direction's last-used time while in the table, or {@code fallback}; lock-free (the garbage
     * collector reads it for every flow): during a rebuild it may come from the array being
     * replaced, a few milliseconds stale at most.
     */
    long lastUsed(FlowTuple e, long fallback) {
        int index = e.index();
        long[] t = slots;
        int i = index < 0 ? -1 : find(t, e, index);
        return i < 0 ? fallback : (long) WORD.getOpaque(t, i * SLOT + LAST_USED);
    }

    /** Marks a direction used (hardware stats) or counts a packet on it from off the fast path; false when not in the table. */
    boolean update(FlowTuple e, long now, int len, boolean count) {
        lock.lock();
        try {
            int index = e.index();
            int i = index < 0 ? -1 : find(slots, e, index);
            if (i < 0) return false;
            if (count) hit(slots, i * SLOT, len, (long) WORD.getOpaque(slots, i * SLOT + LAST_USED));
            else WORD.setOpaque(slots, i * SLOT + LAST_USED, now);
            return true;
        } finally {
            lock.unlock();
        }
    }

    // ---- writers ----

    /**
     * Adds both directions of a flow unless either key is already present.
     *
     * @param wait false on the packet path: give up instead of waiting while another writer
     *             (a rebuild) holds the lock (after a brief spin)
     * @return false when a key exists already, the lock was busy or the table is full
     */
    public boolean insert(Flow f, boolean wait) {
        if (wait) lock.lock();
        else if (!tryLockBriefly()) return false;
        try {
            FlowTuple a = f.tuple(0), b = f.tuple(1);
            if (a.index() >= 0 || find(slots, a, -1) >= 0 || find(slots, b, -1) >= 0) return false;
            int da = deviceNumber(a.outDevice), db = deviceNumber(b.outDevice);
            if (da < 0 || db < 0) return false;
            if ((used + tombstones + 2) * 10L > capacity() * 7L) rebuild(used / 2 + 1);
            if ((a.family == 6 || b.family == 6) && wide == null) addWide();
            int index = store.allocate(f);
            long[] w = wideFor(slots);
            if (place(slots, w, a, da, index, f.isTornDown(), epochs)) tombstones--;
            if (place(slots, w, b, db, index, f.isTornDown(), epochs)) tombstones--;
            a.attach(this, index);
            b.attach(this, index);
            used += 2;
            flows++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The packet path's lock: spins a little (the short holds — a removal, an epoch — end within
     * that), gives up while a rebuild or a descheduled holder keeps it.
     */
    private boolean tryLockBriefly() {
        for (int k = 0; k < 200; k++) {
            if (lock.tryLock()) return true;
            Thread.onSpinWait();
        }
        return false;
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
            // what arrays set aside hold for this flow is harvested later (by flow index, kept until then)
            if (ia >= 0) { retire(t, ia, a); used--; tombstones++; }
            if (ib >= 0) { retire(t, ib, b); used--; tombstones++; }
            a.detach();
            b.detach();
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
                int b = i * SLOT;
                for (;;) {
                    long m = (long) WORD.getVolatile(t, b);
                    if (((int) m & STATE) != LIVE || (m & TORN_DOWN) != 0 || WORD.compareAndSet(t, b, m, m | TORN_DOWN)) break;
                }
            }
            if (slots == t) return;
        }
    }

    /** Makes slot {@code i} a tombstone and moves its counts to the tuple. */
    private void retire(long[] t, int i, FlowTuple e) {
        int b = i * SLOT;
        long m = t[b];
        t[b + RETIRED] = epochs;
        WORD.setRelease(t, b, (((m >>> 32) + 1) << 32) | TOMB);
        long packets = (long) WORD.getOpaque(t, b + PACKETS);
        e.retire(packets, (long) WORD.getOpaque(t, b + BYTES), counting);
        e.setLastUsed((long) WORD.getOpaque(t, b + LAST_USED));
        retiredPackets += packets;
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

    /** The first IPv6 flow: the side array of the current slot array (no IPv6 slot yet, nothing to fill). */
    private void addWide() {
        long[] t = slots;
        wide = new Wide(t, new long[t.length / SLOT * WIDE]);
    }

    /** Rebuilds into an array sized for {@code flowsToHold}, dropping tombstones; then publishes it. */
    private void rebuild(int flowsToHold) {
        int cap = Math.max(minCapacity, capacityFor(Math.max(flowsToHold, used / 2) * 2));
        long[] old = slots, fresh = new long[cap * SLOT];
        long[] oldWide = wideFor(old), freshWide = oldWide == null ? null : new long[cap * WIDE];
        for (int b = 0; b < old.length; b += SLOT) {
            if (((int) old[b] & STATE) != LIVE) continue;
            int i = start(hash(old[b + ADDR], old[b + PORTS], (int) (old[b + MISC] >>> 32)), cap);
            while (fresh[i * SLOT] != 0) i = i + 1 == cap ? 0 : i + 1;
            int n = i * SLOT;
            System.arraycopy(old, b, fresh, n, PACKETS); // counters start at 0: the old array keeps its counts
            fresh[n + LAST_USED] = (long) WORD.getOpaque(old, b + LAST_USED);
            fresh[n] = (1L << 32) | (old[b] & 0xFFFF_FFFFL);
            if (freshWide != null) System.arraycopy(oldWide, b / SLOT * WIDE, freshWide, i * WIDE, WIDE);
        }
        tombstones = 0;
        if (freshWide != null) wide = new Wide(fresh, freshWide); // before the slots: a reader of fresh finds its pair
        slots = fresh;
        retiring.addLast(old);
        retiredAt.addLast(new long[] {epochs, System.nanoTime()});
        retiringBytes += 8L * old.length;
        while (retiringBytes > Math.max(MAX_RETIRING_BYTES, 16L * fresh.length)) harvestOldest();
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
    private static boolean place(long[] t, long[] w, FlowTuple e, int device, int index, boolean tornDown, long epoch) {
        long addr = addrWord(e.family, e.srcHi, e.srcLo, e.dstHi, e.dstLo);
        long ports = ports(e.srcPort, e.dstPort, e.inIfIndex);
        int misc = misc(e.family, e.proto, e.inVlan);
        int cap = t.length / SLOT;
        int i = start(hash(addr, ports, misc), cap);
        for (;; i = i + 1 == cap ? 0 : i + 1) { // an empty slot, or a tombstone old enough that no late count can reach it
            int state = (int) t[i * SLOT] & STATE;
            if (state == EMPTY || (state == TOMB && epoch - t[i * SLOT + RETIRED] >= 2)) break;
        }
        int b = i * SLOT;
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
        t[b + PACKETS] = 0;
        t[b + BYTES] = 0;
        t[b + LAST_USED] = e.lastUsed();
        if (e.family == 6) {
            int k = i * WIDE;
            w[k + W_SRC] = e.srcHi; w[k + W_SRC + 1] = e.srcLo; w[k + W_DST] = e.dstHi; w[k + W_DST + 1] = e.dstLo;
            w[k + W_NEW_SRC] = e.newSrcHi; w[k + W_NEW_SRC + 1] = e.newSrcLo; w[k + W_NEW_DST] = e.newDstHi; w[k + W_NEW_DST + 1] = e.newDstLo;
        }
        long flags = ((long) (e.outVlan < 0 ? NO_VLAN : e.outVlan & 0xFFF) << 16) | LIVE | (tornDown ? TORN_DOWN : 0);
        WORD.setRelease(t, b, ((seq + 1) << 32) | flags);
        return wasTomb;
    }

    /** The slot of a direction's key, or -1; for a direction in the table, only its own slot (same flow index). */
    private int find(long[] t, FlowTuple e, int index) {
        long addr = addrWord(e.family, e.srcHi, e.srcLo, e.dstHi, e.dstLo);
        long ports = ports(e.srcPort, e.dstPort, e.inIfIndex);
        int misc = misc(e.family, e.proto, e.inVlan);
        int cap = t.length / SLOT;
        for (int i = start(hash(addr, ports, misc), cap), n = 0; n < cap; n++, i = i + 1 == cap ? 0 : i + 1) {
            int b = i * SLOT;
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
