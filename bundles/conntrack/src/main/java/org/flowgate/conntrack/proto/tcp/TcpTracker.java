package org.flowgate.conntrack.proto.tcp;

import static org.flowgate.conntrack.proto.tcp.TcpStates.*;

import org.flowgate.api.conntrack.CtStatus;
import org.flowgate.api.packet.Packet;
import org.flowgate.conntrack.proto.Result;
import org.flowgate.conntrack.proto.Timeouts;
import org.flowgate.conntrack.table.Conn;

/**
 * The TCP state machine and window tracking of Linux conntrack ({@code tcp_new}, {@code tcp_packet},
 * {@code tcp_in_window}), on the packet in place. Stateless; per-connection data lives in
 * {@link TcpState} and is changed under its lock.
 */
public final class TcpTracker {
    private TcpTracker() {}

    /** Linux's {@code nf_conntrack_tcp_max_retrans}: after this many retransmissions the retrans timeout applies. */
    static final int MAX_RETRANS = 3;

    /** Whether the packet is a sane TCP segment at all ({@code tcp_error}): flags combination. */
    public static boolean validSegment(Packet p) { return validFlags(p.tcpFlags()); }

    /**
     * Whether this first packet may create a connection ({@code tcp_new}): a SYN, or with loose
     * pickup ({@code nf_conntrack_tcp_loose}) any ACK. Initialises the window data of the entry.
     */
    public static boolean newConn(Conn c, Packet p, Timeouts to) {
        int kind = kind(p.tcpFlags());
        int next = NEXT[0][kind][NONE];
        if (next >= COUNT || (kind != SYN && !to.tcpLoose)) return false;
        TcpState s = new TcpState();
        TcpState.Seen sender = s.seen[0];
        int l4 = p.l4();
        int win = p.u16(l4 + 14);
        sender.end = segmentEnd(p);
        sender.maxwin = win == 0 ? 1 : win;
        if (kind == SYN) {
            sender.maxend = sender.end;
            options(p, sender);
        } else {
            // mid-stream pickup: window scaling unknown, so be liberal until both sides are learned
            sender.maxend = sender.end + sender.maxwin;
            sender.flags = s.seen[1].flags = TcpState.SACK_PERM | TcpState.BE_LIBERAL;
        }
        c.proto = s;
        return true;
    }

    /** Tracks one packet of a known connection ({@code tcp_packet}). */
    public static int packet(Conn c, int dir, Packet p, Timeouts to, long now) {
        TcpState s = (TcpState) c.proto;
        int flags = p.tcpFlags();
        int index = kind(flags);
        int seq = p.u32(p.l4() + 4);
        synchronized (s) {
            // a packet handed back by the flow table while the connection is offloaded
            if (c.hasStatus(CtStatus.OFFLOAD)) s.beLiberal();
            int old = s.state;
            int next = NEXT[dir][index][old];
            // (old and next may be rewritten by the ignore-state resynchronisation below)
            switch (next) {
                case SYN_SENT -> {
                    if (old >= TIME_WAIT) {
                        // RFC 1122 reopen of a closed/aborted connection: drop the old entry and start over
                        if (((s.seen[0].flags | s.seen[1].flags) & TcpState.CLOSE_INIT) != 0
                                || (s.lastDir == dir && s.lastIndex == RST)) return Result.REOPEN;
                        return ignore(s, dir, index, p, seq);
                    }
                }
                case IGNORE -> {
                    int ack = p.u32(p.l4() + 8);
                    if (index == SYNACK && s.lastIndex == SYN && s.lastDir != dir && ack == s.lastEnd) {
                        // this SYN/ACK answers a SYN we ignored: both ends are in sync and we are
                        // not; take the ignored SYN as the start of a new handshake
                        TcpState.Seen syn = s.seen[s.lastDir];
                        syn.end = syn.maxend = s.lastEnd;
                        syn.maxwin = s.lastWin == 0 ? 1 : s.lastWin;
                        syn.scale = s.lastScale;
                        syn.flags = s.lastFlags;
                        syn.maxack = 0;
                        TcpState.Seen other = s.seen[dir];
                        other.end = other.maxend = other.maxwin = other.maxack = other.scale = other.flags = 0;
                        old = SYN_SENT;
                        next = SYN_RECV;
                    } else {
                        return ignore(s, dir, index, p, seq);
                    }
                }
                case INVALID -> { return Result.INVALID; }
                case CLOSE -> {
                    // Linux skips the RST checks while the connection is closing (tcp_can_early_drop):
                    // a closed end answers a late retransmission with a RST whose sequence number
                    // lies below the highest ACK already seen, and the window data may be outdated
                    if (index == RST && !closing(old)) {
                        TcpState.Seen other = s.seen[1 - dir];
                        if ((other.flags & TcpState.MAXACK_SET) != 0 && before(seq, other.maxack)) return Result.INVALID;
                    }
                }
                default -> { }
            }
            if (!inWindow(s, dir, index, p, to)) return Result.INVALID;

            s.lastIndex = index;
            s.lastDir = dir;
            s.state = next;
            if (old != next && next == FIN_WAIT) s.seen[dir].flags |= TcpState.CLOSE_INIT;

            long timeout = to.tcp(next);
            if (s.retrans >= MAX_RETRANS && to.tcpRetrans < timeout) timeout = to.tcpRetrans;
            else if (((s.seen[0].flags | s.seen[1].flags) & TcpState.DATA_UNACKNOWLEDGED) != 0 && to.tcpUnack < timeout)
                timeout = to.tcpUnack;
            int result = old != next ? Result.CHANGED : Result.ACCEPT;
            if (!c.hasStatus(CtStatus.SEEN_REPLY)) {
                // only a RST came back: no connection, forget it right away
                if (index == RST) return result | Result.KILL;
            } else if ((old == SYN_RECV || old == ESTABLISHED) && next == ESTABLISHED && c.setStatus(CtStatus.ASSURED)) {
                result |= Result.CHANGED;
            }
            c.refresh(now, timeout);
            return result;
        }
    }

    /** Linux's {@code tcp_can_early_drop}: the connection is being closed. */
    static boolean closing(int state) {
        return state == FIN_WAIT || state == CLOSE_WAIT || state == LAST_ACK || state == TIME_WAIT || state == CLOSE;
    }

    /** Accepts a packet without a state change, remembering it in case the other side answers it. */
    private static int ignore(TcpState s, int dir, int index, Packet p, int seq) {
        s.lastIndex = index;
        s.lastDir = dir;
        s.lastSeq = seq;
        s.lastEnd = segmentEnd(p);
        s.lastWin = p.u16(p.l4() + 14);
        if (index == SYN) {
            TcpState.Seen tmp = new TcpState.Seen(); // rare path: a SYN on a live connection
            options(p, tmp);
            s.lastScale = tmp.scale;
            s.lastFlags = tmp.flags;
        } else {
            s.lastScale = 0;
            s.lastFlags = 0;
        }
        return Result.IGNORED;
    }

    // ---- window tracking ----

    static boolean before(int a, int b) { return a - b < 0; }

    static boolean after(int a, int b) { return b - a < 0; }

    /** seq + payload length + SYN + FIN. */
    static int segmentEnd(Packet p) {
        int l4 = p.l4();
        int doff = (p.u8(l4 + 12) >>> 4) * 4;
        int flags = p.tcpFlags();
        return p.u32(l4 + 4) + (p.l3End() - l4 - doff) + ((flags & F_SYN) != 0 ? 1 : 0) + ((flags & F_FIN) != 0 ? 1 : 0);
    }

    /** Window scale and SACK-permitted from a SYN's options. */
    static void options(Packet p, TcpState.Seen s) {
        int l4 = p.l4();
        int end = l4 + (p.u8(l4 + 12) >>> 4) * 4;
        s.scale = 0;
        s.flags &= ~(TcpState.WINDOW_SCALE | TcpState.SACK_PERM);
        for (int i = l4 + 20; i < end; ) {
            int kind = p.u8(i);
            if (kind == 0) break;
            if (kind == 1) { i++; continue; }
            if (i + 1 >= end) break;
            int len = p.u8(i + 1);
            if (len < 2 || i + len > end) break;
            if (kind == 3 && len == 3) {
                s.scale = Math.min(p.u8(i + 2), 14);
                s.flags |= TcpState.WINDOW_SCALE;
            } else if (kind == 4 && len == 2) {
                s.flags |= TcpState.SACK_PERM;
            }
            i += len;
        }
    }

    /** The highest right edge of a SACK option above {@code ack}, or {@code ack}. */
    static int sack(Packet p, int ack) {
        int l4 = p.l4();
        int end = l4 + (p.u8(l4 + 12) >>> 4) * 4;
        int sack = ack;
        for (int i = l4 + 20; i < end; ) {
            int kind = p.u8(i);
            if (kind == 0) break;
            if (kind == 1) { i++; continue; }
            if (i + 1 >= end) break;
            int len = p.u8(i + 1);
            if (len < 2 || i + len > end) break;
            if (kind == 5 && len >= 10 && (len - 2) % 8 == 0) {
                for (int b = i + 2; b < i + len; b += 8) {
                    int right = p.u32(b + 4);
                    if (after(right, sack)) sack = right;
                }
            }
            i += len;
        }
        return sack;
    }

    /** Linux's {@code tcp_in_window}: checks I-IV of Rooij's "Real Stateful TCP Packet Filtering". */
    static boolean inWindow(TcpState s, int dir, int index, Packet p, Timeouts to) {
        TcpState.Seen sender = s.seen[dir], receiver = s.seen[1 - dir];
        int l4 = p.l4();
        int flags = p.tcpFlags();
        boolean syn = (flags & F_SYN) != 0, ack = (flags & F_ACK) != 0, rst = (flags & F_RST) != 0;
        int seq = p.u32(l4 + 4);
        int ackSeq = p.u32(l4 + 8);
        int win = p.u16(l4 + 14);
        int end = segmentEnd(p);
        int sackSeq = ackSeq;
        if ((receiver.flags & TcpState.SACK_PERM) != 0) sackSeq = sack(p, ackSeq);

        if (sender.maxwin == 0) {
            // first packet of this direction
            if (syn) {
                // SYN/ACK answering a SYN, or a SYN of a simultaneous open
                sender.end = sender.maxend = end;
                sender.maxwin = win == 0 ? 1 : win;
                options(p, sender);
                if ((sender.flags & TcpState.WINDOW_SCALE) == 0 || (receiver.flags & TcpState.WINDOW_SCALE) == 0)
                    sender.scale = receiver.scale = 0;
                if (!ack) return true;
            } else {
                // picked up mid-stream (or after a flow table handed the connection back)
                sender.end = end;
                int swin = win << sender.scale;
                sender.maxwin = swin == 0 ? 1 : swin;
                sender.maxend = end + sender.maxwin;
                if (receiver.maxwin == 0) receiver.end = receiver.maxend = sackSeq;
                else if (sackSeq == receiver.end + 1) receiver.end++;
            }
        } else if (((s.state == SYN_SENT && dir == 0) || (s.state == SYN_RECV && dir == 1)) && syn && after(end, sender.end)) {
            // re-initialised connection: RFC 793 lets it use larger sequence numbers right away
            sender.end = sender.maxend = end;
            sender.maxwin = win == 0 ? 1 : win;
            options(p, sender);
        }

        if (!ack) {
            ackSeq = sackSeq = receiver.end;
        } else if (rst && ackSeq == 0) {
            // broken stacks send RST|ACK with a zero ack
            ackSeq = sackSeq = receiver.end;
        }
        if (rst && seq == 0 && s.state == SYN_SENT) seq = end = sender.end; // RST answering a SYN

        int maxAckWindow = Math.max(sender.maxwin, 66000);
        boolean ok = before(seq, sender.maxend + 1)
                && after(end, sender.end - receiver.maxwin - 1)
                && before(sackSeq, receiver.end + 1)
                && after(sackSeq, receiver.end - maxAckWindow - 1);
        if (ok) {
            // the same segment again from the same side: a retransmission
            if (s.lastDir == dir && s.lastSeq == seq && s.lastAck == ackSeq && s.lastEnd == end && s.lastWin == win) {
                s.retrans++;
            } else {
                s.lastSeq = seq;
                s.lastAck = ackSeq;
                s.lastEnd = end;
                s.lastWin = win;
                s.retrans = 0;
            }
            if (!syn) win <<= sender.scale;
            int swin = win + (sackSeq - ackSeq);
            if (Integer.compareUnsigned(sender.maxwin, swin) < 0) sender.maxwin = swin;
            if (after(end, sender.end)) {
                sender.end = end;
                sender.flags |= TcpState.DATA_UNACKNOWLEDGED;
            }
            if (ack) {
                if ((sender.flags & TcpState.MAXACK_SET) == 0) {
                    sender.maxack = ackSeq;
                    sender.flags |= TcpState.MAXACK_SET;
                } else if (after(ackSeq, sender.maxack)) {
                    sender.maxack = ackSeq;
                }
            }
            if (receiver.maxwin != 0 && after(end, sender.maxend)) receiver.maxwin += end - sender.maxend;
            if (after(sackSeq + win, receiver.maxend - 1)) {
                receiver.maxend = sackSeq + win;
                if (win == 0) receiver.maxend++;
            }
            if (ackSeq == receiver.end) receiver.flags &= ~TcpState.DATA_UNACKNOWLEDGED;
            return true;
        }
        return (sender.flags & TcpState.BE_LIBERAL) != 0 || to.tcpBeLiberal;
    }
}
