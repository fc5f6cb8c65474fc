package org.flowgate.itests;

import static org.junit.Assert.assertNotNull;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/** Waiting in a running framework, where components, configurations and packets arrive on their own threads. */
public final class Await {
    private static final long POLL_MILLIS = 20;

    private Await() {}

    /** Whether the condition came true within {@code timeoutMillis}. */
    public static boolean until(BooleanSupplier condition, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) return false;
            Thread.sleep(POLL_MILLIS);
        }
        return true;
    }

    /** Whether a readable counter (not negative) grew by {@code by} within {@code timeoutMillis}. */
    public static boolean grows(LongSupplier counter, long by, long timeoutMillis) throws InterruptedException {
        long start = counter.getAsLong();
        return until(() -> counter.getAsLong() >= start + by && start >= 0, timeoutMillis);
    }

    /** The service of {@code type} in routing instance {@code instance} ({@code flowgate.instance}); fails when none comes. */
    public static <T> T service(BundleContext context, Class<T> type, String instance, long timeoutMillis) throws Exception {
        ServiceTracker<T, T> t = new ServiceTracker<>(context,
                context.createFilter("(&(objectClass=" + type.getName() + ")(flowgate.instance=" + instance + "))"), null);
        t.open();
        try {
            T s = t.waitForService(timeoutMillis);
            assertNotNull(type.getSimpleName() + " of " + instance, s);
            return s;
        } finally {
            t.close();
        }
    }
}
