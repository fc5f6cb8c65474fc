package org.flowgate.flowtable.table;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.CtState;
import org.flowgate.api.conntrack.CtStatus;
import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.flowtable.FlowEntry.HwState;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.api.flowtable.FlowTableStats;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.route.Route;
import org.flowgate.api.tuple.FiveTuple;

/**
 * One flow table, as Linux's {@code nf_flowtable}: its flows, how they are added (the
 * {@code flow add} statement), torn down and garbage-collected, and its counters. The fast path
 * that forwards hits lives in {@code org.flowgate.flowtable.fastpath}.
 */
public final class FlowTableImpl implements FlowTable {
    public static final long DEFAULT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final int TCP_FIN = 0x01, TCP_RST = 0x04;

    private final FlowTableSpec spec;
    private final Environment env;
    private final DeviceSet devices;
    private final FlowHashTable flows;

    private volatile long tcpTimeoutNanos = DEFAULT_TIMEOUT_NANOS, udpTimeoutNanos = DEFAULT_TIMEOUT_NANOS;
    private final AtomicReference<Flow> tornDown = new AtomicReference<>();
    private final java.util.concurrent.atomic.AtomicLong ids = new java.util.concurrent.atomic.AtomicLong();
    private int gcCursor;

    private final LongAdder misses = new LongAdder(), added = new LongAdder(), removed = new LongAdder();
    private final LongAdder[] handedBack = adders(HandBack.values().length);
    private final LongAdder[] evicted = adders(GcReason.values().length);

    public FlowTableImpl(FlowTableSpec spec, Environment env, int expectedFlows) {
        this.spec = spec;
        this.env = env;
        this.devices = new DeviceSet(spec.devices());
        this.flows = new FlowHashTable(expectedFlows, spec.counter());
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) a[i] = new LongAdder();
        return a;
    }

    public void setTimeouts(long tcpNanos, long udpNanos) {
        tcpTimeoutNanos = tcpNanos;
        udpTimeoutNanos = udpNanos;
    }

    public Environment environment() { return env; }

    /** Whether this table serves packets arriving on (or leaving by) {@code d}. */
    public boolean serves(NetDevice d) { return devices.contains(d); }

    // ---- the packet path: lookup and counters (called by the fast path hook) ----

    public FlowTuple lookup(int family, long srcHi, long srcLo, long dstHi, long dstLo, int proto, int srcPort, int dstPort,
            int inIfIndex, int inVlan) {
        return flows.lookup(family, srcHi, srcLo, dstHi, dstLo, proto, srcPort, dstPort, inIfIndex, inVlan);
    }

    /** The slot array and its per-flow store, which the fast path reads directly. */
    public FlowHashTable hashTable() { return flows; }

    public long now() { return env.clock().nanos(); }

    public void countMiss() { misses.increment(); }

    public void countHandBack(HandBack reason) { handedBack[reason.ordinal()].increment(); }

    /**
     * Ends a flow from the packet path (TCP FIN/RST), as Linux's {@code flow_offload_teardown}:
     * conntrack gets the connection back now, so it tracks the packet that caused this; the flow
     * stays in the table, ignored by lookups, until the garbage collector removes it.
     */
    public void teardown(Flow f, GcReason reason) {
        if (!end(f)) return;
        f.endReason = reason;
        env.conntrack().teardown(f.conn());
        for (;;) {
            Flow head = tornDown.get();
            f.nextTornDown = head;
            if (tornDown.compareAndSet(head, f)) return;
        }
    }

    /** Sets a flow's teardown flag, on the flow and on its slots; true when this call set it. */
    private boolean end(Flow f) {
        if (!f.setFlag(Flow.TEARDOWN)) return false;
        flows.markTornDown(f);
        return true;
    }

    // ---- flow add ----

    /**
     * The {@code flow add @ft} statement, as Linux's {@code nft_flow_offload_eval}: once the
     * connection is established (reply seen), both directions are described from the conntrack
     * tuples (NAT from original vs reply), routed, their next hops resolved, and the flow is added;
     * conntrack then marks the entry {@code OFFLOAD}. A later call for an offloaded connection
     * returns after reading its status.
     */
    @Override
    public void offer(Packet p) {
        if (!(p.conn() instanceof ConnEntry ce)) return;
        int status = ce.status();
        if ((status & (CtStatus.OFFLOAD | CtStatus.DYING)) != 0) return;
        if ((status & (CtStatus.SEEN_REPLY | CtStatus.CONFIRMED)) != (CtStatus.SEEN_REPLY | CtStatus.CONFIRMED)) return;
        if ((p.ctState() & CtState.ESTABLISHED) == 0) return;
        int proto = ce.protocol();
        if (proto != Packet.PROTO_TCP && proto != Packet.PROTO_UDP) return;
        if (proto == Packet.PROTO_TCP && p.l4() >= 0 && p.l4Proto() == Packet.PROTO_TCP && (p.tcpFlags() & (TCP_FIN | TCP_RST)) != 0) return;
        NetDevice in = p.inDevice(), out = p.outDevice();
        if (in == null || out == null || !devices.contains(in) || !devices.contains(out)) return;
        if (p.hasFlag(Packet.F_QINQ)) return;
        int vlan = p.vlanId() == 0 ? -1 : p.vlanId();
        Flow f = describe(ce, p.ctDirection() == FlowEntry.REPLY ? FlowEntry.REPLY : FlowEntry.ORIGINAL, in, vlan, out);
        if (f == null) return;
        if (!flows.insert(f, false)) return;
        if (!env.conntrack().offload(ce)) {
            flows.remove(f);
            return;
        }
        added.increment();
        env.flowAdded(this, f);
    }

    /** Builds both directions; null when a route or next hop is not known (yet). */
    private Flow describe(ConnEntry ce, int d, NetDevice in, int vlan, NetDevice out) {
        FiveTuple o = ce.original(), r = ce.reply();
        FlowTuple.Spec[] s = { new FlowTuple.Spec(), new FlowTuple.Spec() };
        fill(s[FlowEntry.ORIGINAL], o, r);
        fill(s[FlowEntry.REPLY], r, o);
        int e = 1 - d;
        // the packet's direction arrives where it came from and leaves as routed; the other
        // direction arrives on that egress device, tagged as this one left (the tag is kept)
        s[d].inDevice = in;
        s[d].inVlan = vlan;
        s[d].outVlan = vlan;
        s[e].inDevice = out;
        s[e].inVlan = vlan;
        s[e].outVlan = vlan;
        if (!route(s[d]) || s[d].outDevice != out) return null;
        if (!route(s[e]) || !devices.contains(s[e].outDevice)) return null;
        if (s[e].outDevice != in) s[e].outVlan = -1; // asymmetric: which tag the other side wants is not known
        return new Flow(ids.incrementAndGet(), ce, s[FlowEntry.ORIGINAL], s[FlowEntry.REPLY], now());
    }

    /** One direction arrives as {@code match}; it leaves as the reverse of the other direction's tuple. */
    private static void fill(FlowTuple.Spec s, FiveTuple match, FiveTuple other) {
        s.family = match.family; s.proto = match.proto;
        s.srcHi = match.srcHi; s.srcLo = match.srcLo; s.dstHi = match.dstHi; s.dstLo = match.dstLo;
        s.srcPort = match.srcPort; s.dstPort = match.dstPort;
        s.newSrcHi = other.dstHi; s.newSrcLo = other.dstLo; s.newDstHi = other.srcHi; s.newDstLo = other.srcLo;
        s.newSrcPort = other.dstPort; s.newDstPort = other.srcPort;
    }

    /** Fills egress device, next hop, MACs and MTU from the FIB and the neighbour table. */
    private boolean route(FlowTuple.Spec s) {
        Route rt = env.routes().lookup(s.family, s.newDstHi, s.newDstLo);
        if (rt == null || rt.type() == Route.Type.LOCAL || rt.device() == null) return false;
        NetDevice dev = env.devices().byName(rt.device()).orElse(null);
        if (dev == null || !dev.isUp()) return false;
        s.nextHopHi = rt.gateway() != null ? rt.gateway().hi() : s.newDstHi;
        s.nextHopLo = rt.gateway() != null ? rt.gateway().lo() : s.newDstLo;
        long mac = env.neighbours().resolved(dev.ifIndex(), s.family, s.nextHopHi, s.nextHopLo);
        if (mac < 0) return false;
        s.outDevice = dev;
        s.dstMac = mac;
        s.srcMac = dev.macBits();
        s.mtu = dev.mtu();
        return true;
    }

    // ---- garbage collection (the worker thread) ----

    /**
     * One bounded step of the garbage collector, as Linux's {@code nf_flow_offload_gc_step}:
     * removes the flows torn down on the packet path, then examines up to {@code budget} slots from
     * where the last step stopped and evicts flows idle past the timeout, whose conntrack entry is
     * dying, or whose route, next hop or devices changed.
     *
     * @return the number of slots examined
     */
    public int gcStep(int budget) {
        for (Flow f = tornDown.getAndSet(null); f != null; ) {
            Flow next = f.nextTornDown;
            f.nextTornDown = null;
            reap(f);
            f = next;
        }
        flows.epoch();
        long[] t = flows.slots();
        int n = FlowHashTable.slotCount(t);
        if (gcCursor >= n) gcCursor = 0;
        int end = (int) Math.min(n, (long) gcCursor + budget);
        long now = now();
        for (int i = gcCursor; i < end; i++) {
            Flow f = flows.originalAt(t, i);
            if (f != null) examine(f, now);
        }
        int examined = end - gcCursor;
        gcCursor = end == n ? 0 : end;
        return examined;
    }

    /** Slots a full garbage collection pass walks. */
    public int gcSlots() { return flows.capacity(); }

    private void examine(Flow f, long now) {
        if (f.isTornDown()) { reap(f); return; }
        GcReason why = null;
        ConnEntry ce = f.conn();
        long timeout = f.tuple(0).proto == Packet.PROTO_TCP ? tcpTimeoutNanos : udpTimeoutNanos;
        if (ce.isDying()) why = GcReason.CT_DYING;
        else if (now - f.lastUsedNanos() > timeout) why = GcReason.IDLE;
        else {
            why = check(f.tuple(0));
            if (why == null) why = check(f.tuple(1));
        }
        if (why != null) evict(f, why);
        else env.conntrack().keepAlive(ce);
    }

    /** Whether one direction would still be forwarded the same way; the reason when not. */
    private GcReason check(FlowTuple t) {
        NetDevice in = env.devices().byIndex(t.inIfIndex), out = env.devices().byIndex(t.outIfIndex);
        if (in != t.inDevice || out != t.outDevice || !out.isUp() || out.mtu() != t.mtu || out.macBits() != t.srcMac) return GcReason.DEVICE;
        Route rt = env.routes().lookup(t.family, t.newDstHi, t.newDstLo);
        if (rt == null || !out.name().equals(rt.device())) return GcReason.ROUTE;
        long nhHi = rt.gateway() != null ? rt.gateway().hi() : t.newDstHi, nhLo = rt.gateway() != null ? rt.gateway().lo() : t.newDstLo;
        if (nhHi != t.nextHopHi || nhLo != t.nextHopLo) return GcReason.ROUTE;
        if (env.neighbours().resolved(t.outIfIndex, t.family, nhHi, nhLo) != t.dstMac) return GcReason.NEIGHBOUR;
        return null;
    }

    /**
     * Ends a flow from the worker or a command: conntrack gets the connection back and the flow
     * leaves the table (once hardware let go of it, see {@link #reap}).
     *
     * @return true when this call ended a flow that was still in the table
     */
    private boolean evict(Flow f, GcReason why) {
        if (f.isDead()) return false;
        boolean ended = end(f);
        if (ended) {
            f.endReason = why;
            env.conntrack().teardown(f.conn());
        }
        return reap(f) || ended;
    }

    /**
     * Removes a torn-down flow unless an offload driver holds it, as Linux's GC does with
     * {@code NF_FLOW_HW}: a flow pending or in hardware is set {@code DYING} (listeners hear
     * {@code flowDying} and the offload manager deletes it from the driver) and is removed by a later
     * step once the manager set it {@code DEAD} (or back to {@code SOFTWARE}).
     *
     * @return true when the flow left the table now
     */
    private boolean reap(Flow f) {
        for (;;) {
            HwState s = f.hwState();
            switch (s) {
                case PENDING, HW, HW_REFRESH -> {
                    if (f.compareAndSetHwState(s, HwState.DYING)) {
                        env.flowDying(this, f);
                        return false;
                    }
                }
                case DYING -> { return false; }
                default -> { return remove(f, f.endReason); }
            }
        }
    }

    /** Removes every flow now, hardware or not (a table going away after its grace period). */
    public int removeAll() {
        int n = 0;
        for (FlowEntry e : list()) {
            Flow f = (Flow) e;
            if (end(f)) {
                f.endReason = GcReason.ADMIN;
                env.conntrack().teardown(f.conn());
            }
            if (remove(f, f.endReason)) n++;
        }
        return n;
    }

    /**
     * Accounts a hardware stats delta and marks the flow used, as Linux's {@code flow_offload_refresh}
     * after a stats pull (counters only when the table counts, as {@code NF_FLOWTABLE_COUNTER}).
     */
    @Override
    public void hardwareUsed(FlowEntry flow, int direction, long packets, long bytes) {
        if (!(flow instanceof Flow f) || (direction != FlowEntry.ORIGINAL && direction != FlowEntry.REPLY)) return;
        if (packets <= 0) return;
        if (counting()) f.tuple(direction).countHardware(packets, Math.max(0, bytes));
        f.touch(env.clock().preciseNanos());
    }

    private boolean remove(Flow f, GcReason why) {
        if (!flows.remove(f)) return false;
        f.setFlag(Flow.DEAD);
        evicted[(why != null ? why : GcReason.ADMIN).ordinal()].increment();
        removed.increment();
        env.flowRemoved(this, f);
        return true;
    }

    // ---- FlowTable ----

    @Override
    public String name() { return spec.name(); }

    @Override
    public Set<String> devices() { return spec.devices(); }

    @Override
    public boolean hardwareOffload() { return spec.hardwareOffload(); }

    @Override
    public FlowTableSpec spec() { return spec; }

    public boolean counting() { return spec.counter(); }

    @Override
    public int count() { return flows.size(); }

    @Override
    public List<FlowEntry> list() {
        List<FlowEntry> l = new ArrayList<>(flows.size());
        long[] t = flows.slots();
        for (int i = 0, n = FlowHashTable.slotCount(t); i < n; i++) {
            Flow f = flows.originalAt(t, i);
            if (f != null) l.add(f);
        }
        return l;
    }

    @Override
    public int flush() {
        int n = 0;
        for (FlowEntry f : list()) if (evict((Flow) f, GcReason.ADMIN)) n++;
        return n;
    }

    @Override
    public boolean delete(FlowEntry flow) {
        return flow instanceof Flow f && evict(f, GcReason.ADMIN);
    }

    @Override
    public FlowTableStats stats() {
        Map<String, Long> back = new LinkedHashMap<>(), gc = new LinkedHashMap<>();
        for (HandBack r : HandBack.values()) back.put(r.label(), handedBack[r.ordinal()].sum());
        for (GcReason r : GcReason.values()) gc.put(r.label(), evicted[r.ordinal()].sum());
        return new FlowTableStats(flows.packets(), misses.sum(), back, added.sum(), removed.sum(), gc);
    }

    @Override
    public String toString() { return spec.family() + " " + spec.table() + " " + spec.name(); }
}
