package org.flowgate.offload.manager.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.offload.FlowBlock;
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
    private final Map<FlowTable, FlowBlock> blocks = new ConcurrentHashMap<>();
    volatile boolean gone;

    Binding(OffloadDriver driver) {
        this.driver = driver;
        String n;
        try {
            n = driver.name();
        } catch (RuntimeException e) {
            n = driver.getClass().getName();
        }
        this.name = n;
    }

    /** The driver's block for a table, binding on first use (worker thread, under the read lock). */
    FlowBlock block(FlowTable table) throws OffloadException {
        FlowBlock b = blocks.get(table);
        if (b != null) return b;
        synchronized (this) {
            b = blocks.get(table);
            if (b != null) return b;
            b = driver.bind(table.spec());
            if (b == null) throw new OffloadException(OffloadException.Reason.DEVICE, name + " does not serve " + table);
            blocks.put(table, b);
            return b;
        }
    }

    /** Whether both directions' devices are this driver's. */
    boolean serves(String in0, String out0, String in1, String out1) {
        try {
            return driver.canOffload(in0) && driver.canOffload(out0) && driver.canOffload(in1) && driver.canOffload(out1);
        } catch (RuntimeException e) {
            return false;
        }
    }

    List<FlowTable> tables() { return new ArrayList<>(blocks.keySet()); }

    /** Removes and returns the block of a table that no longer exists. */
    FlowBlock forget(FlowTable table) { return blocks.remove(table); }

    List<FlowBlock> forgetAll() {
        List<FlowBlock> l = new ArrayList<>(blocks.values());
        blocks.clear();
        return l;
    }
}
