package org.flowgate.conntrack.table;

import org.flowgate.api.tuple.FiveTuple;

/**
 * A hash chain link: one direction of a connection, with a copy of its tuple (as Linux's
 * {@code nf_conntrack_tuple_hash}) so a lookup compares keys without touching the entry.
 * Immutable but for {@code next}.
 */
final class TupleNode {
    final int hash;
    final long srcHi, srcLo, dstHi, dstLo;
    /** sport << 16 | dport. */
    final int ports;
    /** zone << 16 | proto << 8 | family. */
    final int kind;
    final Conn conn;
    final int dir;
    volatile TupleNode next;

    TupleNode(int hash, Conn conn, int dir) {
        FiveTuple t = conn.tuple(dir);
        this.hash = hash;
        this.srcHi = t.srcHi;
        this.srcLo = t.srcLo;
        this.dstHi = t.dstHi;
        this.dstLo = t.dstLo;
        this.ports = ports(t);
        this.kind = kind(conn.zone, t);
        this.conn = conn;
        this.dir = dir;
    }

    static int ports(FiveTuple t) { return (t.srcPort << 16) | (t.dstPort & 0xFFFF); }

    static int kind(int zone, FiveTuple t) { return (zone << 16) | ((t.proto & 0xFF) << 8) | (t.family & 0xFF); }

    boolean matches(int h, int zone, FiveTuple t) {
        return hash == h && srcLo == t.srcLo && dstLo == t.dstLo && ports == ports(t) && kind == kind(zone, t)
                && srcHi == t.srcHi && dstHi == t.dstHi;
    }
}
