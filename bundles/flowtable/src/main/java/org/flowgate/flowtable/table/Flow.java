package org.flowgate.flowtable.table;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.flowtable.FlowPath;
import org.flowgate.api.tuple.FiveTuple;

/**
 * An offloaded connection, as Linux's {@code struct flow_offload}: its two directions, the
 * conntrack entry the table owns meanwhile, when it was last used and its life-cycle flags.
 */
public final class Flow implements FlowEntry {
    /** Ended (FIN/RST, conntrack dying, route change): hits go to the classic path until the GC removes it. */
    static final int TEARDOWN = 1;
    /** Removed from the table. */
    static final int DEAD = 2;

    private static final VarHandle FLAGS, HW_STATE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            FLAGS = l.findVarHandle(Flow.class, "flags", int.class);
            HW_STATE = l.findVarHandle(Flow.class, "hwState", HwState.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long id;
    private final FlowTuple original, reply;
    private final ConnEntry conn;
    private final long created;
    private volatile int flags;
    private volatile HwState hwState = HwState.SOFTWARE;
    /** Link in the table's lock-free stack of flows torn down on the packet path. */
    Flow nextTornDown;
    /** Why the flow ended (a GC eviction reason), set with {@link #TEARDOWN}. */
    volatile GcReason endReason;

    public Flow(long id, ConnEntry conn, FlowTuple.Spec original, FlowTuple.Spec reply, long now) {
        this.id = id;
        this.conn = conn;
        this.original = new FlowTuple(this, ORIGINAL, original);
        this.reply = new FlowTuple(this, REPLY, reply);
        created = now;
        this.original.setLastUsed(now);
        this.reply.setLastUsed(now);
    }

    public FlowTuple tuple(int dir) { return dir == ORIGINAL ? original : reply; }

    /** Marks the flow used now (hardware stats): both directions. */
    void touch(long now) {
        original.touch(now);
        reply.touch(now);
    }

    public boolean isTornDown() { return (flags & TEARDOWN) != 0; }

    boolean isDead() { return (flags & DEAD) != 0; }

    /** Sets a flag; true when this call set it. */
    boolean setFlag(int f) {
        for (;;) {
            int old = flags;
            if ((old & f) != 0) return false;
            if (FLAGS.compareAndSet(this, old, old | f)) {
                if ((f & TEARDOWN) != 0) original.tornDown = reply.tornDown = true;
                return true;
            }
        }
    }

    // ---- FlowEntry ----

    @Override
    public long id() { return id; }

    @Override
    public FiveTuple original() { return match(original); }

    @Override
    public FiveTuple reply() { return match(reply); }

    @Override
    public String inDevice() { return original.inDevice.name(); }

    @Override
    public String outDevice() { return original.outDevice.name(); }

    @Override
    public long packets() { return original.packets() + reply.packets(); }

    @Override
    public long bytes() { return original.bytes() + reply.bytes(); }

    @Override
    public long lastUsedNanos() { return Math.max(original.lastUsed(), reply.lastUsed()); }

    @Override
    public FlowPath path(int direction) {
        FlowTuple t = tuple(direction);
        FiveTuple match = match(t);
        FiveTuple rewrite = new FiveTuple(match);
        rewrite.srcHi = t.newSrcHi; rewrite.srcLo = t.newSrcLo; rewrite.dstHi = t.newDstHi; rewrite.dstLo = t.newDstLo;
        rewrite.srcPort = t.newSrcPort; rewrite.dstPort = t.newDstPort;
        return new FlowPath(match, rewrite, t.inDevice.name(), t.inVlan, t.outDevice.name(), t.outVlan, t.srcMac, t.dstMac, t.mtu);
    }

    /** The tuple a direction's packets arrive with (the conntrack tuple of that direction). */
    private static FiveTuple match(FlowTuple t) {
        FiveTuple m = new FiveTuple();
        m.family = t.family; m.proto = t.proto;
        m.srcHi = t.srcHi; m.srcLo = t.srcLo; m.dstHi = t.dstHi; m.dstLo = t.dstLo;
        m.srcPort = t.srcPort; m.dstPort = t.dstPort;
        return m;
    }

    @Override
    public long packets(int direction) { return tuple(direction).packets(); }

    @Override
    public long bytes(int direction) { return tuple(direction).bytes(); }

    @Override
    public long createdNanos() { return created; }

    @Override
    public ConnEntry conn() { return conn; }

    @Override
    public boolean tornDown() { return isTornDown(); }

    @Override
    public HwState hwState() { return hwState; }

    @Override
    public boolean compareAndSetHwState(HwState expect, HwState update) {
        return HW_STATE.compareAndSet(this, expect, update);
    }

    @Override
    public String toString() { return "flow[" + original() + "]"; }
}
