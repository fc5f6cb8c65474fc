package org.flowgate.flowtable.table;

/**
 * The flow table's notion of now, in nanoseconds. Read on every fast-path hit, so the production
 * clock is a coarse one ticked by the worker (as Linux's jiffies); tests inject a manual one.
 */
public interface FlowClock {
    long nanos();

    /** The exact time on the same scale, for callers off the packet path. */
    default long preciseNanos() { return nanos(); }

    /** A clock that only moves when {@link #tick()} is called: cheap to read on the packet path. */
    final class Coarse implements FlowClock {
        private volatile long now = System.nanoTime();

        @Override
        public long nanos() { return now; }

        @Override
        public long preciseNanos() { return System.nanoTime(); }

        public void tick() { now = System.nanoTime(); }
    }
}
