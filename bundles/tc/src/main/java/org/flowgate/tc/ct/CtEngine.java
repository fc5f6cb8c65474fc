package org.flowgate.tc.ct;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.conntrack.CtState;
import org.flowgate.api.conntrack.NatRange;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;

/**
 * Runs conntrack from a tc action ({@code act_ct}) through the public {@link ConnTracker} API:
 * {@link ConnTracker#track} (find or create the entry in {@link Packet#ctZone()}, as conntrack at
 * prerouting), {@link ConnTracker#bindNat}, {@link ConnTracker#nat} (both manipulations) and
 * {@link ConnTracker#confirm} (insert a new entry on commit). Established connections move to
 * the zone's flow table ({@link CtFlowTables}); a packet found there skips conntrack.
 */
public final class CtEngine {
    /** Service property naming a packet hook (tc names its own ingress hook with it). */
    public static final String HOOK_NAME = "flowgate.hook.name";

    /** Results of {@link #track}. */
    public static final int OK = 0, DROP = 1, NAT_FAILED = 2, UNAVAILABLE = 3;

    private volatile ConnTracker tracker;
    private volatile CtFlowTables flowTables;
    private final ThreadLocal<FiveTuple> key = ThreadLocal.withInitial(FiveTuple::new);
    private final ThreadLocal<FiveTuple> reversed = ThreadLocal.withInitial(FiveTuple::new);

    public void setTracker(ConnTracker t) { tracker = t; }

    public void unsetTracker(ConnTracker t) { if (tracker == t) tracker = null; }

    /** The per-zone flow tables (null: none, every packet goes through conntrack). */
    public void setFlowTables(CtFlowTables t) { flowTables = t; }

    public CtFlowTables flowTables() { return flowTables; }

    public boolean available() { return tracker != null; }

    /** {@code ct clear}: the packet forgets its connection, as {@code nf_reset_ct}. */
    public static void clear(Packet p) {
        p.setConn(null);
        p.setCtState(0);
        p.setCtDirection(0);
        p.setCtZone(0);
    }

    /**
     * The work of {@code ct [commit] [zone N] [nat ...]}: tracks the packet in {@code zone} (an
     * entry of another zone is dropped first, an entry of the same zone is kept as act_ct's
     * cache), binds NAT on a new connection's first packet when committing, applies NAT when
     * asked, and confirms (inserts) the entry on commit.
     */
    public int track(Packet p, int zone, boolean commit, boolean nat, NatRange range) {
        ConnTracker ct = tracker;
        if (ct == null) return UNAVAILABLE;
        if (p.ctZone() != zone || (p.conn() == null && p.ctState() != CtState.UNTRACKED)) {
            clear(p);
            p.setCtZone(zone);
        }
        CtFlowTables ft = flowTables;
        boolean fromTable = false;
        if (p.conn() == null && p.ctState() != CtState.UNTRACKED) {
            fromTable = ft != null && ft.lookup(zone, p);
            if (!fromTable && !ct.track(p)) return DROP;
        }
        if (!(p.conn() instanceof ConnEntry e)) return OK; // invalid or untracked: nothing to commit
        if (commit && range != null && !e.isConfirmed() && p.ctDirection() == 0 && !ct.bindNat(p, range)) return NAT_FAILED;
        if (nat) ct.nat(p);
        if (commit && !e.isConfirmed() && !ct.confirm(p)) return DROP;
        if (ft != null && !fromTable) ft.offer(zone, p);
        return OK;
    }

    /**
     * Restores the conntrack info of a packet an offload driver returned after a miss: looks its
     * tuple up in {@link Packet#ctZone()} and sets entry, direction and state (established, as
     * only established connections are offloaded). A driver that missed after its CT stage has
     * already applied the connection's NAT: the packet then carries neither direction's tuple,
     * but its reverse is the other direction's (a source-NATed original packet, reversed, is the
     * reply tuple), so that is looked up second. Returns false when no entry is found.
     */
    public boolean restore(Packet p) {
        ConnTracker ct = tracker;
        if (ct == null || p.ipVersion() == 0) return false;
        FiveTuple k = key.get().set(p);
        ConnEntry e = ct.find(p.ctZone(), k);
        int dir;
        if (e != null) {
            dir = k.equals(e.original()) ? 0 : 1;
        } else {
            FiveTuple r = reversed.get().setReverse(k);
            e = ct.find(p.ctZone(), r);
            if (e == null) return false;
            dir = r.equals(e.reply()) ? 0 : 1; // the reverse of an original packet after NAT is the reply tuple
        }
        p.setConn(e);
        p.setCtDirection(dir);
        p.setCtState(CtState.ESTABLISHED); // +rpl comes from the direction
        return true;
    }
}
