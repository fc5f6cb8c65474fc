package org.flowgate.driver.ebpf.flows;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;

import org.flowgate.driver.ebpf.bpf.BpfException;
import org.flowgate.driver.ebpf.bpf.BpfMap;
import org.flowgate.driver.ebpf.bpf.Sys;
import org.flowgate.linux.libc.LibC;
import org.flowgate.offload.EvictionReason;
import org.flowgate.offload.FlowRule;
import org.flowgate.offload.FlowStats;
import org.flowgate.offload.OffloadException;
import org.flowgate.offload.OffloadException.Reason;

/**
 * The flow directions installed in the kernel's flow map, by cookie. Enforces the capacity (the
 * configured limit, never more than the map holds) and refuses a second rule for a key another
 * cookie holds (the map has one entry per ingress device and tuple). Thread-safe: the manager
 * calls for different cookies from several threads.
 * <p>
 * A flow direction it loses without being asked is dropped and told to the
 * {@link EvictionListener}: a parked one that cannot be put back when its devices return (map
 * full: {@code CAPACITY}; its key taken meanwhile or a bpf(2) error: {@code OTHER}), and an
 * installed one whose map entry is found gone (removed or flushed behind the driver's back:
 * {@code RESET}). Parking itself is no eviction: the flow stays the driver's and returns with its
 * device.
 */
public final class OffloadedFlows {
    /** The device name to ifindex mapping of the served ports. */
    public interface Devices {
        /** The ifindex of a served device, 0 when not served. */
        int ifindex(String device);
    }

    /** Told of each flow direction dropped without a {@link #del} (after the locks are released). */
    @FunctionalInterface
    public interface EvictionListener {
        void evicted(long cookie, EvictionReason reason);
    }

    /** {@link #current}'s answer for an installed entry the map no longer holds. */
    private static final FlowStats LOST = new FlowStats(-1, -1, -1);

    /** One flow direction; key null while parked. Counters before the last parking are in the base fields. */
    private static final class Entry {
        final FlowRule rule;
        ByteBuffer key;
        int in, out;
        long installedNanos;
        long basePackets, baseBytes, baseLastUsedMillis;

        Entry(FlowRule rule) { this.rule = rule; }
    }

    private final BpfMap map;
    private final Devices devices;
    private final int capacity;
    private final LongSupplier monotonicNanos;
    private final EvictionListener evictions;
    private final Map<Long, Entry> byCookie = new ConcurrentHashMap<>();
    private final Map<ByteBuffer, Long> byKey = new ConcurrentHashMap<>();
    private final AtomicInteger used = new AtomicInteger();
    /** add/del/stats share it; device changes take it alone. */
    private final ReadWriteLock lock = new ReentrantReadWriteLock();

    /**
     * With many flows, the manager's periodic pull (two stats calls per flow, in a burst) reads the
     * map once with BPF_MAP_LOOKUP_BATCH instead of one system call per entry: a snapshot at most
     * SNAPSHOT_MAX_AGE old, used only for entries installed before it was taken.
     */
    static final int BATCH_MIN = 64;
    private static final long SNAPSHOT_MAX_AGE_NANOS = 100_000_000L;
    private record Snapshot(long takenNanos, Map<ByteBuffer, Integer> index, byte[] values) { }
    private final Object snapshotLock = new Object();
    private Snapshot snapshot; // guarded by snapshotLock
    private volatile boolean batchUnsupported;
    private final java.util.concurrent.atomic.AtomicLong mapReads = new java.util.concurrent.atomic.AtomicLong();

    public OffloadedFlows(BpfMap map, Devices devices, int maxFlows, EvictionListener evictions) {
        this(map, devices, maxFlows, Sys::monotonicNanos, evictions);
    }

    OffloadedFlows(BpfMap map, Devices devices, int maxFlows, LongSupplier monotonicNanos, EvictionListener evictions) {
        this.map = map;
        this.devices = devices;
        this.capacity = Math.min(maxFlows, map.maxEntries());
        this.monotonicNanos = monotonicNanos;
        this.evictions = evictions;
    }

    public int capacity() { return capacity; }

    public int size() { return used.get(); }

    /** Installs (or replaces, for a cookie already installed) one flow direction. */
    public void add(FlowRule rule) throws OffloadException {
        check(rule);
        lock.readLock().lock();
        try {
            int in = devices.ifindex(rule.inDevice()), out = devices.ifindex(rule.outDevice());
            if (in == 0 || out == 0) {
                throw new OffloadException(Reason.DEVICE, "not offloading " + (in == 0 ? rule.inDevice() : rule.outDevice()) + " (not present)");
            }
            delLocked(rule.cookie()); // a retried add replaces
            if (used.incrementAndGet() > capacity) {
                used.decrementAndGet();
                throw new OffloadException(Reason.CAPACITY, "kernel flow map full (" + capacity + " entries)");
            }
            Entry e = new Entry(rule);
            try {
                install(e, in, out);
            } catch (OffloadException ex) {
                used.decrementAndGet();
                throw ex;
            }
            byCookie.put(rule.cookie(), e);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Writes the entry into the map with these ifindexes. */
    private void install(Entry e, int in, int out) throws OffloadException {
        FlowRule rule = e.rule;
        ByteBuffer key = ByteBuffer.wrap(FlowMapLayout.key(in, rule.inVlan(), rule.match()));
        byte[] value = FlowMapLayout.value(rule.rewrite(), rule.dstMac(), rule.srcMac(), out, rule.mtu(), rule.decrementTtl(), rule.outVlan());
        Long holder = byKey.putIfAbsent(key, rule.cookie());
        if (holder != null) {
            throw new OffloadException(Reason.FAILED, "rule#" + holder + " already offloads " + rule.inDevice() + " " + rule.match());
        }
        try {
            map.update(key.array(), value, BpfMap.BPF_ANY);
        } catch (BpfException ex) {
            byKey.remove(key, rule.cookie());
            boolean full = ex.errno() == LibC.E2BIG || ex.errno() == LibC.ENOMEM || ex.errno() == LibC.ENOSPC;
            throw new OffloadException(full ? Reason.CAPACITY : Reason.FAILED, ex.getMessage());
        }
        e.key = key;
        e.in = in;
        e.out = out;
        e.installedNanos = System.nanoTime();
    }

    /**
     * A served device went away (its ifindex): parks the flow directions that enter or leave by
     * it. Returns how many.
     */
    public int deviceGone(int ifindex) {
        lock.writeLock().lock();
        try {
            int n = 0;
            for (Entry e : byCookie.values()) {
                if (e.key == null || (e.in != ifindex && e.out != ifindex)) continue;
                FlowStats s = current(e, true);
                if (s != null && s != LOST) {
                    e.basePackets = s.packets();
                    e.baseBytes = s.bytes();
                    e.baseLastUsedMillis = s.lastUsedMillis();
                }
                removeFromMap(e);
                n++;
            }
            return n;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Devices appeared: puts back the parked flow directions whose devices are both present.
     * One that cannot go back (the map is full, its key is another cookie's now, a bpf(2) error)
     * is dropped and reported: kept parked, it would stay in software for good while the manager
     * shows it in hardware. Returns how many went back.
     */
    public int devicesAppeared() {
        record Dropped(long cookie, EvictionReason reason) { }
        List<Dropped> dropped = new ArrayList<>();
        int n = 0;
        lock.writeLock().lock();
        try {
            for (Entry e : byCookie.values()) {
                if (e.key != null) continue;
                int in = devices.ifindex(e.rule.inDevice()), out = devices.ifindex(e.rule.outDevice());
                if (in == 0 || out == 0) continue;
                try {
                    install(e, in, out);
                    n++;
                } catch (OffloadException ex) {
                    byCookie.remove(e.rule.cookie());
                    used.decrementAndGet();
                    dropped.add(new Dropped(e.rule.cookie(), ex.reason() == Reason.CAPACITY ? EvictionReason.CAPACITY : EvictionReason.OTHER));
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
        for (Dropped x : dropped) evictions.evicted(x.cookie(), x.reason());
        return n;
    }

    /** Flow directions parked because a device is missing. */
    public int parked() {
        int n = 0;
        for (Entry e : byCookie.values()) if (e.key == null) n++;
        return n;
    }

    /** Removes a flow direction; unknown cookies are ignored. */
    public void del(FlowRule rule) {
        del(rule.cookie());
    }

    public void del(long cookie) {
        lock.readLock().lock();
        try {
            delLocked(cookie);
        } finally {
            lock.readLock().unlock();
        }
    }

    private void delLocked(long cookie) {
        Entry e = byCookie.remove(cookie);
        if (e == null) return;
        removeFromMap(e);
        used.decrementAndGet();
    }

    private void removeFromMap(Entry e) {
        ByteBuffer key = e.key;
        if (key == null) return;
        e.key = null;
        try {
            map.delete(key.array());
        } catch (BpfException ex) {
            // the map is going away with the driver: nothing left to forward
        } finally {
            byKey.remove(key, e.rule.cookie());
        }
    }

    /** Cumulative counters since add (across parkings); null for an unknown cookie. */
    public FlowStats stats(FlowRule rule) {
        lock.readLock().lock();
        try {
            Entry e = byCookie.get(rule.cookie());
            if (e == null) return null;
            FlowStats s = current(e, false);
            if (s == LOST) {
                delLocked(rule.cookie());
            } else {
                if (s == null) return e.key == null ? new FlowStats(e.basePackets, e.baseBytes, e.baseLastUsedMillis) : null;
                return new FlowStats(e.basePackets + s.packets(), e.baseBytes + s.bytes(), Math.max(e.baseLastUsedMillis, s.lastUsedMillis()));
            }
        } finally {
            lock.readLock().unlock();
        }
        // the entry went from the map behind the driver's back (bpftool map delete, a flush): its packets miss already
        evictions.evicted(rule.cookie(), EvictionReason.RESET);
        return null;
    }

    /**
     * The map's counters of an installed entry: null when parked or unreadable, {@link #LOST} when
     * the map says it holds no such key; {@code exact}: never from a snapshot.
     */
    private FlowStats current(Entry e, boolean exact) {
        ByteBuffer key = e.key;
        if (key == null) return null;
        byte[] value = null;
        int off = 0;
        Snapshot snap = exact ? null : snapshot();
        if (snap != null && snap.takenNanos() - e.installedNanos > 0) {
            Integer i = snap.index().get(key);
            if (i != null) {
                value = snap.values();
                off = i * FlowMapLayout.VALUE_SIZE;
            }
        }
        if (value == null) {
            value = new byte[FlowMapLayout.VALUE_SIZE];
            try {
                mapReads.incrementAndGet();
                if (!map.lookup(key.array(), value)) return LOST;
            } catch (BpfException ex) {
                return null;
            }
        }
        long last = FlowMapLayout.lastUsedNanos(value, off);
        long lastMillis = last == 0 ? 0 : System.currentTimeMillis() - Math.max(0, monotonicNanos.getAsLong() - last) / 1_000_000L;
        return new FlowStats(FlowMapLayout.packets(value, off), FlowMapLayout.bytes(value, off), lastMillis);
    }

    /** The current snapshot of the whole map (taken now when older than its maximum age), null with few flows. */
    private Snapshot snapshot() {
        if (batchUnsupported || used.get() < BATCH_MIN) return null;
        synchronized (snapshotLock) {
            long now = System.nanoTime();
            if (snapshot != null && now - snapshot.takenNanos() < SNAPSHOT_MAX_AGE_NANOS) return snapshot;
            try {
                for (int capacity = used.get() + BATCH_MIN; ; capacity *= 2) {
                    byte[] keys = new byte[capacity * FlowMapLayout.KEY_SIZE], values = new byte[capacity * FlowMapLayout.VALUE_SIZE];
                    mapReads.incrementAndGet();
                    int n = map.lookupAll(keys, values, capacity);
                    if (n < 0) continue;
                    Map<ByteBuffer, Integer> index = new java.util.HashMap<>(n * 2);
                    for (int i = 0; i < n; i++) index.put(ByteBuffer.wrap(keys, i * FlowMapLayout.KEY_SIZE, FlowMapLayout.KEY_SIZE).slice(), i);
                    snapshot = new Snapshot(now, index, values);
                    return snapshot;
                }
            } catch (BpfException | RuntimeException ex) {
                batchUnsupported = true; // e.g. a kernel before 5.6: one lookup per entry
                return null;
            }
        }
    }

    /** System calls made to read counters (single lookups and batch passes): for tests. */
    public long mapReads() {
        return mapReads.get();
    }

    /** Removes every installed flow. */
    public void clear() {
        for (Long cookie : byCookie.keySet()) del(cookie);
    }

    private static void check(FlowRule rule) throws OffloadException {
        int family = rule.match().family, proto = rule.match().proto;
        if ((family != 4 && family != 6) || rule.rewrite().family != family) {
            throw new OffloadException(Reason.UNSUPPORTED, "family " + family + " -> " + rule.rewrite().family);
        }
        if (proto != 6 && proto != 17) throw new OffloadException(Reason.UNSUPPORTED, "protocol " + proto + " (TCP and UDP only)");
        if (rule.rewrite().proto != proto) throw new OffloadException(Reason.UNSUPPORTED, "protocol rewrite");
        if (rule.mtu() < 68) throw new OffloadException(Reason.UNSUPPORTED, "mtu " + rule.mtu());
    }
}
