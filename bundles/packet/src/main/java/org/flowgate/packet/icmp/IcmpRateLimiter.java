package org.flowgate.packet.icmp;

/**
 * A token bucket for ICMP errors, as Linux's global icmp_msgs_per_sec / icmp_msgs_burst:
 * {@code ratePerSecond} tokens per second, at most {@code burst} saved up. Only the error path
 * takes it, so a monitor is cheap enough.
 */
public final class IcmpRateLimiter {
    private final long ratePerSecond;
    private final long burst;
    private long tokensMicro;   // tokens * 1_000_000, to keep sub-token precision
    private long lastNanos;
    private boolean started;

    public IcmpRateLimiter(long ratePerSecond, long burst) {
        if (ratePerSecond < 0 || burst < 1) throw new IllegalArgumentException("ICMP rate must be >= 0 and burst >= 1");
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
    }

    /** Takes a token if one is available at {@code nowNanos}. A rate of 0 disables limiting. */
    public synchronized boolean allow(long nowNanos) {
        if (ratePerSecond == 0) return true;
        if (!started) { started = true; lastNanos = nowNanos; tokensMicro = burst * 1_000_000L; }
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            long add = elapsed >= 1_000_000_000L ? burst * 1_000_000L : elapsed * ratePerSecond / 1000;
            tokensMicro = Math.min(burst * 1_000_000L, tokensMicro + add);
            lastNanos = nowNanos;
        }
        if (tokensMicro < 1_000_000L) return false;
        tokensMicro -= 1_000_000L;
        return true;
    }
}
