package org.flowgate.tc.action;

import org.flowgate.api.packet.Packet;

/**
 * Per-thread state of one packet's trip through the classifier: the tunnel key a
 * {@code tunnel_key set} attached (Linux keeps it as the skb's metadata dst, read by the vxlan
 * device on transmit) and what went wrong. One instance per thread, reset for every packet.
 *
 * <p>A {@code mirred ingress} action classifies another packet on the same thread before its own
 * packet is done: it {@link #save saves} this state, counts the nesting as Linux's
 * {@code mirred_nest_level} and {@link #restore restores} the state afterwards.
 */
public final class ExecContext {
    /** Linux's {@code MIRRED_NEST_LIMIT}: a mirred action nested deeper drops the packet. */
    public static final int MIRRED_NEST_LIMIT = 4;

    private static final ThreadLocal<ExecContext> CURRENT = ThreadLocal.withInitial(ExecContext::new);

    /** The context of the calling thread. */
    public static ExecContext current() { return CURRENT.get(); }

    public final TunnelKey tunnel = new TunnelKey();
    /**
     * The tunnel a packet arrived through (set by the vxlan device while it delivers a
     * decapsulated frame, cleared after), which flower's {@code enc_*} keys match.
     */
    public final TunnelKey rx = new TunnelKey();
    /** Why the last {@link Act#SHOT} happened (a {@link Drops} index), -1 none. */
    public int dropReason = -1;
    /** Mirred actions running on this thread now (not reset per packet: it spans nested packets). */
    private int mirredNest;
    private final TunnelKey[] savedTunnel = new TunnelKey[MIRRED_NEST_LIMIT + 1], savedRx = new TunnelKey[MIRRED_NEST_LIMIT + 1];
    private final int[] savedDrop = new int[MIRRED_NEST_LIMIT + 1];
    /** Buffers for mirrored copies, one per nesting level, made on first use. */
    private final Packet[] copies = new Packet[MIRRED_NEST_LIMIT + 1];

    public void reset() {
        tunnel.clear();
        dropReason = -1;
    }

    public int drop(int reason) {
        dropReason = reason;
        return Act.SHOT;
    }

    /** Enters a mirred action; returns its nesting level (1 for the outermost), which may exceed the limit. */
    public int enterMirred() { return ++mirredNest; }

    /** Leaves the mirred action {@link #enterMirred} entered. */
    public void leaveMirred() { mirredNest--; }

    public int mirredNest() { return mirredNest; }

    /** Saves this packet's state before another packet is classified at nesting {@code level} (1..limit). */
    public void save(int level) {
        if (savedTunnel[level] == null) {
            savedTunnel[level] = new TunnelKey();
            savedRx[level] = new TunnelKey();
        }
        savedTunnel[level].copyFrom(tunnel);
        savedRx[level].copyFrom(rx);
        savedDrop[level] = dropReason;
    }

    /** Restores what {@link #save} saved at {@code level}. */
    public void restore(int level) {
        tunnel.copyFrom(savedTunnel[level]);
        rx.copyFrom(savedRx[level]);
        dropReason = savedDrop[level];
    }

    /** A copy of {@code p} (frame, layout, metadata) in the buffer of nesting {@code level}; null when it does not fit. */
    public Packet copy(int level, Packet p) {
        Packet c = copies[level];
        if (c == null) copies[level] = c = new Packet();
        if (p.length() > c.maxFrame()) return null;
        c.copyFrom(p);
        return c;
    }
}
