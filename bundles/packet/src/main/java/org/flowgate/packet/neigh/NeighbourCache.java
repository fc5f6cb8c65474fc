package org.flowgate.packet.neigh;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.packet.DropReason;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.route.Neighbour;
import org.flowgate.api.route.NeighbourTable;
import org.flowgate.packet.device.Device;
import org.flowgate.packet.device.DeviceTable;

/**
 * The ARP/NDP neighbour table with the Linux state machine reduced to its observable states.
 *
 * <p>Reads ({@link #lookupMac}) walk immutable hash chains: lock-free and allocation-free.
 * Creating and removing entries takes the table lock; an entry's state and queue are guarded by
 * the entry itself. Packets waiting for resolution are copied into pooled buffers. Timers
 * (retries, reachable -> stale, garbage collection) run in {@link #tick}, which a scheduler
 * thread calls; packet threads only send the first probe.
 */
public final class NeighbourCache implements NeighbourTable {
    static final int INCOMPLETE = 0, REACHABLE = 1, STALE = 2, FAILED = 3, PERMANENT = 4;
    private static final Neighbour.State[] STATES = Neighbour.State.values();

    /** One neighbour on one device. Mutable fields are guarded by the entry's monitor. */
    static final class Entry {
        final Device dev;
        final int family;
        final long hi, lo;
        volatile long mac = -1;
        volatile int state;
        volatile boolean usedWhileStale;
        long updatedNanos;
        boolean probing;
        int probes;
        long nextProbeNanos;
        final Packet[] queue;
        int qHead, qCount;

        Entry(Device dev, int family, long hi, long lo, int queueLen) {
            this.dev = dev;
            this.family = family;
            this.hi = hi;
            this.lo = lo;
            this.queue = new Packet[queueLen];
        }

        boolean matches(int ifIndex, int fam, long h, long l) {
            return lo == l && hi == h && family == fam && dev.ifIndex() == ifIndex;
        }
    }

    private record Node(Entry e, Node next) {}

    private record StaticKey(String device, IpAddress address) {}

    private final DeviceTable devices;
    private final PacketPool pool;
    private final Map<StaticKey, MacAddress> statics = new LinkedHashMap<>();
    private volatile NeighbourSettings settings;
    private volatile NeighbourIo io;
    private volatile Node[] buckets = new Node[256];
    private int count;

    public NeighbourCache(DeviceTable devices, NeighbourSettings settings) {
        this.devices = devices;
        this.settings = settings;
        this.pool = new PacketPool(settings.queueTotal());
        devices.onRemove(this::forget);
        devices.onChange(this::applyStatics);
    }

    public void setIo(NeighbourIo io) { this.io = io; }

    /** New tunables; the total queue bound keeps its initial value. */
    public void setSettings(NeighbourSettings s) { this.settings = Objects.requireNonNull(s); }

    public NeighbourSettings settings() { return settings; }

    // ---- packet path ----

    /** The MAC to send to, or -1 when the neighbour is not resolved. Allocation-free, lock-free. */
    public long lookupMac(int ifIndex, int family, long hi, long lo) {
        Entry e = find(ifIndex, family, hi, lo);
        if (e == null) return -1;
        int s = e.state;
        if (s == REACHABLE || s == PERMANENT) return e.mac;
        if (s == STALE) {
            if (!e.usedWhileStale) e.usedWhileStale = true; // the scheduler re-confirms it
            return e.mac;
        }
        return -1;
    }

    @Override
    public long resolved(int ifIndex, int family, long hi, long lo) {
        Entry e = find(ifIndex, family, hi, lo);
        if (e == null) return -1;
        int s = e.state;
        return s == REACHABLE || s == STALE || s == PERMANENT ? e.mac : -1;
    }

    /**
     * Queues a copy of {@code p} until the neighbour resolves, creating the entry and sending the
     * first probe when needed. Returns the MAC when the neighbour turned out to be resolved (the
     * caller sends), else -1 (queued or dropped and counted on {@code dev}).
     */
    public long enqueue(Device dev, int family, long hi, long lo, Packet p, long nowNanos) {
        Entry e = find(dev.ifIndex(), family, hi, lo);
        if (e == null) {
            e = create(dev, family, hi, lo, INCOMPLETE, nowNanos);
            if (e == null) { dev.drop(DropReason.NEIGHBOUR_QUEUE_FULL); return -1; }
        }
        boolean probe = false;
        synchronized (e) {
            int s = e.state;
            if (s == REACHABLE || s == STALE || s == PERMANENT) return e.mac;
            if (s == FAILED || (s == INCOMPLETE && e.probes == 0)) {
                e.state = INCOMPLETE;
                e.probes = 1;
                e.nextProbeNanos = nowNanos + settings.retransMillis() * 1_000_000L;
                e.updatedNanos = nowNanos;
                probe = true;
            }
            Packet copy;
            if (e.qCount == e.queue.length) { // Linux drops the oldest waiting packet
                copy = e.queue[e.qHead];
                e.qHead = (e.qHead + 1) % e.queue.length;
                e.qCount--;
                dev.drop(DropReason.NEIGHBOUR_QUEUE_FULL);
            } else {
                copy = pool.take();
            }
            if (copy == null) {
                dev.drop(DropReason.NEIGHBOUR_QUEUE_FULL);
            } else {
                copy.copyFrom(p);
                e.queue[(e.qHead + e.qCount) % e.queue.length] = copy;
                e.qCount++;
            }
        }
        if (probe) io.solicit(dev, family, hi, lo, -1);
        return -1;
    }

    /**
     * Learns a neighbour's MAC from ARP or NDP. {@code confirmed} (a reply to us, a solicited NA)
     * makes it REACHABLE, otherwise it becomes STALE when new or changed; {@code create} allows
     * a new entry. Packets waiting for it are sent.
     */
    public void learn(Device dev, int family, long hi, long lo, long mac, boolean confirmed, boolean create, long nowNanos) {
        Entry e = find(dev.ifIndex(), family, hi, lo);
        if (e == null) {
            if (!create) return;
            e = create(dev, family, hi, lo, STALE, nowNanos);
            if (e == null) return;
        }
        synchronized (e) {
            int s = e.state;
            if (s == PERMANENT) return;
            boolean changed = e.mac != mac;
            if (confirmed) {
                e.state = REACHABLE;
                e.updatedNanos = nowNanos;
            } else if (changed || s == INCOMPLETE || s == FAILED) {
                e.state = STALE;
                e.updatedNanos = nowNanos;
            }
            e.mac = mac;
            if (confirmed || changed) { e.probing = false; e.usedWhileStale = false; }
            e.probes = 0;
            NeighbourIo out = io;
            while (e.qCount > 0) {
                Packet q = e.queue[e.qHead];
                e.queue[e.qHead] = null;
                e.qHead = (e.qHead + 1) % e.queue.length;
                e.qCount--;
                out.sendResolved(dev, q, mac);
                pool.give(q);
            }
        }
    }

    /** Runs the timers: retries, failure, reachable -> stale, re-probing of stale entries in use, GC. */
    public void tick(long nowNanos) {
        NeighbourSettings cfg = settings;
        long retrans = cfg.retransMillis() * 1_000_000L;
        List<Entry> remove = new ArrayList<>();
        List<Packet> failed = new ArrayList<>();
        for (Node head : buckets) {
            for (Node n = head; n != null; n = n.next) {
                Entry e = n.e;
                long probeMac = -2; // -2: no probe, -1: broadcast/multicast, else unicast
                synchronized (e) {
                    switch (e.state) {
                        case INCOMPLETE -> {
                            if (nowNanos - e.nextProbeNanos < 0) break;
                            if (e.probes < cfg.probes()) {
                                e.probes++;
                                e.nextProbeNanos = nowNanos + retrans;
                                probeMac = -1;
                            } else {
                                fail(e, nowNanos, failed);
                            }
                        }
                        case REACHABLE -> {
                            if (nowNanos - e.updatedNanos > cfg.reachableMillis() * 1_000_000L) {
                                e.state = STALE;
                                e.updatedNanos = nowNanos;
                                e.usedWhileStale = false;
                            }
                        }
                        case STALE -> {
                            if (e.probing) {
                                if (nowNanos - e.nextProbeNanos < 0) break;
                                if (e.probes < cfg.probes()) {
                                    e.probes++;
                                    e.nextProbeNanos = nowNanos + retrans;
                                    probeMac = e.mac;
                                } else {
                                    fail(e, nowNanos, failed);
                                }
                            } else if (e.usedWhileStale) {
                                e.probing = true;
                                e.probes = 0;
                                e.nextProbeNanos = nowNanos + cfg.delayProbeMillis() * 1_000_000L;
                            } else if (nowNanos - e.updatedNanos > cfg.gcStaleMillis() * 1_000_000L) {
                                remove.add(e);
                            }
                        }
                        case FAILED -> {
                            if (nowNanos - e.updatedNanos > cfg.gcFailedMillis() * 1_000_000L) remove.add(e);
                        }
                        default -> { }
                    }
                }
                if (probeMac != -2) io.solicit(e.dev, e.family, e.hi, e.lo, probeMac);
                for (Packet p : failed) {
                    e.dev.drop(DropReason.NEIGHBOUR_FAILED);
                    io.unreachable(e.dev, p);
                    pool.give(p);
                }
                failed.clear();
            }
        }
        for (Entry e : remove) removeEntry(e);
    }

    private void fail(Entry e, long nowNanos, List<Packet> failed) {
        e.state = FAILED;
        e.mac = -1;
        e.probing = false;
        e.usedWhileStale = false;
        e.probes = 0;
        e.updatedNanos = nowNanos;
        while (e.qCount > 0) {
            failed.add(e.queue[e.qHead]);
            e.queue[e.qHead] = null;
            e.qHead = (e.qHead + 1) % e.queue.length;
            e.qCount--;
        }
    }

    /** Buffers currently holding packets that wait for resolution. */
    public int queuedPackets() { return pool.inUse(); }

    // ---- administration (NeighbourTable) ----

    @Override
    public List<Neighbour> list() {
        long now = System.nanoTime();
        List<Neighbour> l = new ArrayList<>();
        for (Node head : buckets) {
            for (Node n = head; n != null; n = n.next) {
                Entry e = n.e;
                synchronized (e) {
                    IpAddress a = new IpAddress(e.family, e.hi, e.lo);
                    long m = e.mac;
                    l.add(new Neighbour(a, e.dev.name(), m < 0 ? null : new MacAddress(m), STATES[e.state],
                            (now - e.updatedNanos) / 1_000_000L, e.qCount));
                }
            }
        }
        l.sort((x, y) -> x.device().equals(y.device()) ? x.address().compareTo(y.address()) : x.device().compareTo(y.device()));
        return l;
    }

    @Override
    public void addStatic(IpAddress address, String device, MacAddress mac) {
        synchronized (this) {
            statics.put(new StaticKey(device, address), mac);
        }
        applyStatics();
    }

    @Override
    public boolean remove(IpAddress address, String device) {
        boolean removed;
        synchronized (this) {
            removed = statics.remove(new StaticKey(device, address)) != null;
        }
        for (Device d : devices.all()) {
            if (!d.name().equals(device)) continue;
            Entry e = find(d.ifIndex(), address.family(), address.hi(), address.lo());
            if (e != null) { removeEntry(e); removed = true; }
        }
        return removed;
    }

    /** Removes every entry that is not permanent, as {@code ip neigh flush all}. */
    @Override
    public void flush() {
        List<Entry> l = new ArrayList<>();
        for (Node head : buckets) for (Node n = head; n != null; n = n.next) if (n.e.state != PERMANENT) l.add(n.e);
        for (Entry e : l) removeEntry(e);
    }

    private void applyStatics() {
        Map<StaticKey, MacAddress> copy;
        synchronized (this) {
            copy = new LinkedHashMap<>(statics);
        }
        long now = System.nanoTime();
        for (var s : copy.entrySet()) {
            for (Device d : devices.all()) {
                if (!d.name().equals(s.getKey().device())) continue;
                IpAddress a = s.getKey().address();
                Entry e = find(d.ifIndex(), a.family(), a.hi(), a.lo());
                if (e == null) e = create(d, a.family(), a.hi(), a.lo(), PERMANENT, now);
                if (e == null) continue;
                learn(d, a.family(), a.hi(), a.lo(), s.getValue().bits(), true, false, now);
                synchronized (e) {
                    e.state = PERMANENT;
                    e.mac = s.getValue().bits();
                }
            }
        }
    }

    /** Drops all entries of a device that went away, with their queued packets. */
    private void forget(Device d) {
        List<Entry> l = new ArrayList<>();
        for (Node head : buckets) for (Node n = head; n != null; n = n.next) if (n.e.dev == d) l.add(n.e);
        for (Entry e : l) removeEntry(e);
    }

    // ---- the hash table ----

    private static int hash(int ifIndex, long hi, long lo) {
        long h = (lo ^ (hi * 0x9E3779B97F4A7C15L)) * 0xBF58476D1CE4E5B9L + ifIndex;
        h ^= h >>> 31;
        return (int) (h ^ (h >>> 17));
    }

    private Entry find(int ifIndex, int family, long hi, long lo) {
        Node[] b = buckets;
        for (Node n = b[hash(ifIndex, hi, lo) & (b.length - 1)]; n != null; n = n.next) {
            if (n.e.matches(ifIndex, family, hi, lo)) return n.e;
        }
        return null;
    }

    private synchronized Entry create(Device dev, int family, long hi, long lo, int state, long nowNanos) {
        Entry e = find(dev.ifIndex(), family, hi, lo);
        if (e != null) return e;
        if (count >= settings.maxEntries()) return null;
        e = new Entry(dev, family, hi, lo, settings.queuePerNeighbour());
        e.state = state;
        e.updatedNanos = nowNanos;
        Node[] b = buckets;
        if (count >= b.length * 2) b = resize(b);
        int i = hash(dev.ifIndex(), hi, lo) & (b.length - 1);
        Node[] nb = b.clone();
        nb[i] = new Node(e, nb[i]);
        buckets = nb;
        count++;
        return e;
    }

    private Node[] resize(Node[] old) {
        Node[] nb = new Node[old.length * 2];
        for (Node head : old) {
            for (Node n = head; n != null; n = n.next) {
                int i = hash(n.e.dev.ifIndex(), n.e.hi, n.e.lo) & (nb.length - 1);
                nb[i] = new Node(n.e, nb[i]);
            }
        }
        return nb;
    }

    private void removeEntry(Entry e) {
        synchronized (this) {
            Node[] b = buckets;
            int i = hash(e.dev.ifIndex(), e.hi, e.lo) & (b.length - 1);
            Node rebuilt = null;
            boolean found = false;
            for (Node n = b[i]; n != null; n = n.next) {
                if (n.e == e) found = true; else rebuilt = new Node(n.e, rebuilt);
            }
            if (!found) return;
            Node[] nb = b.clone();
            nb[i] = rebuilt;
            buckets = nb;
            count--;
        }
        synchronized (e) {
            while (e.qCount > 0) {
                pool.give(e.queue[e.qHead]);
                e.queue[e.qHead] = null;
                e.qHead = (e.qHead + 1) % e.queue.length;
                e.qCount--;
            }
        }
    }
}
