package org.flowgate.tc.ct;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.flowtable.FlowEntry.HwState;
import org.flowgate.api.tuple.FiveTuple;

/**
 * The flow table of one ct zone ({@code tcf_ct_flow_table}): established connections committed
 * in the zone, both directions keyed by their tuple. A hit gives the ct action the connection and
 * its direction without running conntrack. Lookups are lock-free and allocation-free (immutable
 * bucket chains read through an {@link AtomicReferenceArray}); writers serialize on the table.
 */
public final class ZoneFlowTable {
    /** One direction of a flow. */
    public static final class Node {
        final FiveTuple tuple;
        final int hash;
        public final Flow flow;
        public final int direction;
        final Node next;

        Node(FiveTuple tuple, int hash, Flow flow, int direction, Node next) {
            this.tuple = tuple;
            this.hash = hash;
            this.flow = flow;
            this.direction = direction;
            this.next = next;
        }
    }

    /** A connection owned by the table. */
    public static final class Flow {
        public final ConnEntry conn;
        public final FiveTuple original, reply;
        public final long id;
        final long created;
        volatile long lastUsed;
        volatile boolean removed;
        final LongAdder[] packets = { new LongAdder(), new LongAdder() };
        final LongAdder[] bytes = { new LongAdder(), new LongAdder() };
        /** Where the flow stands with an offload driver (the manager moves it). */
        private final AtomicReference<HwState> hw = new AtomicReference<>(HwState.SOFTWARE);
        /** The flow as a {@link FlowEntry}, made once so listeners and lists see one object per flow. */
        private FlowEntry view;

        Flow(long id, ConnEntry conn, long now) {
            this.id = id;
            this.conn = conn;
            this.original = new FiveTuple(conn.original());
            this.reply = new FiveTuple(conn.reply());
            this.created = now;
            this.lastUsed = now;
        }

        public long packets() { return packets[0].sum() + packets[1].sum(); }

        public long packets(int direction) { return packets[direction].sum(); }

        public long bytes(int direction) { return bytes[direction].sum(); }

        public long createdNanos() { return created; }

        /** Set once the flow left the table. */
        public boolean removed() { return removed; }

        public long lastUsedNanos() { return lastUsed; }

        public HwState hwState() { return hw.get(); }

        public boolean compareAndSetHwState(HwState expect, HwState update) { return hw.compareAndSet(expect, update); }

        /** Whether a driver holds (or is about to hold) the flow: its removal must wait for dead. */
        public boolean inHardware() {
            HwState s = hw.get();
            return s == HwState.PENDING || s == HwState.HW || s == HwState.HW_REFRESH;
        }

        /** The flow's {@link FlowEntry}, made by {@code make} on first use. */
        public synchronized FlowEntry view(java.util.function.Function<Flow, FlowEntry> make) {
            if (view == null) view = make.apply(this);
            return view;
        }
    }

    private final int zone;
    private final AtomicReferenceArray<Node> buckets;
    private final int mask;
    private final List<Flow> flows = new ArrayList<>(); // guarded by this
    private long nextId = 1; // guarded by this
    /** Counters of the zone, by the {@code flow:stats} names. */
    final LongAdder hits = new LongAdder(), misses = new LongAdder(), added = new LongAdder(), removedCount = new LongAdder();
    final LongAdder evictIdle = new LongAdder(), evictFinRst = new LongAdder(), evictDying = new LongAdder(), evictAdmin = new LongAdder();

    public ZoneFlowTable(int zone, int buckets) {
        int n = Integer.highestOneBit(Math.max(16, buckets) - 1) << 1;
        this.zone = zone;
        this.buckets = new AtomicReferenceArray<>(n);
        this.mask = n - 1;
    }

    public int zone() { return zone; }

    /** The direction node of a tuple, or null. Allocation-free. */
    public Node lookup(FiveTuple key) {
        int h = key.hashCode();
        for (Node n = buckets.get(h & mask); n != null; n = n.next) {
            if (n.hash == h && n.tuple.equals(key)) return n;
        }
        return null;
    }

    /** Adds a connection (both directions); false when a direction is already present. */
    public boolean add(ConnEntry conn, long now) { return addFlow(conn, now) != null; }

    /** Adds a connection (both directions) and returns its flow; null when a direction is already present. */
    public synchronized Flow addFlow(ConnEntry conn, long now) {
        Flow f = new Flow(nextId, conn, now);
        if (lookup(f.original) != null || lookup(f.reply) != null) return null;
        nextId++;
        put(f.original, f, 0);
        put(f.reply, f, 1);
        flows.add(f);
        return f;
    }

    private void put(FiveTuple t, Flow f, int dir) {
        int h = t.hashCode();
        int b = h & mask;
        buckets.set(b, new Node(t, h, f, dir, buckets.get(b)));
    }

    public synchronized boolean remove(Flow f) {
        if (!flows.remove(f)) return false;
        f.removed = true;
        unlink(f.original);
        unlink(f.reply);
        return true;
    }

    private void unlink(FiveTuple t) {
        int h = t.hashCode();
        int b = h & mask;
        Node rebuilt = null;
        for (Node n = buckets.get(b); n != null; n = n.next) {
            if (n.hash == h && n.tuple.equals(t)) continue;
            rebuilt = new Node(n.tuple, n.hash, n.flow, n.direction, rebuilt);
        }
        buckets.set(b, rebuilt);
    }

    public synchronized List<Flow> flows() { return new ArrayList<>(flows); }

    public synchronized int count() { return flows.size(); }

    /** A snapshot of the zone's counters. */
    public record Counters(long hits, long misses, long added, long removed, long evictIdle, long evictFinRst, long evictDying, long evictAdmin) {}

    public Counters counters() {
        return new Counters(hits.sum(), misses.sum(), added.sum(), removedCount.sum(), evictIdle.sum(), evictFinRst.sum(), evictDying.sum(), evictAdmin.sum());
    }

    static void used(Flow f, int direction, int bytes, long now) {
        f.packets[direction].increment();
        f.bytes[direction].add(bytes);
        if (f.lastUsed != now) f.lastUsed = now;
    }
}
