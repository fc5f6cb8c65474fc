package org.flowgate.offload.manager.support;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.offload.EvictionReason;
import org.flowgate.offload.FlowBlock;
import org.flowgate.offload.FlowRule;
import org.flowgate.offload.FlowStats;
import org.flowgate.offload.OffloadCallback;
import org.flowgate.offload.OffloadDriver;
import org.flowgate.offload.OffloadException;

/** A driver whose behaviour each test scripts: capacity, refusals, exceptions, blocking adds, counters. */
public final class ScriptedDriver implements OffloadDriver, FlowBlock {
    public final String name;
    public final Set<String> devices;
    public final Map<Long, FlowRule> installed = new ConcurrentHashMap<>();
    public final Map<Long, FlowStats> counters = new ConcurrentHashMap<>();
    public final List<String> log = new CopyOnWriteArrayList<>();
    public volatile int capacity = Integer.MAX_VALUE;
    public volatile RuntimeException failWith;
    public volatile CountDownLatch entered, release;
    public volatile long sleepMillis;
    /** Whether the driver takes tc ct zone tables ({@link OffloadDriver#offloadsCtZones()}). */
    public volatile boolean ctZones;
    /** The callbacks the manager bound this driver with, oldest first. */
    public final List<OffloadCallback> callbacks = new CopyOnWriteArrayList<>();
    /** Devices the driver no longer serves (a port that left). */
    public volatile Set<String> lost = Set.of();
    /** Runs at the start of each add, before the rule is installed (e.g. to evict another rule from inside add). */
    public volatile Consumer<FlowRule> onAdd;
    public final AtomicInteger unbinds = new AtomicInteger(), binds = new AtomicInteger();

    public ScriptedDriver(String name, String... devices) {
        this.name = name;
        this.devices = Set.of(devices);
    }

    @Override public String name() { return name; }
    @Override public Set<String> devices() { return devices; }
    @Override public boolean offloadsCtZones() { return ctZones; }

    @Override
    public FlowBlock bind(FlowTableSpec table) {
        binds.incrementAndGet();
        return this;
    }

    @Override
    public FlowBlock bind(FlowTableSpec table, OffloadCallback callback) {
        callbacks.add(callback);
        return bind(table);
    }

    /** The installed rule of one direction (0 original, 1 reply) of a flow. */
    public FlowRule rule(long flowId, int direction) {
        return installed.values().stream()
                .filter(r -> r.flowId() == flowId && r.direction() == direction)
                .findFirst().orElseThrow(() -> new AssertionError("no rule " + flowId + "/" + direction + " in " + installed));
    }

    /** The cookie of {@link #rule(long, int)}. */
    public long cookie(long flowId, int direction) { return rule(flowId, direction).cookie(); }

    /** Drops a rule by itself, as hardware aging or a table shrink would, and reports it through the last bound callback. */
    public void evict(long cookie, EvictionReason reason) {
        log.add("evict " + cookie);
        installed.remove(cookie);
        callbacks.get(callbacks.size() - 1).evicted(cookie, reason);
    }

    @Override
    public boolean canOffload(String device) { return devices.contains(device) && !lost.contains(device); }

    @Override
    public void add(FlowRule rule) throws OffloadException {
        log.add("add " + rule.cookie());
        Consumer<FlowRule> hook = onAdd;
        if (hook != null) hook.accept(rule);
        CountDownLatch e = entered, r = release;
        if (e != null) e.countDown();
        try {
            if (r != null) r.await(10, TimeUnit.SECONDS);
            if (sleepMillis > 0) Thread.sleep(sleepMillis);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        RuntimeException f = failWith;
        if (f != null) throw f;
        if (installed.size() >= capacity) throw new OffloadException(OffloadException.Reason.CAPACITY, "full");
        installed.put(rule.cookie(), rule);
    }

    @Override
    public void del(FlowRule rule) {
        log.add("del " + rule.cookie());
        installed.remove(rule.cookie());
    }

    @Override
    public FlowStats stats(FlowRule rule) {
        if (!installed.containsKey(rule.cookie())) return null;
        return counters.getOrDefault(rule.cookie(), new FlowStats(0, 0, 0));
    }

    @Override
    public void unbind() {
        unbinds.incrementAndGet();
        installed.clear();
    }
}
