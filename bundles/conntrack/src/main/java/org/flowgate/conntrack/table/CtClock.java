package org.flowgate.conntrack.table;

/** A monotonic nanosecond clock; tests replace it to move time without sleeping. */
@FunctionalInterface
public interface CtClock {
    CtClock SYSTEM = System::nanoTime;

    long nanos();
}
