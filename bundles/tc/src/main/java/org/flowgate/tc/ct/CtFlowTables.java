package org.flowgate.tc.ct;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.conntrack.CtState;
import org.flowgate.api.flowtable.FlowEntry.HwState;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * act_ct's flow tables, one per zone, created on a zone's first offer. A connection committed in
 * a zone is offered on every packet; once conntrack calls it established (TCP ESTABLISHED, UDP
 * with a reply) it is handed to the zone's table with {@link ConnTracker#offload}, and later
 * packets take their ct state from the table instead of from conntrack. A TCP FIN or RST, a dying
 * entry or {@link #idleTimeoutNanos} without packets gives the connection back
 * ({@link ConnTracker#teardown}), as {@code flow_offload_teardown}.
 * <p>
 * Offload: {@link Events} subscribers (the offload manager, through {@code ZoneTableView}) hear of
 * flows added, dying and removed on a thread of their own, never on the packet path. A flow that
 * ends while a driver holds it ({@link ZoneFlowTable.Flow#inHardware()}) leaves the lookup at once
 * (software sees its packets again) but is set {@code dying} and kept until the manager set it
 * {@code dead}, as Linux's GC waits for {@code NF_FLOW_HW_DEAD}; only then is it reported removed.
 */
public final class CtFlowTables {
    private static final Logger LOG = LoggerFactory.getLogger(CtFlowTables.class);
    private static final int TCP_FIN = 0x01, TCP_RST = 0x04;

    private final AtomicReferenceArray<ZoneFlowTable> zones = new AtomicReferenceArray<>(65536);
    private final ThreadLocal<FiveTuple> key = ThreadLocal.withInitial(FiveTuple::new);
    private final LongSupplier clock;
    private final int buckets;
    private volatile ConnTracker tracker;
    private volatile long idleTimeoutNanos;
    private final LongAdder hits = new LongAdder(), added = new LongAdder(), removed = new LongAdder(), teardowns = new LongAdder();
    private final CopyOnWriteArrayList<Events> listeners = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    /** Flows that ended while in hardware, waiting for the manager to set them dead. */
    private final ConcurrentLinkedQueue<Event> dying = new ConcurrentLinkedQueue<>();
    private Thread notifier; // guarded by this
    private boolean callerDelivers; // guarded by this

    /** Flow events of every zone, delivered on the notifier thread (never on the packet path). */
    public interface Events {
        void added(ZoneFlowTable table, ZoneFlowTable.Flow flow);

        /** The flow ended while a driver held it; it is kept until its hardware state is dead. */
        void dying(ZoneFlowTable table, ZoneFlowTable.Flow flow);

        void removed(ZoneFlowTable table, ZoneFlowTable.Flow flow);
    }

    private enum Kind { ADDED, DYING, REMOVED }

    private record Event(Kind kind, ZoneFlowTable table, ZoneFlowTable.Flow flow) {}

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
        ZoneFlowTable.Flow f = t.addFlow(e, clock.getAsLong());
        if (f != null) {
            added.increment();
            t.added.increment();
            if (!listeners.isEmpty()) events.add(new Event(Kind.ADDED, t, f));
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
        HwState s = f.hwState();
        boolean inHw = f.inHardware() && f.compareAndSetHwState(s, HwState.DYING);
        if (inHw && !listeners.isEmpty()) {
            Event ev = new Event(Kind.DYING, t, f);
            dying.add(ev);
            events.add(ev);
        } else {
            if (inHw) f.compareAndSetHwState(HwState.DYING, HwState.DEAD); // nobody left to wait for
            if (!listeners.isEmpty()) events.add(new Event(Kind.REMOVED, t, f));
        }
        return true;
    }

    /**
     * Accounts packets a driver forwarded for one direction of a flow and marks it used now, so a
     * flow busy in hardware is not aged out (the offload manager's stats pull).
     */
    public void hardwareUsed(ZoneFlowTable.Flow f, int direction, long packets, long bytes) {
        if (packets <= 0 || direction < 0 || direction > 1) return;
        f.packets[direction].add(packets);
        f.bytes[direction].add(Math.max(0, bytes));
        f.lastUsed = clock.getAsLong();
    }

    // ---- subscribers ----

    /** Subscribes to the flow events of every zone; the same subscriber twice has no effect. */
    public synchronized void addListener(Events l) {
        listeners.addIfAbsent(l);
        if (notifier == null && !callerDelivers) notifier = Thread.ofPlatform().daemon().name("tc-ct-flow-events").start(this::notifyLoop);
    }

    public synchronized void removeListener(Events l) { listeners.remove(l); }

    public boolean hasListeners() { return !listeners.isEmpty(); }

    private void notifyLoop() {
        for (;;) {
            Event e;
            try {
                e = events.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException ie) {
                synchronized (this) { notifier = null; }
                return;
            }
            if (e == null) {
                synchronized (this) {
                    if (listeners.isEmpty() && events.isEmpty()) {
                        notifier = null;
                        return;
                    }
                }
                continue;
            }
            deliver(e);
        }
    }

    private void deliver(Event e) {
        for (Events l : listeners) {
            try {
                switch (e.kind) {
                    case ADDED -> l.added(e.table, e.flow);
                    case DYING -> l.dying(e.table, e.flow);
                    case REMOVED -> l.removed(e.table, e.flow);
                }
            } catch (RuntimeException ex) {
                LOG.warn("tc ct flow listener failed on {}", e.kind, ex);
            }
        }
    }

    /**
     * Tests: no notifier thread is started, events wait for {@link #deliverPending()} (which would
     * otherwise race with the notifier for them). Call before subscribing.
     */
    public synchronized void deliverOnCallerThread() { callerDelivers = true; }

    /** Delivers the queued events on the caller's thread (tests; the notifier does it otherwise). */
    public void deliverPending() {
        for (Event e; (e = events.poll()) != null; ) deliver(e);
    }

    /** Flows ended in hardware and not yet dead: reported removed once dead (or when nobody listens any more). */
    private void reapDying() {
        for (var it = dying.iterator(); it.hasNext(); ) {
            Event e = it.next();
            HwState s = e.flow.hwState();
            if (s == HwState.DYING && listeners.isEmpty()) {
                e.flow.compareAndSetHwState(HwState.DYING, HwState.DEAD);
                s = HwState.DEAD;
            }
            if (s == HwState.DEAD || s == HwState.SOFTWARE) {
                it.remove();
                if (!listeners.isEmpty()) events.add(new Event(Kind.REMOVED, e.table, e.flow));
            }
        }
    }

    /** Flows ended but still waiting for a driver to let them go. */
    public int dyingCount() { return dying.size(); }

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
        reapDying();
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
