package org.flowgate.conntrack.table;

import org.flowgate.api.tuple.FiveTuple;

/** A hash chain link: one direction of a connection. Immutable but for {@code next}. */
final class TupleNode {
    final int hash;
    final Conn conn;
    final int dir;
    volatile TupleNode next;

    TupleNode(int hash, Conn conn, int dir) {
        this.hash = hash;
        this.conn = conn;
        this.dir = dir;
    }

    boolean matches(int h, int zone, FiveTuple t) {
        return hash == h && conn.zone == zone && Tuples.equal(conn.tuple(dir), t);
    }
}
