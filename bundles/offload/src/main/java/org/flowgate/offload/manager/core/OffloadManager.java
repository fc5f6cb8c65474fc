package org.flowgate.offload.manager.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.flowtable.FlowEntry.HwState;
import org.flowgate.api.flowtable.FlowPath;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.flowtable.FlowTableListener;
import org.flowgate.offload.EvictionReason;
import org.flowgate.offload.FlowBlock;
import org.flowgate.offload.FlowRule;
import org.flowgate.offload.FlowStats;
import org.flowgate.offload.OffloadDriver;
import org.flowgate.offload.OffloadException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the flows of offload flow tables into drivers, as Linux's {@code nf_flow_table_offload.c}:
 * flow table events become requests on a bounded work queue, sharded by flow over worker threads
 * (so one flow's add, stats and del stay ordered), taken in batches; drivers are called only from
 * those workers. A refused, failing or queue-full flow stays in software ({@code hw-refresh}) and is
 * offered again after the retry interval; so is a flow its driver reports it dropped on its own
 * ({@code OffloadCallback.evicted}). A periodic tick pulls hardware counters (refreshing the
 * flow's last-used time in its table), retries, and offers existing flows to a driver that arrived.
 * A driver that leaves gives its flows back to software: they never left the software table.
 * <p>
 * Without {@link #start()}, nothing runs by itself: {@link #drain()} and {@link #tick()} do the
 * workers' and the ticker's work on the caller's thread (tests).
 */
public final class OffloadManager implements FlowTableListener {
    private static final Logger LOG = LoggerFactory.getLogger(OffloadManager.class);

    private static final long UNBIND_WAIT_SECONDS = 10;

    private enum Op { ADD, STATS, DEL, EVICT }

    /** A request for a flow's worker; an eviction report also says which direction, why, and through which block. */
    private record Work(Op op, Offload o, int dir, EvictionReason reason, Binding.Callback from) {
        Work(Op op, Offload o) { this(op, o, -1, null, null); }
    }

    private final Map<FlowEntry, Offload> offloads = new ConcurrentHashMap<>();
    /** The same offloads by id (a rule's cookie is {@code 2 * id + direction + 1}), for eviction reports. */
    private final Map<Integer, Offload> byId = new ConcurrentHashMap<>();
    private final List<Binding> drivers = new CopyOnWriteArrayList<>();
    private final Set<FlowTable> seenTables = ConcurrentHashMap.newKeySet();
    /** Tables registered as {@code FlowTable} services (tc ct zones), subscribed to with {@link FlowTable#addListener}. */
    private final Set<FlowTable> serviceTables = ConcurrentHashMap.newKeySet();
    private final AtomicLong cookies = new AtomicLong();
    private final Binding.Callback.Reporter evictions = this::evicted;
    private final LongAdder[] counters = new LongAdder[Counter.values().length];
    private final LongSupplier clockMillis;
    private volatile Supplier<List<FlowTable>> tableSource;
    private volatile boolean resync;

    private volatile Settings settings;
    private Shard[] shards;
    private final AtomicInteger admitted = new AtomicInteger();
    private volatile boolean running;
    private Thread ticker;

    /** One worker's queue: adds and stats count against the bound, deletions never wait for room. */
    private final class Shard {
        final LinkedBlockingQueue<Work> queue = new LinkedBlockingQueue<>();
        final AtomicInteger busy = new AtomicInteger();
        Thread thread;
    }

    public OffloadManager(Settings settings) { this(settings, System::currentTimeMillis); }

    public OffloadManager(Settings settings, LongSupplier clockMillis) {
        this.settings = settings;
        this.clockMillis = clockMillis;
        for (int i = 0; i < counters.length; i++) counters[i] = new LongAdder();
        shards = newShards(settings.threads());
    }

    private Shard[] newShards(int n) {
        Shard[] s = new Shard[n];
        for (int i = 0; i < n; i++) s[i] = new Shard();
        return s;
    }

    /** Where the manager finds every flow table (the FlowTableService), to offer existing flows to a new driver. */
    public void setTableSource(Supplier<List<FlowTable>> source) {
        tableSource = source;
        resync = true;
    }

    public Settings settings() { return settings; }

    /** New settings; the number of threads changes on the next {@link #start()}. */
    public void update(Settings s) { settings = s; }

    // ---- life cycle ----

    public synchronized void start() {
        if (running) return;
        running = true;
        if (shards.length != settings.threads()) {
            Shard[] old = shards;
            shards = newShards(settings.threads());
            for (Shard s : old) for (Work w; (w = s.queue.poll()) != null; ) enqueueAgain(w);
        }
        for (int i = 0; i < shards.length; i++) {
            Shard s = shards[i];
            s.thread = Thread.ofPlatform().daemon().name("offload-" + i).start(() -> work(s));
        }
        ticker = Thread.ofPlatform().daemon().name("offload-tick").start(this::tickLoop);
    }

    private void enqueueAgain(Work w) {
        shards[w.o.shard % shards.length].queue.add(w);
    }

    /** Stops the threads; flows in hardware stay there until their drivers leave. */
    public synchronized void stop() throws InterruptedException {
        running = false;
        List<Thread> threads = new ArrayList<>();
        if (ticker != null) threads.add(ticker);
        for (Shard s : shards) if (s.thread != null) threads.add(s.thread);
        for (Thread t : threads) t.interrupt();
        for (Thread t : threads) t.join(5000);
        ticker = null;
        for (Shard s : shards) s.thread = null;
    }

    private void work(Shard s) {
        List<Work> batch = new ArrayList<>();
        while (running) {
            try {
                Work first = s.queue.take();
                s.busy.incrementAndGet();
                try {
                    batch.add(first);
                    s.queue.drainTo(batch, settings.batchSize() - 1);
                    process(batch);
                } finally {
                    batch.clear();
                    s.busy.decrementAndGet();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("offload worker failed", e);
            }
        }
    }

    private void tickLoop() {
        while (running) {
            try {
                Thread.sleep(settings.statsIntervalMillis());
                tick();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("offload tick failed", e);
            }
        }
    }

    /** Does every queued request on the caller's thread (when not started). */
    public void drain() {
        List<Work> batch = new ArrayList<>();
        boolean more = true;
        while (more) {
            more = false;
            for (Shard s : shards) {
                s.queue.drainTo(batch, settings.batchSize());
                if (!batch.isEmpty()) {
                    more = true;
                    process(batch);
                    batch.clear();
                }
            }
        }
    }

    /** Whether no request is queued or being processed. */
    public boolean idle() {
        for (Shard s : shards) if (!s.queue.isEmpty() || s.busy.get() != 0) return false;
        return true;
    }

    // ---- drivers ----

    /** A driver arrived: it gets new flows of its devices, and the existing ones at the next tick. */
    public void addDriver(OffloadDriver driver) {
        drivers.add(new Binding(driver));
        resync = true;
        LOG.info("offload driver {} added", name(driver));
    }

    /**
     * A driver leaves: waits for its calls in progress, gives its flows back to software and
     * unbinds its blocks (the driver removes what it still holds). Connections are not touched.
     */
    public void removeDriver(OffloadDriver driver) {
        Binding b = null;
        for (Binding x : drivers) if (x.driver == driver) b = x;
        if (b == null) return;
        b.gone = true;
        drivers.remove(b);
        boolean locked = lockForUnbind(b);
        if (!locked) LOG.warn("offload driver {} still busy after {} s: unbinding anyway", b.name, UNBIND_WAIT_SECONDS);
        int n = 0;
        try {
            for (Offload o : offloads.values()) {
                if (o.binding != b) continue;
                o.installed = false;
                backToSoftware(o);
                n++;
            }
            for (FlowBlock block : b.forgetAll()) {
                try {
                    block.unbind();
                } catch (RuntimeException e) {
                    LOG.warn("offload driver {} failed to unbind", b.name, e);
                }
            }
        } finally {
            if (locked) b.calls.writeLock().unlock();
        }
        b.inHardware.set(0);
        count(Counter.DRIVER_GONE, n);
        resync = true; // another driver may serve them
        LOG.info("offload driver {} removed: {} flows back to software", b.name, n);
    }

    /** Whether a driver is bound (added and not removed). */
    public boolean hasDriver(OffloadDriver driver) {
        for (Binding b : drivers) if (b.driver == driver) return true;
        return false;
    }

    private static String name(OffloadDriver d) {
        try {
            return d.name();
        } catch (RuntimeException e) {
            return d.toString();
        }
    }

    /**
     * Waits for the driver's calls in progress (write lock), but a driver stuck in a call must not
     * hang its own unbinding: false when the lock was not taken within {@link #UNBIND_WAIT_SECONDS}.
     */
    private static boolean lockForUnbind(Binding b) {
        try {
            return b.calls.writeLock().tryLock(UNBIND_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The flow leaves the manager; its hardware state says software again (or dead when it was dying). */
    private void backToSoftware(Offload o) {
        o.binding = null;
        forget(o);
        for (;;) {
            HwState s = o.flow.hwState();
            HwState to = s == HwState.DYING || s == HwState.DEAD || o.removed ? HwState.DEAD : HwState.SOFTWARE;
            if (s == to || o.flow.compareAndSetHwState(s, to)) return;
        }
    }

    // ---- tables registered as services (tc ct zone tables) ----

    /**
     * A flow table registered as a {@code FlowTable} service arrived (a tc ct zone's table): the
     * manager subscribes to its events and offers its existing flows at the next tick. A table
     * that does not take subscribers (its events come to {@code FlowTableListener} services) is
     * still known, for the existing flows and the vanished-table check.
     */
    public void addTable(FlowTable table) {
        serviceTables.add(table);
        try {
            table.addListener(this);
        } catch (RuntimeException e) {
            LOG.warn("cannot subscribe to {}", table, e);
        }
        resync = true;
        LOG.info("offload: flow table {} added", table);
    }

    /**
     * A table registered as a service left: unsubscribes, unbinds every driver's block of it (the
     * driver removes what it still holds) and gives its flows back to software.
     */
    public void removeTable(FlowTable table) {
        if (!serviceTables.remove(table)) return;
        try {
            table.removeListener(this);
        } catch (RuntimeException e) {
            LOG.debug("cannot unsubscribe from {}", table, e);
        }
        for (Binding b : drivers) {
            boolean locked = lockForUnbind(b);
            try {
                for (Offload o : offloads.values()) {
                    if (o.table != table || o.binding != b) continue;
                    if (o.installed) {
                        o.installed = false;
                        b.inHardware.decrementAndGet();
                    }
                    backToSoftware(o);
                }
                FlowBlock block = b.forget(table);
                if (block != null) block.unbind();
            } catch (RuntimeException e) {
                LOG.warn("offload driver {} failed to unbind {}", b.name, table, e);
            } finally {
                if (locked) b.calls.writeLock().unlock();
            }
        }
        for (Offload o : offloads.values()) if (o.table == table) backToSoftware(o); // queued, no driver yet
        seenTables.remove(table);
        LOG.info("offload: flow table {} removed", table);
    }

    // ---- flow table events (the flow table's worker: never block) ----

    @Override
    public void flowAdded(FlowTable table, FlowEntry flow) {
        if (!table.hardwareOffload()) return;
        if (ctZone(table) >= 0 && !serviceTables.contains(table)) return; // a late event of a zone table that left
        seenTables.add(table);
        if (offer(table, flow, false) == null) count(Counter.NO_DRIVER, 1);
    }

    @Override
    public void flowDying(FlowTable table, FlowEntry flow) {
        Offload o = offloads.get(flow);
        if (o == null) {
            flow.compareAndSetHwState(HwState.DYING, HwState.DEAD); // nothing of it in hardware
            return;
        }
        enqueueDelete(o);
    }

    @Override
    public void flowRemoved(FlowTable table, FlowEntry flow) {
        Offload o = offloads.get(flow);
        if (o == null) return;
        o.removed = true;
        enqueueDelete(o);
    }

    /**
     * Queues a flow for a driver; returns null when no driver serves its devices. A full queue
     * leaves it in software, to be retried.
     */
    private Offload offer(FlowTable table, FlowEntry flow, boolean retry) {
        HwState s = flow.hwState();
        if (s != HwState.SOFTWARE && s != HwState.HW_REFRESH) return offloads.get(flow);
        if (flow.tornDown()) return null;
        Binding b = pick(table, flow);
        if (b == null) return null;
        Offload o = offloads.computeIfAbsent(flow, f -> new Offload(table, f, (int) (cookies.getAndAdd(2) >>> 1)));
        byId.putIfAbsent(o.shard, o);
        if (!flow.compareAndSetHwState(s, HwState.PENDING)) return o;
        o.binding = b;
        if (retry) count(Counter.RETRIES, 1);
        if (!admit()) {
            count(Counter.QUEUE_FULL, 1);
            refresh(o);
            return o;
        }
        shards[o.shard % shards.length].queue.add(new Work(Op.ADD, o));
        return o;
    }

    private boolean admit() {
        for (;;) {
            int n = admitted.get();
            if (n >= settings.queueSize()) return false;
            if (admitted.compareAndSet(n, n + 1)) return true;
        }
    }

    private void enqueueDelete(Offload o) {
        shards[o.shard % shards.length].queue.add(new Work(Op.DEL, o));
    }

    /**
     * The driver for a flow: for a tc ct zone's table, the first that takes ct zones (its rules
     * have no devices); otherwise the first whose devices cover both directions.
     */
    private Binding pick(FlowTable table, FlowEntry flow) {
        if (drivers.isEmpty()) return null;
        if (ctZone(table) >= 0) {
            for (Binding b : drivers) if (!b.gone && b.ctZones()) return b;
            return null;
        }
        FlowPath p0 = flow.path(FlowEntry.ORIGINAL), p1 = flow.path(FlowEntry.REPLY);
        for (Binding b : drivers) {
            if (!b.gone && b.serves(p0.inDevice(), p0.outDevice(), p1.inDevice(), p1.outDevice())) return b;
        }
        return null;
    }

    /** Back to software until the retry time: hw-refresh. */
    private void refresh(Offload o) {
        o.retryAtMillis = clockMillis.getAsLong() + settings.retryIntervalMillis();
        o.flow.compareAndSetHwState(HwState.PENDING, HwState.HW_REFRESH);
    }

    // ---- the workers ----

    private void process(List<Work> batch) {
        count(Counter.BATCHES, 1);
        for (int i = 0; i < batch.size(); i++) {
            Work w = batch.get(i);
            if (w.op == Op.ADD || w.op == Op.STATS) admitted.decrementAndGet();
            try {
                switch (w.op) {
                    case ADD -> add(w.o);
                    case STATS -> stats(w.o);
                    case DEL -> del(w.o);
                    case EVICT -> evict(w);
                }
            } catch (RuntimeException e) {
                LOG.warn("offload {} of {} failed", w.op, w.o.flow, e);
            }
        }
    }

    private void add(Offload o) {
        Binding b = o.binding;
        if (o.removed || o.installed) return;
        if (b == null || b.gone) {
            if (o.binding == null && !o.removed && o.flow.hwState() == HwState.PENDING) backToSoftware(o);
            return;
        }
        if (o.flow.hwState() != HwState.PENDING) return; // dying before it got here: the del is queued behind
        b.calls.readLock().lock();
        try {
            if (b.gone) return; // removeDriver gave the flow back
            FlowBlock block = b.block(o.table, evictions);
            if (o.rules == null) o.rules = describe(o);
            call(b, block, o.rules[0]);
            if (b.gone) return; // left during the call: its unbind (after this returns) removes the rule
            try {
                call(b, block, o.rules[1]);
            } catch (OffloadException | RuntimeException e) {
                delQuietly(b, block, o.rules[0]);
                throw e;
            }
            o.block = block;
            o.hwPackets[0] = o.hwPackets[1] = o.hwBytes[0] = o.hwBytes[1] = 0; // the driver counts from this add
            o.installed = true;
            b.inHardware.incrementAndGet();
            count(b, Counter.ADDED, 2);
            if (!o.flow.compareAndSetHwState(HwState.PENDING, HwState.HW)) {
                LOG.debug("{} changed state while being added: {}", o.flow, o.flow.hwState());
            }
        } catch (OffloadException e) {
            count(b, refusal(e.reason()), 1);
            LOG.debug("offload driver {} refused {}: {}", b.name, o.flow, e.getMessage());
            refresh(o);
        } catch (RuntimeException e) {
            count(b, Counter.DRIVER_ERRORS, 1);
            LOG.warn("offload driver {} failed to add {}", b.name, o.flow, e);
            refresh(o);
        } finally {
            b.calls.readLock().unlock();
        }
    }

    private void call(Binding b, FlowBlock block, FlowRule r) throws OffloadException {
        long t0 = System.nanoTime();
        try {
            block.add(r);
        } finally {
            slow(b, "add", t0);
        }
    }

    private void slow(Binding b, String what, long t0) {
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        if (ms >= settings.slowCallMillis()) {
            count(b, Counter.SLOW_CALLS, 1);
            LOG.info("offload driver {}: {} took {} ms", b.name, what, ms);
        }
    }

    private static Counter refusal(OffloadException.Reason r) {
        return switch (r) {
            case CAPACITY -> Counter.REFUSED_CAPACITY;
            case UNSUPPORTED -> Counter.REFUSED_UNSUPPORTED;
            case DEVICE -> Counter.REFUSED_DEVICE;
            case FAILED -> Counter.REFUSED_FAILED;
        };
    }

    private void delQuietly(Binding b, FlowBlock block, FlowRule r) {
        long t0 = System.nanoTime();
        try {
            block.del(r);
        } catch (RuntimeException e) {
            count(b, Counter.DRIVER_ERRORS, 1);
            LOG.warn("offload driver {} failed to delete {}", b.name, r, e);
        } finally {
            slow(b, "del", t0);
        }
    }

    private void del(Offload o) {
        Binding b = o.binding;
        if (o.installed && b != null) {
            b.calls.readLock().lock();
            try {
                if (!b.gone && o.installed) {
                    delQuietly(b, o.block, o.rules[0]);
                    delQuietly(b, o.block, o.rules[1]);
                    o.installed = false;
                    b.inHardware.decrementAndGet();
                    count(b, Counter.DELETED, 2);
                }
            } finally {
                b.calls.readLock().unlock();
            }
        }
        // dying (the table waits for dead) or removed: the driver is done with it
        HwState s = o.flow.hwState();
        if (s == HwState.DYING || o.removed) {
            o.binding = null;
            forget(o);
            while (!o.flow.compareAndSetHwState(s, HwState.DEAD)) s = o.flow.hwState();
        }
    }

    // ---- the driver dropped rules on its own (OffloadCallback) ----

    /**
     * A driver's eviction report (any thread, possibly inside one of its add/del/stats calls): only
     * queued on the flow's worker, so it is handled in order with the flow's other requests and
     * never waits for a lock the reporting thread may hold. Like deletions, never refused for room.
     */
    private void evicted(Binding.Callback from, long cookie, EvictionReason reason) {
        long id = (cookie - 1) >>> 1;
        Offload o = cookie < 1 || id > Integer.MAX_VALUE ? null : byId.get((int) id);
        if (o == null) {
            LOG.debug("{}: eviction of unknown cookie {} ignored", from, cookie);
            return;
        }
        shards[o.shard % shards.length].queue.add(new Work(Op.EVICT, o, (int) ((cookie - 1) & 1), reason, from));
    }

    /**
     * The driver no longer holds one direction of a flow: its last counters are pulled, the other
     * direction is deleted from the driver, and the flow goes back to software as {@code hw-refresh},
     * offered again after the retry interval (Linux's {@code NF_FLOW_HW_REFRESH}). A report through
     * a block that was unbound since, or for a flow not installed through it (already deleted, given
     * back, refused), changes nothing. A dying flow stays dying: its queued deletion makes it dead.
     */
    private void evict(Work w) {
        Offload o = w.o;
        Binding b = w.from.binding;
        if (w.from.retired || o.binding != b || o.table != w.from.table || !o.installed) {
            LOG.debug("{}: stale eviction of {} ignored", w.from, o.flow);
            return;
        }
        stats(o); // what the surviving direction counted since the last pull
        b.calls.readLock().lock();
        try {
            if (b.gone || !o.installed) return; // removeDriver gave the flow back meanwhile
            o.installed = false;
            b.inHardware.decrementAndGet();
            delQuietly(b, o.block, o.rules[1 - w.dir]);
            count(b, eviction(w.reason), 1);
            LOG.debug("offload driver {} evicted {} ({})", b.name, o.flow, w.reason.label());
        } finally {
            b.calls.readLock().unlock();
        }
        o.retryAtMillis = clockMillis.getAsLong() + settings.retryIntervalMillis();
        o.flow.compareAndSetHwState(HwState.HW, HwState.HW_REFRESH);
    }

    private static Counter eviction(EvictionReason r) {
        return switch (r) {
            case CAPACITY -> Counter.EVICTED_CAPACITY;
            case AGED -> Counter.EVICTED_AGED;
            case RESET -> Counter.EVICTED_RESET;
            case DEVICE -> Counter.EVICTED_DEVICE;
            case OTHER -> Counter.EVICTED_OTHER;
        };
    }

    /** The flow leaves the manager's maps. */
    private void forget(Offload o) {
        offloads.remove(o.flow, o);
        byId.remove(o.shard, o);
    }

    private void stats(Offload o) {
        Binding b = o.binding;
        if (!o.installed || o.removed || b == null) return;
        b.calls.readLock().lock();
        try {
            if (b.gone || !o.installed) return;
            boolean used = false;
            for (int dir = 0; dir < 2; dir++) {
                long t0 = System.nanoTime();
                FlowStats s;
                try {
                    s = o.block.stats(o.rules[dir]);
                } catch (RuntimeException e) {
                    count(b, Counter.STATS_ERRORS, 1);
                    continue;
                } finally {
                    slow(b, "stats", t0);
                }
                count(b, Counter.STATS_PULLS, 1);
                if (s == null) continue;
                long dp = s.packets() - o.hwPackets[dir], db = s.bytes() - o.hwBytes[dir];
                if (dp <= 0) continue;
                o.hwPackets[dir] = s.packets();
                o.hwBytes[dir] = s.bytes();
                o.hwPacketsTotal += dp;
                o.hwBytesTotal += Math.max(0, db);
                o.table.hardwareUsed(o.flow, dir, dp, Math.max(0, db));
                used = true;
            }
            if (used) count(b, Counter.REFRESHES, 1);
        } finally {
            b.calls.readLock().unlock();
        }
    }

    private static int ctZone(FlowTable t) {
        try {
            return t.ctZone();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /**
     * Both directions as driver-neutral rules, with the connection's ct metadata (the seed's
     * {@code ct_metadata}: zone, mark, labels, established, direction, NAT mangles); the flows of
     * a tc ct zone's table become ct-only rules (no devices: the tc filters forward).
     */
    private FlowRule[] describe(Offload o) {
        long base = ((long) o.shard) << 1;
        FlowRule[] r = new FlowRule[2];
        ConnEntry ce = o.flow.conn();
        int zone = ce != null ? ce.zone() : 0, mark = ce != null ? ce.mark() : 0;
        long lHi = ce != null ? ce.labelsHi() : 0, lLo = ce != null ? ce.labelsLo() : 0;
        int ctZone = ctZone(o.table);
        for (int dir = 0; dir < 2; dir++) {
            FlowPath p = o.flow.path(dir);
            if (ctZone >= 0) {
                r[dir] = FlowRule.ctOnly(base + dir + 1, o.flow.id(), dir, p.match(), ctZone, mark, lHi, lLo, true, p.rewrite());
                continue;
            }
            r[dir] = new FlowRule(base + dir + 1, o.flow.id(), dir, p.inDevice(), p.inVlan(), p.match(), zone, mark, lHi, lLo,
                    true, p.rewrite(), p.srcMac(), p.dstMac(), true, p.outDevice(), p.outVlan(), p.mtu());
        }
        return r;
    }

    // ---- the tick: stats, retries, new drivers ----

    /** One round of the ticker: queue stats pulls, retry refused flows, offer flows to new drivers, drop vanished tables. */
    public void tick() {
        long now = clockMillis.getAsLong();
        // retries first: stats pulls must not take the room refused flows need
        for (Offload o : offloads.values()) {
            HwState s = o.flow.hwState();
            if (s == HwState.HW_REFRESH && !o.removed && now >= o.retryAtMillis) {
                Binding b = o.binding;
                if (b == null || b.gone) backToSoftware(o);
                else if (offer(o.table, o.flow, true) == null) o.retryAtMillis = now + settings.retryIntervalMillis(); // no driver serves it now
            } else if (s == HwState.DYING && !o.removed) {
                enqueueDelete(o); // a table that marks flows dying without telling listeners
            }
        }
        for (Offload o : offloads.values()) {
            if (o.flow.hwState() == HwState.HW && o.installed && admit()) shards[o.shard % shards.length].queue.add(new Work(Op.STATS, o));
        }
        List<FlowTable> tables = tables();
        if (resync) {
            resync = false;
            for (FlowTable t : tables) {
                if (!t.hardwareOffload()) continue;
                for (FlowEntry f : t.list()) {
                    if (f.hwState() == HwState.SOFTWARE && !offloads.containsKey(f)) offer(t, f, false);
                }
            }
        }
        if (tableSource != null) {
            Set<FlowTable> live = Set.copyOf(tables);
            seenTables.retainAll(live);
            for (Binding b : drivers) {
                for (FlowTable t : b.tables()) {
                    if (live.contains(t)) continue;
                    FlowBlock block = b.forget(t);
                    try {
                        if (block != null) block.unbind();
                    } catch (RuntimeException e) {
                        LOG.warn("offload driver {} failed to unbind {}", b.name, t, e);
                    }
                }
            }
        }
    }

    /** The source's tables (the nft flowtables) and the tables registered as services. */
    private List<FlowTable> tables() {
        Supplier<List<FlowTable>> src = tableSource;
        List<FlowTable> l = null;
        if (src != null) {
            try {
                l = new ArrayList<>(src.get());
            } catch (RuntimeException e) {
                LOG.debug("flow tables not available", e);
            }
        }
        if (l == null) l = new ArrayList<>(new LinkedHashSet<>(seenTables));
        for (FlowTable t : serviceTables) if (!l.contains(t)) l.add(t);
        return l;
    }

    // ---- what the commands show ----

    private void count(Counter c, long n) { counters[c.ordinal()].add(n); }

    /** Counts for the manager and for the driver. */
    private void count(Binding b, Counter c, long n) {
        counters[c.ordinal()].add(n);
        b.count(c, n);
    }

    public long counter(Counter c) { return counters[c.ordinal()].sum(); }

    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Counter c : Counter.values()) m.put(c.label(), counter(c));
        return m;
    }

    /**
     * Per bound driver (by name; a second driver of the same name as {@code name#2}): flows in
     * hardware, then its share of the manager counters that concern one driver.
     */
    public Map<String, Map<String, Long>> driverCounters() {
        Map<String, Map<String, Long>> m = new LinkedHashMap<>();
        for (Binding b : drivers) {
            String key = b.name;
            for (int i = 2; m.containsKey(key); i++) key = b.name + "#" + i;
            m.put(key, b.counters());
        }
        return m;
    }

    /** A driver as {@code offload:drivers} shows it. */
    public record DriverInfo(String name, Set<String> devices, List<String> tables, int flowsInHardware) {}

    public List<DriverInfo> drivers() {
        List<DriverInfo> l = new ArrayList<>();
        for (Binding b : drivers) {
            Set<String> devs;
            try {
                devs = Set.copyOf(b.driver.devices());
            } catch (RuntimeException e) {
                devs = Set.of();
            }
            List<String> t = new ArrayList<>();
            for (FlowTable ft : b.tables()) t.add(ft.toString());
            l.add(new DriverInfo(b.name, devs, t, b.inHardware.get()));
        }
        return l;
    }

    /** The queue as {@code offload:queue} shows it. */
    public record QueueInfo(int threads, int capacity, int admitted, List<Integer> perWorker) {}

    public QueueInfo queue() {
        List<Integer> per = new ArrayList<>();
        for (Shard s : shards) per.add(s.queue.size());
        return new QueueInfo(shards.length, settings.queueSize(), admitted.get(), per);
    }

    /** A flow the manager handles, with its hardware counters. */
    public record FlowInfo(String table, long flowId, String driver, HwState state, long hwPackets, long hwBytes) {}

    public List<FlowInfo> flows() {
        List<FlowInfo> l = new ArrayList<>();
        Collection<Offload> all = offloads.values();
        for (Offload o : all) {
            Binding b = o.binding;
            l.add(new FlowInfo(o.table.toString(), o.flow.id(), b == null ? "-" : b.name, o.flow.hwState(), o.hwPacketsTotal, o.hwBytesTotal));
        }
        l.sort((a, c) -> a.table.equals(c.table) ? Long.compare(a.flowId, c.flowId) : a.table.compareTo(c.table));
        return l;
    }

    /** Hardware counters of one flow, or null when the manager does not hold it. */
    public FlowInfo flow(FlowEntry f) {
        Offload o = offloads.get(f);
        if (o == null) return null;
        Binding b = o.binding;
        return new FlowInfo(o.table.toString(), f.id(), b == null ? "-" : b.name, f.hwState(), o.hwPacketsTotal, o.hwBytesTotal);
    }
}
