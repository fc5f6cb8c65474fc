package org.flowgate.testsupport.netns;

import java.util.function.BooleanSupplier;

/** Waiting for what a namespace test's router does on its own threads (flows offloaded, counters grown). */
public final class Await {
    private static final long POLL_MILLIS = 20;

    private Await() {}

    /** Whether {@code condition} came true within {@code millis} (checked every 20 ms, and once more at the end). */
    public static boolean until(BooleanSupplier condition, long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) return true;
            Thread.sleep(POLL_MILLIS);
        }
        return condition.getAsBoolean();
    }
}
