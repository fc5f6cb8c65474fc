package org.flowgate.driver.emulated.driver;

import java.util.concurrent.atomic.AtomicLong;

import org.flowgate.offload.OffloadException;

/** Insert latency and failure injection of the emulated firmware, changeable at any time. */
public final class Faults {
    public enum Mode { REFUSE, THROW }

    private volatile long insertLatencyMillis;
    private volatile int failEvery;
    private volatile Mode mode = Mode.REFUSE;
    private final AtomicLong inserts = new AtomicLong(), injected = new AtomicLong();

    public void set(long insertLatencyMillis, int failEvery, Mode mode) {
        this.insertLatencyMillis = Math.max(0, insertLatencyMillis);
        this.failEvery = Math.max(0, failEvery);
        this.mode = mode;
    }

    /** Before each insert: waits the latency, then fails every {@code failEvery}-th insert (0 = never). */
    void beforeInsert() throws OffloadException {
        long ms = insertLatencyMillis;
        if (ms > 0) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OffloadException(OffloadException.Reason.FAILED, "interrupted");
            }
        }
        long n = inserts.incrementAndGet();
        int every = failEvery;
        if (every > 0 && n % every == 0) {
            injected.incrementAndGet();
            if (mode == Mode.THROW) throw new IllegalStateException("injected firmware error (insert " + n + ")");
            throw new OffloadException(OffloadException.Reason.FAILED, "injected failure (insert " + n + ")");
        }
    }

    public long inserts() { return inserts.get(); }

    public long injected() { return injected.get(); }
}
