package org.flowgate.tc.ct;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.flowgate.api.conntrack.ConnEntry;
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
        final long created;
        volatile long lastUsed;
        final java.util.concurrent.atomic.LongAdder packets = new java.util.concurrent.atomic.LongAdder();

        Flow(ConnEntry conn, long now) {
            this.conn = conn;
            this.original = new FiveTuple(conn.original());
            this.reply = new FiveTuple(conn.reply());
            this.created = now;
            this.lastUsed = now;
        }

        public long packets() { return packets.sum(); }

        public long lastUsedNanos() { return lastUsed; }
    }

    private final int zone;
    private final AtomicReferenceArray<Node> buckets;
    private final int mask;
    private final List<Flow> flows = new ArrayList<>(); // guarded by this

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
    public synchronized boolean add(ConnEntry conn, long now) {
        Flow f = new Flow(conn, now);
        if (lookup(f.original) != null || lookup(f.reply) != null) return false;
        put(f.original, f, 0);
        put(f.reply, f, 1);
        flows.add(f);
        return true;
    }

    private void put(FiveTuple t, Flow f, int dir) {
        int h = t.hashCode();
        int b = h & mask;
        buckets.set(b, new Node(t, h, f, dir, buckets.get(b)));
    }

    public synchronized boolean remove(Flow f) {
        if (!flows.remove(f)) return false;
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

    static void used(Flow f, long now) {
        f.packets.increment();
        if (f.lastUsed != now) f.lastUsed = now;
    }
}
