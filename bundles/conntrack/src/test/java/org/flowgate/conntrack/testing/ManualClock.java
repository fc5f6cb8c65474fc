package org.flowgate.conntrack.testing;

import org.flowgate.conntrack.table.CtClock;

/** A clock tests move by hand. */
public final class ManualClock implements CtClock {
    private volatile long now = 1_000_000_000_000L;

    @Override
    public long nanos() { return now; }

    public void advanceSeconds(double s) { now += (long) (s * 1e9); }
}
