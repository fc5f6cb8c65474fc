package org.flowgate.tc.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.flowgate.api.hook.Verdict;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tc.CtFlow;
import org.flowgate.api.tc.TcException;
import org.flowgate.api.tc.TcFilter;
import org.flowgate.api.tc.TcService;
import org.flowgate.tc.action.Act;
import org.flowgate.tc.action.Devices;
import org.flowgate.tc.action.Drops;
import org.flowgate.tc.action.ExecContext;
import org.flowgate.tc.action.Trackers;
import org.flowgate.tc.classify.Block;
import org.flowgate.tc.classify.Classifier;
import org.flowgate.tc.classify.Filter;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.tc.ct.CtEngine;
import org.flowgate.tc.ct.CtFlowTables;
import org.flowgate.tc.ct.ZoneFlowTable;
import org.flowgate.tc.lang.FilterParser;

/**
 * The tc ingress classifier of one routing instance, without OSGi: the per-device blocks, their
 * administration and what happens to a packet at ingress. Changes are serialized and swap in a
 * new immutable {@link Block}; packet threads read the current one lock-free.
 */
public final class TcEngine implements TcService {
    /** The first automatic priority, as the kernel's {@code tcf_auto_prio}. */
    public static final int AUTO_PRIO = 0xC000;

    private final CtEngine ct;
    private final Devices devices;
    private final Trackers trackers = new Trackers();
    private final FilterParser parser;
    private final ConcurrentHashMap<String, Block> blocks = new ConcurrentHashMap<>();
    /** All filters by device, the source of truth blocks are built from (guarded by this). */
    private final Map<String, List<Filter>> filters = new HashMap<>();
    private final Map<String, List<Integer>> gotoTargets = new HashMap<>();
    private final Map<Filter, List<Integer>> filterGotos = new HashMap<>();
    private final Drops drops = new Drops();
    private final LongAdder classified = new LongAdder(), accepted = new LongAdder(), dropped = new LongAdder(),
            stolen = new LongAdder(), resumed = new LongAdder(), resumeMisses = new LongAdder();

    public TcEngine(CtEngine ct, Devices devices) {
        this.ct = ct;
        this.devices = devices;
        this.parser = new FilterParser(ct, devices, trackers);
    }

    public CtEngine ct() { return ct; }

    /** Conntrack as the actions reach it ({@code ct commit force}); set next to {@link CtEngine#setTracker}. */
    public Trackers trackers() { return trackers; }

    public Devices devices() { return devices; }

    // ---- packet path ----

    /** The ingress hook: classifies from chain 0 a packet of a device that has filters. */
    public Verdict process(Packet p) {
        NetDevice in = p.inDevice();
        if (in == null) return Verdict.ACCEPT;
        Block b = blocks.get(in.name());
        if (b == null) return Verdict.ACCEPT;
        return run(b, 0, p);
    }

    private Verdict run(Block b, int chain, Packet p) {
        ExecContext ctx = ExecContext.current();
        ctx.reset();
        classified.increment();
        int r = Classifier.classify(b, chain, p, ctx);
        ctx.tunnel.clear(); // tunnel metadata lives only while this packet is classified
        if (r == Act.SHOT) {
            drops.count(ctx.dropReason);
            dropped.increment();
            return Verdict.DROP;
        }
        if (r == Act.STOLEN) {
            stolen.increment();
            return Verdict.STOLEN;
        }
        accepted.increment();
        return Verdict.ACCEPT;
    }

    @Override
    public Verdict resume(Packet p, int chain) {
        NetDevice in = p.inDevice();
        Block b = in == null ? null : blocks.get(in.name());
        if (b == null) return Verdict.ACCEPT;
        if (!ct.restore(p)) resumeMisses.increment();
        resumed.increment();
        return run(b, chain, p);
    }

    // ---- administration ----

    @Override
    public synchronized TcFilter add(String command) throws TcException {
        FilterParser.Parsed f = parser.parseAdd(command);
        if (devices.get() != null && devices.byName(f.device()) == null)
            throw new TcException("Cannot find device", f.device(), -1);
        List<Filter> current = filters.getOrDefault(f.device(), List.of());
        int prio = f.prio();
        if (prio == 0) {
            int min = Integer.MAX_VALUE;
            for (Filter x : current) if (x.chain() == f.chain()) min = Math.min(min, x.prio());
            prio = min == Integer.MAX_VALUE ? AUTO_PRIO : min - 1;
            if (prio < 1) throw new TcException("no free priority left in chain " + f.chain(), null, -1);
        }
        for (Filter x : current) {
            if (x.chain() == f.chain() && x.prio() == prio && !x.protocolWord().equalsIgnoreCase(f.protocolWord()))
                throw new TcException("prio " + prio + " of chain " + f.chain() + " already holds protocol " + x.protocolWord()
                        + " filters", f.protocolWord(), -1);
            if (f.handle() != 0 && x.handle() == f.handle() && x.chain() == f.chain() && x.prio() == prio)
                throw new TcException("a filter with handle " + f.handle() + " exists", String.valueOf(f.handle()), -1);
        }
        int handle = f.handle();
        if (handle == 0) { // as flower's idr: the lowest free handle of the (chain, prio)
            handle = 1;
            for (boolean taken = true; taken; ) {
                taken = false;
                for (Filter x : current) {
                    if (x.chain() == f.chain() && x.prio() == prio && x.handle() == handle) { handle++; taken = true; break; }
                }
            }
        }
        Filter filter = new Filter(f.device(), f.chain(), prio, handle, f.protocolWord(), f.match(), f.matchText(), f.actions(), f.skipSw());
        List<Filter> next = new ArrayList<>(current);
        next.add(filter);
        filterGotos.put(filter, f.gotoChains());
        install(f.device(), next);
        return filter.info();
    }

    private void install(String device, List<Filter> list) {
        if (list.isEmpty()) {
            filters.remove(device);
            blocks.remove(device);
            gotoTargets.remove(device);
            return;
        }
        filters.put(device, list);
        List<Integer> gotos = new ArrayList<>();
        for (Filter x : list) gotos.addAll(filterGotos.getOrDefault(x, List.of()));
        gotoTargets.put(device, gotos);
        blocks.put(device, Block.of(list));
    }

    @Override
    public synchronized int delete(String device, int chain, int prio, int handle) {
        List<Filter> current = filters.get(device);
        if (current == null) return 0;
        List<Filter> keep = new ArrayList<>();
        int n = 0;
        for (Filter x : current) {
            boolean hit = (chain < 0 || x.chain() == chain) && (prio < 0 || x.prio() == prio) && (handle < 0 || x.handle() == handle);
            if (hit) { n++; filterGotos.remove(x); } else keep.add(x);
        }
        if (n > 0) install(device, keep);
        return n;
    }

    @Override
    public synchronized List<TcFilter> filters(String device) {
        List<Filter> all = new ArrayList<>();
        if (device != null) all.addAll(filters.getOrDefault(device, List.of()));
        else for (List<Filter> l : filters.values()) all.addAll(l);
        all.sort(java.util.Comparator.comparing(Filter::device).thenComparingInt(Filter::chain).thenComparingInt(Filter::prio)
                .thenComparingInt(Filter::handle));
        List<TcFilter> out = new ArrayList<>(all.size());
        for (Filter x : all) out.add(x.info());
        return out;
    }

    @Override
    public synchronized List<Integer> chains(String device) {
        TreeSet<Integer> s = new TreeSet<>();
        for (Filter x : filters.getOrDefault(device, List.of())) s.add(x.chain());
        s.addAll(gotoTargets.getOrDefault(device, List.of()));
        return new ArrayList<>(s);
    }

    @Override
    public List<CtFlow> ctFlows() {
        List<CtFlow> out = new ArrayList<>();
        CtFlowTables ft = ct.flowTables();
        if (ft == null) return out;
        long now = ft.now();
        for (ZoneFlowTable t : ft.tables()) {
            for (ZoneFlowTable.Flow f : t.flows()) {
                FiveTuple rewrite = new FiveTuple().setReverse(f.reply);
                out.add(new CtFlow(t.zone(), f.original, f.reply, rewrite, f.conn.mark(), f.conn.labelsHi(), f.conn.labelsLo(),
                        f.packets(), Math.max(0, (now - f.lastUsedNanos()) / 1_000_000)));
            }
        }
        return out;
    }

    public synchronized List<String> devicesWithFilters() { return new ArrayList<>(new TreeSet<>(filters.keySet())); }

    @Override
    public Map<String, Long> stats() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("classified", classified.sum());
        m.put("accepted", accepted.sum());
        m.put("dropped", dropped.sum());
        m.put("stolen", stolen.sum());
        m.put("resumed", resumed.sum());
        m.put("resume_ct_miss", resumeMisses.sum());
        CtFlowTables ft = ct.flowTables();
        if (ft != null) {
            m.put("ct_flow_hits", ft.hits());
            m.put("ct_flows_added", ft.added());
            m.put("ct_flows_removed", ft.removed());
        }
        for (Map.Entry<String, Long> e : drops.snapshot().entrySet()) m.put("drop_" + e.getKey().replace('-', '_'), e.getValue());
        return m;
    }
}
