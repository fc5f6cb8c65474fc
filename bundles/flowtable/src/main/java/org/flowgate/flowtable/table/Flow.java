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

    private static final VarHandle FLAGS, HW_STATE, LAST_USED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            FLAGS = l.findVarHandle(Flow.class, "flags", int.class);
            HW_STATE = l.findVarHandle(Flow.class, "hwState", HwState.class);
            LAST_USED = l.findVarHandle(Flow.class, "lastUsed", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long id;
    private final FlowTuple[] tuples = new FlowTuple[2];
    private final ConnEntry conn;
    private final FiveTuple original, reply;
    private final long created;
    private volatile long lastUsed;
    private volatile int flags;
    private volatile HwState hwState = HwState.SOFTWARE;
    /** Link in the table's lock-free stack of flows torn down on the packet path. */
    Flow nextTornDown;
    /** Why the flow ended (a GC eviction reason), set with {@link #TEARDOWN}. */
    volatile GcReason endReason;

    public Flow(long id, ConnEntry conn, FlowTuple.Spec original, FlowTuple.Spec reply, long now) {
        this.id = id;
        this.conn = conn;
        this.original = new FiveTuple(conn.original());
        this.reply = new FiveTuple(conn.reply());
        tuples[ORIGINAL] = new FlowTuple(this, ORIGINAL, original);
        tuples[REPLY] = new FlowTuple(this, REPLY, reply);
        created = now;
        lastUsed = now;
    }

    public FlowTuple tuple(int dir) { return tuples[dir]; }

    /** Called on every hit: writes only when the (coarse) time moved, to keep the line clean. */
    public void touch(long now) {
        if ((long) LAST_USED.getOpaque(this) != now) LAST_USED.setOpaque(this, now);
    }

    public boolean isTornDown() { return (flags & TEARDOWN) != 0; }

    boolean isDead() { return (flags & DEAD) != 0; }

    /** Sets a flag; true when this call set it. */
    boolean setFlag(int f) {
        for (;;) {
            int old = flags;
            if ((old & f) != 0) return false;
            if (FLAGS.compareAndSet(this, old, old | f)) return true;
        }
    }

    // ---- FlowEntry ----

    @Override
    public long id() { return id; }

    @Override
    public FiveTuple original() { return original; }

    @Override
    public FiveTuple reply() { return reply; }

    @Override
    public String inDevice() { return tuples[ORIGINAL].inDevice.name(); }

    @Override
    public String outDevice() { return tuples[ORIGINAL].outDevice.name(); }

    @Override
    public long packets() { return tuples[0].packets() + tuples[1].packets(); }

    @Override
    public long bytes() { return tuples[0].bytes() + tuples[1].bytes(); }

    @Override
    public long lastUsedNanos() { return lastUsed; }

    @Override
    public FlowPath path(int direction) {
        FlowTuple t = tuples[direction];
        FiveTuple match = new FiveTuple();
        match.family = t.family; match.proto = t.proto;
        match.srcHi = t.srcHi; match.srcLo = t.srcLo; match.dstHi = t.dstHi; match.dstLo = t.dstLo;
        match.srcPort = t.srcPort; match.dstPort = t.dstPort;
        FiveTuple rewrite = new FiveTuple(match);
        rewrite.srcHi = t.newSrcHi; rewrite.srcLo = t.newSrcLo; rewrite.dstHi = t.newDstHi; rewrite.dstLo = t.newDstLo;
        rewrite.srcPort = t.newSrcPort; rewrite.dstPort = t.newDstPort;
        return new FlowPath(match, rewrite, t.inDevice.name(), t.inVlan, t.outDevice.name(), t.outVlan, t.srcMac, t.dstMac, t.mtu);
    }

    @Override
    public long packets(int direction) { return tuples[direction].packets(); }

    @Override
    public long bytes(int direction) { return tuples[direction].bytes(); }

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
    public String toString() { return "flow[" + original + "]"; }
}
