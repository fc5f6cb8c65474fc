package org.flowgate.tc.ct;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.conntrack.CtState;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;

/**
 * act_ct's flow tables, one per zone, created on a zone's first offer. A connection committed in
 * a zone is offered on every packet; once conntrack calls it established (TCP ESTABLISHED, UDP
 * with a reply) it is handed to the zone's table with {@link ConnTracker#offload}, and later
 * packets take their ct state from the table instead of from conntrack. A TCP FIN or RST, a dying
 * entry or {@link #idleTimeoutNanos} without packets gives the connection back
 * ({@link ConnTracker#teardown}), as {@code flow_offload_teardown}.
 */
public final class CtFlowTables {
    private static final int TCP_FIN = 0x01, TCP_RST = 0x04;

    private final AtomicReferenceArray<ZoneFlowTable> zones = new AtomicReferenceArray<>(65536);
    private final ThreadLocal<FiveTuple> key = ThreadLocal.withInitial(FiveTuple::new);
    private final LongSupplier clock;
    private final int buckets;
    private volatile ConnTracker tracker;
    private volatile long idleTimeoutNanos;
    private final LongAdder hits = new LongAdder(), added = new LongAdder(), removed = new LongAdder(), teardowns = new LongAdder();

    public CtFlowTables(LongSupplier clock, int buckets, long idleTimeoutNanos) {
        this.clock = clock;
        this.buckets = buckets;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    public void setTracker(ConnTracker t) { tracker = t; }

    public void setIdleTimeoutNanos(long ns) { idleTimeoutNanos = ns; }

    /** The zone's table, or null when the zone never had a flow. */
    public ZoneFlowTable table(int zone) { return zones.get(zone & 0xFFFF); }

    public List<ZoneFlowTable> tables() {
        List<ZoneFlowTable> l = new ArrayList<>();
        for (int z = 0; z < zones.length(); z++) {
            ZoneFlowTable t = zones.get(z);
            if (t != null) l.add(t);
        }
        return l;
    }

    /** Offers the connection of {@code p}, tracked in {@code zone}, to the zone's table. */
    public void offer(int zone, Packet p) {
        ConnTracker ct = tracker;
        if (ct == null || !(p.conn() instanceof ConnEntry e) || (p.ctState() & CtState.ESTABLISHED) == 0) return;
        if (e.isOffloaded() || e.isDying() || !e.isConfirmed()) return;
        if (p.l4Proto() == Packet.PROTO_TCP && p.l4() >= 0 && (p.tcpFlags() & (TCP_FIN | TCP_RST)) != 0) return;
        if (!ct.offload(e)) return; // not eligible (yet): TCP not ESTABLISHED, not TCP/UDP
        ZoneFlowTable t = zones.get(zone & 0xFFFF);
        if (t == null) {
            zones.compareAndSet(zone & 0xFFFF, null, new ZoneFlowTable(zone, buckets));
            t = zones.get(zone & 0xFFFF);
        }
        if (t.add(e, clock.getAsLong())) {
            added.increment();
            t.added.increment();
        } else {
            ct.teardown(e);
        }
    }

    /**
     * The fast path of the ct action: when the packet's tuple is a flow of the zone, sets the
     * packet's connection, direction and ESTABLISHED state and returns true. A TCP FIN/RST or a
     * dying entry ends the flow first and returns false, so conntrack sees the packet.
     */
    public boolean lookup(int zone, Packet p) {
        ZoneFlowTable t = zones.get(zone & 0xFFFF);
        if (t == null || p.ipVersion() == 0 || p.hasFlag(Packet.F_LATER_FRAGMENT)) return false;
        ZoneFlowTable.Node n = t.lookup(key.get().set(p));
        if (n == null) {
            t.misses.increment();
            return false;
        }
        ZoneFlowTable.Flow f = n.flow;
        if (f.conn.isDying()) {
            if (end(t, f)) t.evictDying.increment();
            return false;
        }
        if (p.l4Proto() == Packet.PROTO_TCP && p.l4() >= 0 && (p.tcpFlags() & (TCP_FIN | TCP_RST)) != 0) {
            if (end(t, f)) t.evictFinRst.increment();
            return false;
        }
        ZoneFlowTable.used(f, n.direction, p.length(), clock.getAsLong());
        hits.increment();
        t.hits.increment();
        p.setConn(f.conn);
        p.setCtDirection(n.direction);
        p.setCtState(CtState.ESTABLISHED);
        return true;
    }

    private boolean end(ZoneFlowTable t, ZoneFlowTable.Flow f) {
        if (!t.remove(f)) return false;
        removed.increment();
        t.removedCount.increment();
        ConnTracker ct = tracker;
        if (ct != null && !f.conn.isDying()) {
            ct.teardown(f.conn);
            teardowns.increment();
        }
        return true;
    }

    /** Ends one flow of a zone (an administrator's delete); false when it is no longer there. */
    public boolean delete(ZoneFlowTable t, ZoneFlowTable.Flow f) {
        if (!end(t, f)) return false;
        t.evictAdmin.increment();
        return true;
    }

    /** Ends every flow of one zone, returning how many. */
    public int flush(ZoneFlowTable t) {
        int n = 0;
        for (ZoneFlowTable.Flow f : t.flows()) if (delete(t, f)) n++;
        return n;
    }

    /**
     * The garbage collector's pass: ends idle and dying flows and keeps the rest alive in
     * conntrack. Returns how many flows ended.
     */
    public int sweep() {
        long now = clock.getAsLong();
        long idle = idleTimeoutNanos;
        ConnTracker ct = tracker;
        int n = 0;
        for (ZoneFlowTable t : tables()) {
            for (ZoneFlowTable.Flow f : t.flows()) {
                boolean dying = f.conn.isDying();
                if (dying || now - f.lastUsed > idle) {
                    if (end(t, f)) {
                        (dying ? t.evictDying : t.evictIdle).increment();
                        n++;
                    }
                } else if (ct != null) {
                    ct.keepAlive(f.conn);
                }
            }
        }
        return n;
    }

    /** Ends every flow (component stop, or conntrack going away). */
    public int flush() {
        int n = 0;
        for (ZoneFlowTable t : tables()) n += flush(t);
        return n;
    }

    /** The table clock's current time. */
    public long now() { return clock.getAsLong(); }

    public long hits() { return hits.sum(); }

    public long added() { return added.sum(); }

    public long removed() { return removed.sum(); }
}
