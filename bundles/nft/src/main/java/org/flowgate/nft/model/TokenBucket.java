package org.flowgate.nft.model;

import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code limit rate}: a token bucket kept as a "theoretical arrival time" (GCRA), one CAS per
 * packet, no allocation. {@code cost} is 1 per packet or the byte count in byte mode.
 */
public final class TokenBucket {
    private final long nanosPerUnit;
    private final long tolerance;
    private final AtomicLong tat = new AtomicLong(Long.MIN_VALUE);

    /**
     * @param ratePerSecond units (packets or bytes) per second, > 0
     * @param burst         units allowed at once beyond the rate
     */
    public TokenBucket(double ratePerSecond, long burst) {
        this.nanosPerUnit = Math.max(1L, (long) (1e9 / ratePerSecond));
        this.tolerance = nanosPerUnit * Math.max(0, burst);
    }

    /** True when {@code cost} units conform to the rate (and are charged). */
    public boolean take(long now, long cost) {
        long inc = nanosPerUnit * cost;
        while (true) {
            long t = tat.get();
            long base = t == Long.MIN_VALUE || t < now ? now : t;
            if (base - now > tolerance) return false;
            if (tat.compareAndSet(t, base + inc)) return true;
        }
    }
}
