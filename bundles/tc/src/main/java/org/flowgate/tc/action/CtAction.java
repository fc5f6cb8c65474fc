package org.flowgate.tc.action;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.conntrack.NatRange;
import org.flowgate.api.packet.Packet;
import org.flowgate.tc.ct.CtEngine;

/**
 * {@code ct [commit [force]] [zone N] [mark M[/MASK]] [label L[/MASK]] [nat [src|dst addr A[-B] [port P[-Q]]]]}
 * and {@code ct clear}, as Linux's act_ct.
 *
 * <p>{@code force} (with commit), as {@code tcf_ct_skb_nfct_cached}: when the packet arrives
 * already tracked in this zone (by an earlier ct action) in the reply direction, its entry is
 * deleted (when confirmed) and the packet is tracked again, so it starts a new connection in its
 * own direction that the commit then confirms.
 */
public final class CtAction extends Action {
    private final CtEngine engine;
    private final Trackers trackers;
    private final boolean clear, commit, nat, force;
    private final int zone;
    private final boolean setMark, setLabel;
    private final int mark, markMask;
    private final long labelHi, labelLo, labelMaskHi, labelMaskLo;
    private final NatRange range;
    private final String text;

    public CtAction(CtEngine engine, int control, boolean clear, boolean commit, int zone, boolean setMark, int mark, int markMask,
            boolean setLabel, long labelHi, long labelLo, long labelMaskHi, long labelMaskLo, boolean nat, NatRange range, String text) {
        this(engine, null, control, clear, commit, false, zone, setMark, mark, markMask, setLabel, labelHi, labelLo, labelMaskHi,
                labelMaskLo, nat, range, text);
    }

    /** @param trackers where {@code force} finds conntrack to delete the reply-direction entry */
    public CtAction(CtEngine engine, Trackers trackers, int control, boolean clear, boolean commit, boolean force, int zone,
            boolean setMark, int mark, int markMask, boolean setLabel, long labelHi, long labelLo, long labelMaskHi, long labelMaskLo,
            boolean nat, NatRange range, String text) {
        super(control);
        if (force && (!commit || trackers == null)) throw new IllegalArgumentException("force needs commit and conntrack");
        this.engine = engine;
        this.trackers = trackers;
        this.force = force;
        this.clear = clear;
        this.commit = commit;
        this.zone = zone;
        this.setMark = setMark;
        this.mark = mark;
        this.markMask = markMask;
        this.setLabel = setLabel;
        this.labelHi = labelHi;
        this.labelLo = labelLo;
        this.labelMaskHi = labelMaskHi;
        this.labelMaskLo = labelMaskLo;
        this.nat = nat;
        this.range = range;
        this.text = text;
    }

    @Override
    public int execute(Packet p, ExecContext ctx) {
        if (clear) {
            CtEngine.clear(p);
            return control;
        }
        if (p.ipVersion() == 0) return control; // act_ct leaves non-IP frames alone
        if (force && p.ctDirection() == 1 && p.ctZone() == zone && p.conn() instanceof ConnEntry old) {
            ConnTracker t = trackers.get();
            if (t == null) return ctx.drop(Drops.NO_CONNTRACK);
            if (old.isConfirmed()) t.delete(old); // dying now: the zone flow table lets go of it too
            CtEngine.clear(p);
        }
        switch (engine.track(p, zone, commit, nat, range)) {
            case CtEngine.UNAVAILABLE -> { return ctx.drop(Drops.NO_CONNTRACK); }
            case CtEngine.DROP -> { return ctx.drop(Drops.CT_DROP); }
            case CtEngine.NAT_FAILED -> { return ctx.drop(Drops.NAT_FAILED); }
            default -> { }
        }
        if (commit && p.conn() instanceof ConnEntry e) {
            if (setMark) e.setMark((e.mark() & ~markMask) | (mark & markMask));
            if (setLabel) e.setLabels((e.labelsHi() & ~labelMaskHi) | (labelHi & labelMaskHi),
                    (e.labelsLo() & ~labelMaskLo) | (labelLo & labelMaskLo));
        }
        return control;
    }

    public int zone() { return zone; }

    public boolean commit() { return commit; }

    public boolean force() { return force; }

    @Override
    public String describe() { return text; }
}
