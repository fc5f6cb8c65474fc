package org.flowgate.io.virtual.host;

import static org.flowgate.io.virtual.frame.Frames.*;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;

/**
 * The TCP of an {@link EmulatedHost}: enough of RFC 9293 for traffic a router and a connection
 * tracker see as real. Passive side: any port accepts a SYN (MSS and window scale options),
 * data in order is counted and acknowledged every second segment (out of order: a duplicate
 * ACK at once), a FIN is answered with FIN-ACK, a segment of no connection gets a RST. Active
 * side: SYN, data within the peer's window and MSS, go-back-N on three duplicate ACKs or a
 * stall, FIN. No TIME_WAIT: nothing arrives late on a virtual wire.
 */
final class TcpStack {
    /** Advertised window, scaled by {@link EmulatedHost#WINDOW_SCALE}. */
    private static final int WINDOW = 65535;
    private static final long STALL_NANOS = 200_000_000L;

    private final EmulatedHost host;
    private final TcpTable table = new TcpTable();

    // counters, guarded by the host's receive lock
    long data, dataBytes, control, outOfOrder, resets, unhandled;

    TcpStack(EmulatedHost host) { this.host = host; }

    // ---- active side: the traffic source's connections ----

    TcpConnection connect(IpAddress dst, int srcPort, int dstPort) {
        TcpConnection c = new TcpConnection(dst.family(), dst.hi(), dst.lo(), srcPort, dstPort,
                TcpConnection.State.SYN_SENT, ThreadLocalRandom.current().nextInt());
        synchronized (c) { c.sndNxt = c.iss + 1; }
        table.put(c);
        synchronized (host.originLock) {
            build(host.origin, c, c.iss, 0, TCP_SYN, 0, 0);
            host.transmit(host.origin);
        }
        return c;
    }

    void retransmitSyn(TcpConnection c) {
        synchronized (c) {
            if (c.state != TcpConnection.State.SYN_SENT) return;
            c.retransmits++;
        }
        synchronized (host.originLock) {
            build(host.origin, c, c.iss, 0, TCP_SYN, 0, 0);
            host.transmit(host.origin);
        }
    }

    int send(TcpConnection c, Packet f, int payloadLength, long tag) {
        int seq, ack, n;
        synchronized (c) {
            if (c.state != TcpConnection.State.ESTABLISHED) return 0;
            n = Math.max(1, Math.min(payloadLength, c.peerMss));
            long now = System.nanoTime();
            // a delayed ACK may legitimately hold back one segment: only more than two unacknowledged is a stall
            long unacked = (c.sndNxt - c.sndUna) & 0xFFFF_FFFFL;
            if (unacked > 2L * c.lastSegmentLength && now - c.lastProgressNanos > STALL_NANOS) {
                c.sndNxt = c.sndUna;
                c.retransmits++;
                c.lastProgressNanos = now;
            }
            if (((c.sndNxt - c.sndUna) & 0xFFFF_FFFFL) + n > c.peerWindow) return 0;
            seq = c.sndNxt;
            ack = c.rcvNxt;
            c.sndNxt += n;
            c.lastSegmentLength = n;
            if (seq == c.sndUna) c.lastProgressNanos = now; // the stall clock starts with the first unacknowledged byte
        }
        build(f, c, seq, ack, TCP_ACK | TCP_PSH, n, tag);
        if (host.transmit(f)) return n;
        synchronized (c) { // the port refused it (ring full): take the bytes back unless others followed
            if (c.sndNxt == seq + n) c.sndNxt = seq;
        }
        return -1;
    }

    void close(TcpConnection c) {
        int seq, ack;
        synchronized (c) {
            if (c.state == TcpConnection.State.SYN_SENT) {
                c.state = TcpConnection.State.CLOSED;
                table.remove(c);
                return;
            }
            if (c.state != TcpConnection.State.ESTABLISHED) return;
            seq = c.sndNxt;
            ack = c.rcvNxt;
            c.sndNxt += 1;
            c.state = TcpConnection.State.FIN_WAIT_1;
        }
        synchronized (host.originLock) {
            build(host.origin, c, seq, ack, TCP_FIN | TCP_ACK, 0, 0);
            host.transmit(host.origin);
        }
    }

    List<TcpConnection> connections() { return table.list(); }

    // ---- receiving: both sides, under the host's receive lock ----

    /** One TCP segment for this host, checksum already verified. */
    void receive(Packet p) {
        int family = p.ipVersion();
        int l4 = p.l4();
        int sport = p.srcPort(), dport = p.dstPort();
        int seq = p.u32(l4 + 4), ack = p.u32(l4 + 8);
        int doff = (p.u8(l4 + 12) >>> 4) * 4;
        int flags = p.tcpFlags();
        int window = p.u16(l4 + 14);
        int payload = p.l3End() - l4 - doff;
        long rh = p.srcHi(), rl = p.srcLo();
        TcpConnection c = table.find(family, rh, rl, sport, dport);
        if (c == null) {
            if ((flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN) {
                c = new TcpConnection(family, rh, rl, dport, sport, TcpConnection.State.SYN_RCVD, ThreadLocalRandom.current().nextInt());
                synchronized (c) {
                    readSynOptions(p, l4, doff, c);
                    c.peerWindow = window; // never scaled in a SYN (RFC 7323 2.2)
                    c.rcvNxt = seq + 1;
                    c.sndNxt = c.iss + 1;
                    table.put(c);
                    control++;
                    replyTcp(c, c.iss, c.rcvNxt, TCP_SYN | TCP_ACK);
                }
            } else if ((flags & TCP_RST) == 0) {
                resets++;
                resetFor(p, seq, ack, flags, payload);
            }
            return;
        }
        synchronized (c) {
            onSegment(p, c, seq, ack, flags, window, payload, l4, doff);
        }
    }

    private void onSegment(Packet p, TcpConnection c, int seq, int ack, int flags, int window, int payload, int l4, int doff) {
        if ((flags & TCP_RST) != 0) {
            resets++;
            c.state = TcpConnection.State.CLOSED;
            table.remove(c);
            return;
        }
        switch (c.state) {
            case SYN_SENT -> {
                control++;
                if ((flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK) && ack == c.iss + 1) {
                    readSynOptions(p, l4, doff, c);
                    c.rcvNxt = seq + 1;
                    c.sndUna = ack;
                    c.peerWindow = (long) window; // the SYN-ACK's window is not scaled either
                    c.state = TcpConnection.State.ESTABLISHED;
                    c.lastProgressNanos = System.nanoTime();
                    replyTcp(c, c.sndNxt, c.rcvNxt, TCP_ACK);
                } else {
                    unhandled++;
                }
                return;
            }
            case SYN_RCVD -> {
                if ((flags & TCP_SYN) != 0 && seq + 1 == c.rcvNxt) { // our SYN-ACK was lost: again
                    control++;
                    replyTcp(c, c.iss, c.rcvNxt, TCP_SYN | TCP_ACK);
                    return;
                }
                if ((flags & TCP_ACK) == 0 || ack != c.sndNxt) { unhandled++; return; }
                c.state = TcpConnection.State.ESTABLISHED;
                c.sndUna = ack;
            }
            case CLOSED -> { unhandled++; return; }
            default -> { }
        }
        if ((flags & TCP_ACK) != 0) {
            c.peerWindow = (long) window << c.peerWindowScale;
            if (TcpConnection.after(ack, c.sndUna) && !TcpConnection.after(ack, c.sndNxt)) {
                c.sndUna = ack;
                c.duplicateAcks = 0;
                c.lastProgressNanos = System.nanoTime();
            } else if (ack == c.sndUna && payload == 0 && c.sndNxt != c.sndUna && (flags & TCP_FIN) == 0) {
                if (++c.duplicateAcks == 3) { // go back to the first unacknowledged byte
                    c.sndNxt = c.sndUna;
                    c.retransmits++;
                    c.duplicateAcks = 0;
                }
            }
        }
        boolean ackNow = false;
        boolean inOrder = seq == c.rcvNxt;
        if (payload > 0) {
            if (inOrder) {
                c.rcvNxt += payload;
                data++;
                dataBytes += p.ipLength();
                host.flows.count(p.ipVersion(), Packet.PROTO_TCP, p.srcHi(), p.srcLo(), p.dstHi(), p.dstLo(), p.srcPort(), p.dstPort(), p.ipLength());
                if (++c.segmentsSinceAck >= 2) ackNow = true; // delayed ACK: every second segment
            } else {
                outOfOrder++;
                ackNow = true; // duplicate ACK tells the sender where we are
            }
        } else {
            control++;
        }
        if ((flags & TCP_FIN) != 0 && inOrder) {
            c.rcvNxt += 1;
            c.segmentsSinceAck = 0;
            switch (c.state) {
                case ESTABLISHED -> {
                    c.state = TcpConnection.State.LAST_ACK;
                    int finSeq = c.sndNxt;
                    c.sndNxt += 1;
                    replyTcp(c, finSeq, c.rcvNxt, TCP_FIN | TCP_ACK);
                }
                case FIN_WAIT_1, FIN_WAIT_2 -> {
                    replyTcp(c, c.sndNxt, c.rcvNxt, TCP_ACK);
                    c.state = TcpConnection.State.CLOSED; // no TIME_WAIT: nothing can arrive late here
                    table.remove(c);
                }
                default -> replyTcp(c, c.sndNxt, c.rcvNxt, TCP_ACK);
            }
            return;
        }
        if (c.state == TcpConnection.State.LAST_ACK && ack == c.sndNxt) {
            c.state = TcpConnection.State.CLOSED;
            table.remove(c);
            return;
        }
        if (c.state == TcpConnection.State.FIN_WAIT_1 && ack == c.sndNxt) c.state = TcpConnection.State.FIN_WAIT_2;
        if (ackNow) {
            c.segmentsSinceAck = 0;
            replyTcp(c, c.sndNxt, c.rcvNxt, TCP_ACK);
        }
    }

    private static void readSynOptions(Packet p, int l4, int doff, TcpConnection c) {
        int end = l4 + doff;
        c.peerWindowScale = 0;
        for (int o = l4 + TCP_HLEN; o < end; ) {
            int kind = p.u8(o);
            if (kind == 0) break;
            if (kind == 1) { o++; continue; }
            if (o + 1 >= end) break;
            int len = p.u8(o + 1);
            if (len < 2 || o + len > end) break;
            if (kind == 2 && len == 4) c.peerMss = p.u16(o + 2);
            if (kind == 3 && len == 3) c.peerWindowScale = Math.min(14, p.u8(o + 2));
            o += len;
        }
    }

    private void replyTcp(TcpConnection c, int seq, int ack, int flags) {
        build(host.reply, c, seq, ack, flags, 0, 0);
        host.transmit(host.reply);
    }

    /** RST for a segment of no connection (RFC 9293 3.10.7.1). */
    private void resetFor(Packet p, int seq, int ack, int flags, int payload) {
        TcpConnection c = new TcpConnection(p.ipVersion(), p.srcHi(), p.srcLo(), p.dstPort(), p.srcPort(), TcpConnection.State.CLOSED, 0);
        if ((flags & TCP_ACK) != 0) build(host.reply, c, ack, 0, TCP_RST, 0, 0);
        else build(host.reply, c, 0, seq + payload + ((flags & TCP_SYN) != 0 ? 1 : 0) + ((flags & TCP_FIN) != 0 ? 1 : 0), TCP_RST | TCP_ACK, 0, 0);
        host.transmit(host.reply);
    }

    private void build(Packet f, TcpConnection c, int seq, int ack, int flags, int payloadLength, long tag) {
        boolean syn = (flags & TCP_SYN) != 0;
        int opts = syn ? TCP_SYN_OPTIONS : 0;
        int hl = c.family == 4 ? IPV4_HLEN : IPV6_HLEN;
        int l4len = TCP_HLEN + opts + payloadLength;
        int frame = Packet.ETH_HLEN + hl + l4len;
        f.reset(Math.max(frame, ETH_MIN_FRAME));
        byte[] b = f.array();
        int s = f.start();
        int l3 = ethernet(b, s, 0, host.mac, c.family == 4 ? Packet.ETHERTYPE_IPV4 : Packet.ETHERTYPE_IPV6);
        int l4 = host.ipHeader(b, l3, c.family, hl + l4len, Packet.PROTO_TCP, c.remoteHi, c.remoteLo);
        int p = tcp(b, l4, c.localPort, c.remotePort, seq, (flags & TCP_ACK) != 0 ? ack : 0, flags, WINDOW, opts);
        if (syn) p = tcpSynOptions(b, p, host.mssFor(c.family), EmulatedHost.WINDOW_SCALE);
        EmulatedHost.payload(b, p, payloadLength, tag);
        transportChecksum(b, l3, l4, l4len, Packet.PROTO_TCP);
        EmulatedHost.pad(f, frame);
    }
}
