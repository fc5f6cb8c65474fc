package org.flowgate.tc.action;

/**
 * Per-thread state of one packet's trip through the classifier: the tunnel key a
 * {@code tunnel_key set} attached (Linux keeps it as the skb's metadata dst, read by the vxlan
 * device on transmit) and what went wrong. One instance per thread, reset for every packet.
 */
public final class ExecContext {
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

    public void reset() {
        tunnel.clear();
        dropReason = -1;
    }

    public int drop(int reason) {
        dropReason = reason;
        return Act.SHOT;
    }
}
