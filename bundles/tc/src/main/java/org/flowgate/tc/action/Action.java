package org.flowgate.tc.action;

import org.flowgate.api.packet.Packet;

/**
 * One tc action of a filter. {@link #execute} runs on packet threads, several at once: it must
 * not allocate or block. It returns an {@link Act} result, normally its {@link #control()}.
 */
public abstract class Action {
    protected final int control;

    protected Action(int control) { this.control = control; }

    /** What the action returns once it did its work ({@code pipe}, {@code pass}, {@code goto chain N}, ...). */
    public final int control() { return control; }

    public abstract int execute(Packet p, ExecContext ctx);

    /** The action as {@code tc} shows it, without its control. */
    public abstract String describe();

    @Override
    public final String toString() { return describe() + " " + Act.name(control); }
}
