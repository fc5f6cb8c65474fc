package org.flowgate.conntrack.proto.tcp;

import org.flowgate.conntrack.table.ProtoInfo;

/** Per-connection TCP state: the conntrack state and each direction's window data ({@code ip_ct_tcp}). */
public final class TcpState implements ProtoInfo {
    /** One direction's sequence space as Linux's {@code ip_ct_tcp_state}. */
    static final class Seen {
        int end;       // max of seq + len
        int maxend;    // max of ack + max(win, 1)
        int maxwin;    // max(win); 0 means "not seen yet": learn from the next packet
        int maxack;    // max of ack
        int scale;     // window scale factor
        int flags;
    }

    static final int WINDOW_SCALE = 1, SACK_PERM = 2, CLOSE_INIT = 4, BE_LIBERAL = 8, DATA_UNACKNOWLEDGED = 0x10, MAXACK_SET = 0x20;

    volatile int state = TcpStates.NONE;
    final Seen[] seen = {new Seen(), new Seen()};
    int lastDir = -1, lastIndex = -1;
    /** The last in-window segment, to count retransmissions of it. */
    int lastSeq, lastAck, lastEnd, lastWin;
    /** Window scale and option flags of the last ignored SYN. */
    int lastScale, lastFlags;
    int retrans;

    @Override
    public String stateName() { return TcpStates.name(state); }

    @Override
    public int state() { return state; }

    /**
     * Forgets window data so the next packets are learned again, as Linux's
     * {@code flow_offload_fixup_tcp} does when a flow table gives a connection back. The
     * connection stays liberal ({@link #beLiberal()}): the fast path forwarded segments
     * conntrack never saw, and ACKs of them may follow a re-learned retransmission of older data.
     */
    public void forgetWindows() {
        synchronized (this) {
            seen[0].maxwin = 0;
            seen[1].maxwin = 0;
            seen[0].flags = (seen[0].flags & ~MAXACK_SET) | BE_LIBERAL;
            seen[1].flags = (seen[1].flags & ~MAXACK_SET) | BE_LIBERAL;
        }
    }

    /**
     * Stops window checks failing the connection, as Linux's {@code flow_offload_ct_tcp} does for
     * an offloaded connection ("conntrack will not see all packets"); for good, as in Linux.
     */
    public void beLiberal() {
        synchronized (this) {
            seen[0].flags |= BE_LIBERAL;
            seen[1].flags |= BE_LIBERAL;
        }
    }
}
