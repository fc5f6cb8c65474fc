package org.flowgate.offload.manager.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.offload.EvictionReason;
import org.flowgate.offload.FlowBlock;
import org.flowgate.offload.OffloadCallback;
import org.flowgate.offload.OffloadDriver;
import org.flowgate.offload.OffloadException;

/**
 * One driver as the manager holds it: its flow blocks per table, whether it left, and a lock that
 * lets its removal wait for calls in progress (workers call under the read lock; removal takes the
 * write lock, so {@link FlowBlock#unbind()} never overlaps an add).
 */
final class Binding {
    final OffloadDriver driver;
    final String name;
    final ReentrantReadWriteLock calls = new ReentrantReadWriteLock();
    final AtomicInteger inHardware = new AtomicInteger();
    private final Map<FlowTable, Callback> blocks = new ConcurrentHashMap<>();
    volatile boolean gone;
    private final LongAdder[] counters = new LongAdder[PER_DRIVER.length];

    /** The manager counters that concern one driver, in {@code offload:stats} order. */
    static final Counter[] PER_DRIVER = { Counter.ADDED, Counter.DELETED, Counter.REFUSED_CAPACITY, Counter.REFUSED_UNSUPPORTED,
            Counter.REFUSED_DEVICE, Counter.REFUSED_FAILED, Counter.EVICTED_CAPACITY, Counter.EVICTED_AGED, Counter.EVICTED_RESET,
            Counter.EVICTED_DEVICE, Counter.EVICTED_OTHER, Counter.DRIVER_ERRORS, Counter.SLOW_CALLS, Counter.REFRESHES,
            Counter.STATS_PULLS, Counter.STATS_ERRORS };

    Binding(OffloadDriver driver) {
        this.driver = driver;
        String n;
        try {
            n = driver.name();
        } catch (RuntimeException e) {
            n = driver.getClass().getName();
        }
        this.name = n;
        for (int i = 0; i < counters.length; i++) counters[i] = new LongAdder();
    }

    void count(Counter c, long n) {
        for (int i = 0; i < PER_DRIVER.length; i++) {
            if (PER_DRIVER[i] == c) { counters[i].add(n); return; }
        }
    }

    /** {@code flows-in-hardware}, then {@link #PER_DRIVER} by label. */
    Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("flows-in-hardware", (long) inHardware.get());
        for (int i = 0; i < PER_DRIVER.length; i++) m.put(PER_DRIVER[i].label(), counters[i].sum());
        return m;
    }

    /**
     * The driver's block for a table, binding on first use (worker thread, under the read lock)
     * with a new {@link Callback} for the driver's eviction reports of that block.
     */
    FlowBlock block(FlowTable table, Callback.Reporter reporter) throws OffloadException {
        Callback cb = blocks.get(table);
        if (cb != null) return cb.block;
        synchronized (this) {
            cb = blocks.get(table);
            if (cb != null) return cb.block;
            cb = new Callback(this, table, reporter);
            FlowBlock b = driver.bind(table.spec(), cb);
            if (b == null) throw new OffloadException(OffloadException.Reason.DEVICE, name + " does not serve " + table);
            cb.block = b;
            blocks.put(table, cb);
            return b;
        }
    }

    /**
     * The {@link OffloadCallback} of one bound block. It only queues (never blocks, any thread);
     * once the block is unbound ({@link #retired}) its reports change nothing, so a late report of
     * an old block cannot touch a flow installed again through a new one.
     */
    static final class Callback implements OffloadCallback {
        /** Where the reports go: the manager queues them on the flow's worker. */
        interface Reporter {
            void evicted(Callback from, long cookie, EvictionReason reason);
        }

        final Binding binding;
        final FlowTable table;
        private final Reporter reporter;
        volatile FlowBlock block;
        volatile boolean retired;

        Callback(Binding binding, FlowTable table, Reporter reporter) {
            this.binding = binding;
            this.table = table;
            this.reporter = reporter;
        }

        @Override
        public void evicted(long cookie, EvictionReason reason) {
            reporter.evicted(this, cookie, reason == null ? EvictionReason.OTHER : reason);
        }

        @Override
        public String toString() { return "offload callback of " + binding.name + " for " + table; }
    }

    /** Whether both directions' devices are this driver's. */
    boolean serves(String in0, String out0, String in1, String out1) {
        try {
            return driver.canOffload(in0) && driver.canOffload(out0) && driver.canOffload(in1) && driver.canOffload(out1);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Whether the driver takes the ct-only rules of tc ct zone tables. */
    boolean ctZones() {
        try {
            return driver.offloadsCtZones();
        } catch (RuntimeException | AbstractMethodError e) {
            return false;
        }
    }

    List<FlowTable> tables() { return new ArrayList<>(blocks.keySet()); }

    /** Removes and returns the block of a table (gone, or the driver leaving); its callback retires. */
    FlowBlock forget(FlowTable table) {
        Callback cb = blocks.remove(table);
        if (cb == null) return null;
        cb.retired = true;
        return cb.block;
    }

    List<FlowBlock> forgetAll() {
        List<FlowBlock> l = new ArrayList<>();
        for (FlowTable t : tables()) {
            FlowBlock b = forget(t);
            if (b != null) l.add(b);
        }
        return l;
    }
}
