package org.flowgate.tc.action;

import org.flowgate.api.packet.Packet;

/** The generic action: {@code drop}, {@code pass}, {@code pipe}, {@code continue}, {@code goto chain N}. */
public final class Gact extends Action {
    public Gact(int control) { super(control); }

    @Override
    public int execute(Packet p, ExecContext ctx) {
        if (control == Act.SHOT) ctx.dropReason = Drops.ACTION_DROP;
        return control;
    }

    @Override
    public String describe() { return "gact"; }
}
