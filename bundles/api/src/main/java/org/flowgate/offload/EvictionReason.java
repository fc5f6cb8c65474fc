package org.flowgate.offload;

import java.util.Locale;

/**
 * Why a driver dropped flow rules on its own ({@link OffloadCallback#evicted}), for the manager's
 * counters ({@code offload:stats}, {@code evicted-<label>}).
 *
 * @since 1.3
 */
public enum EvictionReason {
    /** The hardware table shrank, or the driver reclaimed entries to make room for others. */
    CAPACITY,
    /** The hardware aged the entry out (its own idle timer). */
    AGED,
    /** The table was flushed (firmware or device reset, driver reload). */
    RESET,
    /** A device of the rule left the driver (port removed or released). */
    DEVICE,
    /** Anything else. */
    OTHER;

    /** Lower case, as counters show it. */
    public String label() { return name().toLowerCase(Locale.ROOT); }
}
