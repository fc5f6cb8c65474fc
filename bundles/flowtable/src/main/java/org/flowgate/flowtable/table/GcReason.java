package org.flowgate.flowtable.table;

import java.util.Locale;

/** Why a flow left the table. */
public enum GcReason {
    /** No packet for longer than the flow table timeout. */
    IDLE,
    /** A TCP FIN or RST went through: the connection closes on the classic path. */
    TCP_FIN_RST,
    /** The conntrack entry was removed (deleted, flushed). */
    CT_DYING,
    /** The route of one direction changed or is gone. */
    ROUTE,
    /** The next hop's MAC changed or is no longer known. */
    NEIGHBOUR,
    /** An ingress or egress device went away or down. */
    DEVICE,
    /** Removed by an administrator ({@code flow:delete}, {@code flow:flush}) or a ruleset reload. */
    ADMIN;

    private static final GcReason[] VALUES = values();

    public String label() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }

    static GcReason of(int ordinal) { return VALUES[ordinal]; }
}
