package org.flowgate.conntrack.core;

import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The incremental garbage collector (Linux's {@code gc_worker}): every interval it scans a slice
 * of the buckets, so the whole table is covered once per full-scan period without long pauses.
 */
public final class GcWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GcWorker.class);

    private final Conntrack ct;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long intervalNanos;
    private volatile long fullScanNanos;

    public GcWorker(Conntrack ct, long intervalMillis, long fullScanMillis) {
        this.ct = ct;
        configure(intervalMillis, fullScanMillis);
        thread = Thread.ofPlatform().name("conntrack-gc").daemon().unstarted(this::run);
    }

    public void configure(long intervalMillis, long fullScanMillis) {
        intervalNanos = Math.max(1, intervalMillis) * 1_000_000L;
        fullScanNanos = Math.max(intervalMillis, fullScanMillis) * 1_000_000L;
    }

    public GcWorker start() {
        thread.start();
        return this;
    }

    private void run() {
        int pos = 0;
        while (running) {
            LockSupport.parkNanos(intervalNanos);
            if (!running) break;
            try {
                int buckets = ct.table().bucketCount();
                long slices = Math.max(1, fullScanNanos / intervalNanos);
                int n = (int) Math.max(1, (buckets + slices - 1) / slices);
                pos = ct.gcStep(pos, n);
            } catch (RuntimeException e) {
                LOG.error("conntrack gc step failed", e);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
