package org.flowgate.nft.model;

import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code limit rate}: the kernel's token bucket (nft_limit: up to {@code burst} units at once, then
 * {@code rate} per unit of time) kept as a "theoretical arrival time" (GCRA), one CAS per packet,
 * no allocation. {@code cost} is 1 per packet or the byte count in byte mode.
 */
public final class TokenBucket {
    private final long nanosPerUnit;
    private final long tolerance;
    private final AtomicLong tat = new AtomicLong(Long.MIN_VALUE);

    /**
     * @param ratePerSecond units (packets or bytes) per second, > 0
     * @param burst         units allowed at once; 0 means 5 packets (the kernel's default) or, for
     *                      bytes, no burst beyond one packet
     * @param bytes         whether units are bytes
     */
    public TokenBucket(double ratePerSecond, long burst, boolean bytes) {
        this.nanosPerUnit = Math.max(1L, (long) (1e9 / ratePerSecond));
        long b = burst == 0 && !bytes ? 5 : Math.max(0, burst);
        this.tolerance = nanosPerUnit * b;
    }

    /** True when {@code cost} units conform to the rate (and are charged). */
    public boolean take(long now, long cost) {
        long inc = nanosPerUnit * cost;
        while (true) {
            long t = tat.get();
            long base = t == Long.MIN_VALUE || t < now ? now : t;
            if (base + inc - now > Math.max(tolerance, inc)) return false;
            if (tat.compareAndSet(t, base + inc)) return true;
        }
    }
}
