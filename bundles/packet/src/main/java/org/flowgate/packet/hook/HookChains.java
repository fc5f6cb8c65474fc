package org.flowgate.packet.hook;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.HookCounters;
import org.flowgate.api.hook.HookStats;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.packet.Packet;
import org.flowgate.packet.stats.LaneCounters;
import org.flowgate.packet.stats.Lanes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registered {@link PacketHook}s, one copy-on-write array per {@link Hook} sorted by priority
 * (lower first; equal priorities in registration order). Running a chain reads one volatile
 * array and loops: no lock, no iterator, no allocation. A hook that throws is counted and its
 * packet dropped; the path goes on. Each point counts the packets that ran its chain and how
 * they left it ({@link HookStats}) in per-thread {@link Lanes lanes}: plain stores on port threads.
 */
public final class HookChains implements HookStats {
    /** Run results. */
    public static final int ACCEPT = 0, DROP = 1, STOLEN = 2;

    private static final Logger LOG = LoggerFactory.getLogger(HookChains.class);
    private static final int MAX_LOGGED_FAILURES = 20;

    private record Registration(PacketHook hook, int priority, long order) {}

    private static final Registration[] NONE = new Registration[0];
    /** Release/acquire access to the per-point arrays: packet threads see a fully built array. */
    private static final VarHandle HOOKS = MethodHandles.arrayElementVarHandle(PacketHook[][].class);

    private final Registration[][] chains = new Registration[Hook.values().length][];
    private final PacketHook[][] hooks = new PacketHook[Hook.values().length][];
    /** Per point, the hooks that override {@link PacketHook#prefetch}, in chain order. */
    private final PacketHook[][] prefetchers = new PacketHook[Hook.values().length][];
    private final AtomicLong order = new AtomicLong();
    private final LongAdder failures = new LongAdder();
    private final AtomicLong logged = new AtomicLong();
    /** Per point: how packets left its chain; the packets that ran it are their sum (one store per run). */
    private static final int ACCEPTED = 0, DROPPED = 1, STOLEN_ = 2, ERRORS = 3, KINDS = 4;
    /** Counter {@code point * KINDS + kind}. */
    private final LaneCounters counts = new LaneCounters(Hook.values().length * KINDS);

    public HookChains() {
        for (int i = 0; i < chains.length; i++) { chains[i] = NONE; hooks[i] = new PacketHook[0]; prefetchers[i] = new PacketHook[0]; }
    }

    /** Runs the hooks of one point. Returns {@link #ACCEPT}, {@link #DROP} or {@link #STOLEN}. */
    public int run(Hook point, Packet p) {
        int pt = point.ordinal();
        PacketHook[] hs = volatileRead(pt);
        if (hs.length == 0) return ACCEPT;
        int c = pt * KINDS; // counted once the chain has decided: a packet that ran it is one outcome
        for (int i = 0; i < hs.length; i++) {
            Verdict v;
            try {
                v = hs[i].process(point, p);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable t) {
                counts.add2(Lanes.current(), c + DROPPED, 1, c + ERRORS, 1);
                failed(hs[i], point, t, "packet dropped");
                return DROP;
            }
            if (v == Verdict.ACCEPT) continue;
            if (v == Verdict.STOLEN) { counts.increment(Lanes.current(), c + STOLEN_); return STOLEN; }
            counts.increment(Lanes.current(), c + DROPPED); // a null verdict drops too
            return DROP;
        }
        counts.increment(Lanes.current(), c + ACCEPTED);
        return ACCEPT;
    }

    /**
     * Lets the hooks of a point that prefetch load what a coming packet will need
     * ({@link PacketHook#prefetch}); returns the sum of what they returned. A hook that throws
     * here is counted as a failure and skipped: the packet itself is decided by {@link #run}.
     */
    public long prefetch(Hook point, Packet p) {
        PacketHook[] hs = (PacketHook[]) HOOKS.getAcquire(prefetchers, point.ordinal());
        long sum = 0;
        for (int i = 0; i < hs.length; i++) {
            try {
                sum += hs[i].prefetch(point, p);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable t) {
                failed(hs[i], point, t, "in prefetch; the packet goes on");
            }
        }
        return sum;
    }

    /** Whether a hook of a point wants to prefetch now ({@link PacketHook#prefetches}): a batch is worth staging. */
    public boolean prefetches(Hook point) {
        PacketHook[] hs = (PacketHook[]) HOOKS.getAcquire(prefetchers, point.ordinal());
        for (int i = 0; i < hs.length; i++) if (hs[i].prefetches()) return true;
        return false;
    }

    /** Whether a hook's class overrides {@link PacketHook#prefetch} (lambdas and most hooks do not): the ones asked at all. */
    static boolean prefetches(PacketHook h) {
        try {
            return h.getClass().getMethod("prefetch", Hook.class, Packet.class).getDeclaringClass() != PacketHook.class;
        } catch (NoSuchMethodException | SecurityException e) {
            return false;
        }
    }

    @Override
    public HookCounters counters(Hook point) {
        int c = point.ordinal() * KINDS;
        long accepted = counts.sum(c + ACCEPTED), dropped = counts.sum(c + DROPPED), stolen = counts.sum(c + STOLEN_);
        return new HookCounters(accepted + dropped + stolen, accepted, dropped, stolen, counts.sum(c + ERRORS));
    }

    /** Whether any hook is registered at a point (lets the path skip work). */
    public boolean isEmpty(Hook point) { return volatileRead(point.ordinal()).length == 0; }

    public synchronized void add(PacketHook hook, int priority, Hook... points) {
        long o = order.incrementAndGet();
        for (Hook h : points) {
            List<Registration> l = new ArrayList<>(Arrays.asList(chains[h.ordinal()]));
            l.add(new Registration(hook, priority, o));
            l.sort(Comparator.comparingInt(Registration::priority).thenComparingLong(Registration::order));
            publish(h.ordinal(), l.toArray(NONE));
        }
    }

    /** Removes a hook from every point. */
    public synchronized void remove(PacketHook hook) {
        for (int i = 0; i < chains.length; i++) {
            List<Registration> l = new ArrayList<>(Arrays.asList(chains[i]));
            if (l.removeIf(r -> r.hook == hook)) publish(i, l.toArray(NONE));
        }
    }

    /** Adds or replaces a hook from its service properties ({@value PacketHook#HOOK}, {@value PacketHook#PRIORITY}). */
    public synchronized void addService(PacketHook hook, Map<String, ?> props) {
        remove(hook);
        Hook[] points = points(props.get(PacketHook.HOOK));
        if (points.length == 0) {
            LOG.warn("packet hook {} has no valid {} property; ignored", hook, PacketHook.HOOK);
            return;
        }
        add(hook, priority(props.get(PacketHook.PRIORITY)), points);
    }

    public long failures() { return failures.sum(); }

    /** The hooks of one point in the order they run (for shells and tests). */
    public List<PacketHook> list(Hook point) { return List.of(volatileRead(point.ordinal())); }

    static Hook[] points(Object v) {
        List<Hook> l = new ArrayList<>();
        if (v instanceof String s) {
            for (String part : s.split(",")) addPoint(l, part);
        } else if (v instanceof String[] a) {
            for (String part : a) addPoint(l, part);
        } else if (v instanceof Iterable<?> it) {
            for (Object part : it) addPoint(l, String.valueOf(part));
        }
        return l.toArray(new Hook[0]);
    }

    private static void addPoint(List<Hook> l, String s) {
        if (s == null || s.isBlank()) return;
        try {
            Hook h = Hook.parse(s);
            if (!l.contains(h)) l.add(h);
        } catch (IllegalArgumentException e) {
            LOG.warn("unknown hook point '{}'", s);
        }
    }

    static int priority(Object v) {
        if (v instanceof Number n) return n.intValue();
        if (v instanceof String s && !s.isBlank()) {
            try { return Integer.parseInt(s.trim()); } catch (NumberFormatException e) { LOG.warn("bad hook priority '{}'", s); }
        }
        return PacketHook.PRIORITY_FILTER;
    }

    private void publish(int i, Registration[] regs) {
        PacketHook[] hs = new PacketHook[regs.length];
        for (int k = 0; k < regs.length; k++) hs[k] = regs[k].hook;
        chains[i] = regs;
        HOOKS.setRelease(prefetchers, i, Arrays.stream(hs).filter(HookChains::prefetches).toArray(PacketHook[]::new));
        HOOKS.setRelease(hooks, i, hs);
    }

    private PacketHook[] volatileRead(int i) {
        return (PacketHook[]) HOOKS.getAcquire(hooks, i);
    }

    private void failed(PacketHook h, Hook point, Throwable t, String outcome) {
        failures.increment();
        if (logged.incrementAndGet() <= MAX_LOGGED_FAILURES) LOG.warn("packet hook {} threw at {}; {}", h, point.label(), outcome, t);
    }
}
