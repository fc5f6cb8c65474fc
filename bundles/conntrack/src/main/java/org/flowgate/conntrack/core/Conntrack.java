package org.flowgate.conntrack.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.conntrack.ConntrackListener;
import org.flowgate.api.conntrack.CtState;
import org.flowgate.api.conntrack.CtStatus;
import org.flowgate.api.conntrack.NatRange;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.conntrack.event.EventQueue;
import org.flowgate.conntrack.nat.Mangler;
import org.flowgate.conntrack.nat.NatSelector;
import org.flowgate.conntrack.proto.IcmpInner;
import org.flowgate.conntrack.proto.PacketTuples;
import org.flowgate.conntrack.proto.Result;
import org.flowgate.conntrack.proto.SimpleTrackers;
import org.flowgate.conntrack.proto.Timeouts;
import org.flowgate.conntrack.proto.tcp.TcpState;
import org.flowgate.conntrack.proto.tcp.TcpStates;
import org.flowgate.conntrack.proto.tcp.TcpTracker;
import org.flowgate.conntrack.table.Conn;
import org.flowgate.conntrack.table.CtClock;
import org.flowgate.conntrack.table.CtTable;
import org.flowgate.conntrack.table.Tuples;

/**
 * Connection tracking for one routing instance: what happens to a packet at each conntrack and
 * NAT hook ({@code nf_conntrack_in}, {@code nf_nat_inet_fn}, {@code nf_conntrack_confirm}) and
 * the administration of the table. The OSGi glue lives in the component and the hook package.
 */
public final class Conntrack implements ConnTracker, AutoCloseable {
    /** Per-thread scratch objects: nothing is allocated per packet. */
    static final class Scratch {
        final FiveTuple key = new FiveTuple();
        final FiveTuple inner = new FiveTuple();
        final IcmpInner icmp = new IcmpInner();
        final Mangler.Scratch mangle = new Mangler.Scratch();
        final int[] dir = new int[1];
    }

    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
    private final CtClock clock;
    private final CtTable table;
    private final NatSelector nat;
    private final EventQueue events;
    private final Stats stats = new Stats();
    /** Later fragments follow their first fragment for 30 s (Linux's ipfrag_time). */
    private final FragmentTracker fragments = new FragmentTracker(4096, 30_000_000_000L);
    private volatile Timeouts timeouts;
    private volatile int max;
    private volatile boolean verifyChecksums;

    public Conntrack(int buckets, int max, Timeouts timeouts, int eventQueueSize, CtClock clock) {
        this.clock = clock;
        this.timeouts = timeouts;
        this.max = max;
        this.events = new EventQueue(eventQueueSize, "conntrack-events");
        this.table = new CtTable(buckets, this::removed);
        this.nat = new NatSelector(table, ThreadLocalRandom.current().nextLong());
    }

    public Conntrack start() {
        events.start();
        return this;
    }

    public void setTimeouts(Timeouts t) { timeouts = t; }

    public void setMax(int m) { max = m; }

    /** Linux's {@code nf_conntrack_checksum}: verify transport checksums of received packets. */
    public void setVerifyChecksums(boolean v) { verifyChecksums = v; }

    public CtTable table() { return table; }

    public EventQueue events() { return events; }

    public CtClock clock() { return clock; }

    public void addListener(ConntrackListener l) { events.addListener(l); }

    public void removeListener(ConntrackListener l) { events.removeListener(l); }

    private void removed(Conn c) {
        events.post(ConntrackListener.Event.DESTROY, c);
    }

    // ---- packet path ----

    /**
     * Tracking as the PREROUTING conntrack hook does it (a received packet: its transport
     * checksum is verified when so configured); for callers outside the hook chain (tc).
     *
     * @return false to drop the packet (table full and nothing to evict)
     */
    @Override
    public boolean track(Packet p) { return track(p, true); }

    /**
     * The conntrack hook (PREROUTING / OUTPUT at -200): finds or creates the packet's entry and
     * sets the packet's ct metadata.
     *
     * @param received the packet came from a device (prerouting), not from the router itself:
     *                 its transport checksum is verified when so configured
     */
    public boolean track(Packet p, boolean received) {
        if (p.ctState() == CtState.UNTRACKED || p.conn() != null || p.ipVersion() == 0) return true;
        if (received && verifyChecksums && !p.hasFlag(Packet.F_FRAGMENT) && !L4Checksum.ok(p)) {
            stats.error.increment();
            return invalid(p);
        }
        Scratch s = scratch.get();
        FiveTuple key = s.key;
        int zone = p.ctZone();
        long now = clock.nanos();
        if (p.hasFlag(Packet.F_LATER_FRAGMENT)) return laterFragment(p, s, zone, now);
        switch (PacketTuples.classify(p, key)) {
            case PacketTuples.UNTRACK -> {
                p.setCtState(CtState.UNTRACKED);
                stats.untracked.increment();
                return true;
            }
            case PacketTuples.INVALID -> { return invalid(p); }
            case PacketTuples.ICMP_ERROR -> { return related(p, s, zone, now); }
            default -> { }
        }
        if (key.proto == Packet.PROTO_TCP && !TcpTracker.validSegment(p)) return invalid(p);
        Timeouts to = timeouts;
        for (int attempt = 0; attempt < 2; attempt++) {
            Conn c = table.find(zone, key, now);
            int dir = Conn.ORIGINAL;
            if (c == null) {
                if (!mayCreate(p, key)) return invalid(p);
                if (table.count() >= max) {
                    if (!table.earlyDrop(table.hash(zone, key), now)) {
                        stats.drop.increment();
                        return false;
                    }
                    stats.earlyDrop.increment();
                }
                c = new Conn(zone, key, clock);
                if (key.proto == Packet.PROTO_TCP && !TcpTracker.newConn(c, p, to)) return invalid(p);
                if (Tuples.isIcmp(key.proto)) { c.icmpType = p.icmpType(); c.icmpCode = p.icmpCode(); }
                stats.created.increment();
            } else {
                stats.found.increment();
                if (!Tuples.equal(c.orig, key)) dir = Conn.REPLY;
            }
            int r = protoPacket(c, dir, p, to, now);
            if ((r & Result.REOPEN) != 0) {
                table.remove(c);
                stats.searchRestart.increment();
                continue;
            }
            if ((r & Result.INVALID) != 0) return invalid(p);
            if ((r & Result.IGNORED) != 0) stats.ignore.increment();
            if (dir == Conn.REPLY && c.setStatus(CtStatus.SEEN_REPLY)) r |= Result.CHANGED;
            if ((r & Result.KILL) != 0) table.remove(c);
            else if ((r & Result.CHANGED) != 0 && c.isConfirmed()) events.post(ConntrackListener.Event.UPDATE, c);
            p.setConn(c);
            p.setCtDirection(dir);
            p.setCtState(dir == Conn.REPLY || c.hasStatus(CtStatus.SEEN_REPLY) ? CtState.ESTABLISHED : CtState.NEW);
            if (p.hasFlag(Packet.F_FRAGMENT)) fragments.recordFirst(p, c, dir, zone, now);
            return true;
        }
        return invalid(p);
    }

    /** A non-first fragment: the connection its first fragment belonged to, else invalid. */
    private boolean laterFragment(Packet p, Scratch s, int zone, long now) {
        Conn c = fragments.find(p, zone, now, s.dir);
        if (c == null || c.isDying() || !c.isConfirmed()) return invalid(p);
        int dir = s.dir[0];
        stats.found.increment();
        p.setConn(c);
        p.setCtDirection(dir);
        p.setCtState(dir == Conn.REPLY || c.hasStatus(CtStatus.SEEN_REPLY) ? CtState.ESTABLISHED : CtState.NEW);
        return true;
    }

    private static boolean mayCreate(Packet p, FiveTuple key) {
        if (Tuples.isIcmp(key.proto)) return PacketTuples.icmpMayCreate(key.proto, p.icmpType());
        return true;
    }

    private static int protoPacket(Conn c, int dir, Packet p, Timeouts to, long now) {
        return switch (c.orig.proto) {
            case Packet.PROTO_TCP -> TcpTracker.packet(c, dir, p, to, now);
            case Packet.PROTO_UDP -> SimpleTrackers.udp(c, to, now);
            case Packet.PROTO_ICMP, Packet.PROTO_ICMPV6 -> SimpleTrackers.icmp(c, to, now);
            default -> SimpleTrackers.generic(c, to, now);
        };
    }

    private boolean invalid(Packet p) {
        stats.invalid.increment();
        p.setConn(null);
        p.setCtState(CtState.INVALID);
        return true;
    }

    /** An ICMP error: RELATED to the connection of the packet it quotes ({@code icmp_error_message}). */
    private boolean related(Packet p, Scratch s, int zone, long now) {
        if (!s.icmp.parse(p, s.inner) || !IcmpInner.checksumOk(p)) {
            stats.error.increment();
            return invalid(p);
        }
        Tuples.invert(s.key, s.inner);
        Conn c = table.find(zone, s.key, now);
        if (c == null) {
            stats.error.increment();
            return invalid(p);
        }
        stats.related.increment();
        p.setConn(c);
        p.setCtDirection(Tuples.equal(c.orig, s.key) ? Conn.ORIGINAL : Conn.REPLY);
        p.setCtState(CtState.RELATED);
        return true;
    }

    /** The NAT hooks: destination manipulation at PREROUTING/OUTPUT, source at POSTROUTING/INPUT. */
    public void nat(Packet p, boolean srcManip) {
        if (p.conn() instanceof Conn c) Mangler.apply(p, c, p.ctDirection(), srcManip, scratch.get().mangle);
    }

    /** Both manipulations, destination then source, as the prerouting and postrouting NAT hooks in turn. */
    @Override
    public void nat(Packet p) {
        if (!(p.conn() instanceof Conn c)) return;
        Mangler.Scratch s = scratch.get().mangle;
        int dir = p.ctDirection();
        Mangler.apply(p, c, dir, false, s);
        Mangler.apply(p, c, dir, true, s);
    }

    /**
     * The confirm hook (POSTROUTING / INPUT, last): a new entry whose first packet passed every
     * hook enters the table.
     *
     * @return false to drop the packet (its tuple clashed with another entry)
     */
    @Override
    public boolean confirm(Packet p) {
        if (!(p.conn() instanceof Conn c) || c.isConfirmed() || p.ctDirection() != Conn.ORIGINAL) return true;
        long now = clock.nanos();
        int r = nat.nullBindSource(c, p, now, scratch.get().mangle);
        if (r != NatSelector.OK) {
            stats.natExhausted.increment();
            stats.insertFailed.increment();
            stats.drop.increment();
            return false;
        }
        c.setStatus(CtStatus.DST_NAT_DONE);
        Conn in = table.insert(c, now);
        if (in == c) {
            stats.insert.increment();
            events.post(ConntrackListener.Event.NEW, c);
            return true;
        }
        if (in != null) {
            // the same new flow raced on another thread and won: join its entry
            stats.clashResolve.increment();
            p.setConn(in);
            return true;
        }
        stats.insertFailed.increment();
        stats.drop.increment();
        return false;
    }

    @Override
    public boolean bindNat(Packet p, NatRange range) {
        if (!(p.conn() instanceof Conn c) || c.isConfirmed() || p.ctDirection() != Conn.ORIGINAL) return true;
        int r = nat.bind(c, p, range, clock.nanos(), scratch.get().mangle);
        switch (r) {
            case NatSelector.OK -> { return true; }
            case NatSelector.EXHAUSTED -> stats.natExhausted.increment();
            default -> stats.natError.increment();
        }
        return false;
    }

    // ---- administration ----

    @Override
    public ConnEntry find(int zone, FiveTuple t) { return table.find(zone, t, clock.nanos()); }

    @Override
    public List<ConnEntry> list() { return new ArrayList<>(table.snapshot()); }

    @Override
    public int count() { return table.count(); }

    @Override
    public int flush() {
        int n = 0;
        for (Conn c : table.snapshot()) if (table.remove(c)) n++;
        return n;
    }

    @Override
    public boolean delete(ConnEntry e) { return e instanceof Conn c && table.remove(c); }

    /** One garbage collection step (the GC thread calls it; tests call it directly). */
    public int gcStep(int from, int buckets) {
        return table.gcStep(from, buckets, clock.nanos());
    }

    @Override
    public boolean offload(ConnEntry e) {
        if (!(e instanceof Conn c) || !c.isConfirmed() || c.isDying()) return false;
        int proto = c.orig.proto;
        if (proto != Packet.PROTO_TCP && proto != Packet.PROTO_UDP) return false;
        if (proto == Packet.PROTO_TCP && c.proto.state() != TcpStates.ESTABLISHED) return false;
        if (!c.setStatus(CtStatus.OFFLOAD)) return false;
        c.setDeadline(clock.nanos() + CtTable.DAY_NANOS);
        events.post(ConntrackListener.Event.UPDATE, c);
        return true;
    }

    @Override
    public void keepAlive(ConnEntry e) {
        if (e instanceof Conn c && c.isOffloaded()) c.setDeadline(clock.nanos() + CtTable.DAY_NANOS);
    }

    @Override
    public void teardown(ConnEntry e) {
        if (!(e instanceof Conn c) || !c.clearStatus(CtStatus.OFFLOAD)) return;
        Timeouts to = timeouts;
        long timeout;
        if (c.orig.proto == Packet.PROTO_TCP) {
            TcpState s = (TcpState) c.proto;
            s.forgetWindows();
            timeout = to.tcp(s.state()) - to.tcpOffload;
        } else if (c.orig.proto == Packet.PROTO_UDP) {
            timeout = (c.hasStatus(CtStatus.SEEN_REPLY) ? to.udpStream : to.udp) - to.udpOffload;
        } else {
            timeout = Long.MAX_VALUE;
        }
        if (timeout < 0) timeout = 0;
        long now = clock.nanos();
        if (c.deadline() - now > timeout) c.setDeadline(now + timeout);
        events.post(ConntrackListener.Event.UPDATE, c);
    }

    @Override
    public Map<String, Long> stats() {
        Map<String, Long> m = stats.toMap();
        m.put("expired", table.expired());
        m.put("events_delivered", events.delivered());
        m.put("events_dropped", events.dropped());
        m.put("entries", (long) table.count());
        m.put("max", (long) max);
        m.put("buckets", (long) table.bucketCount());
        return m;
    }

    public Stats counters() { return stats; }

    @Override
    public void close() { events.close(); }
}
