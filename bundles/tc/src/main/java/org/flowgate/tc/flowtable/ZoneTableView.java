package org.flowgate.tc.flowtable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.flowtable.FlowPath;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.flowtable.FlowTableListener;
import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.api.flowtable.FlowTableStats;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.tc.ct.CtFlowTables;
import org.flowgate.tc.ct.ZoneFlowTable;

/**
 * A ct zone's flow table seen as a {@link FlowTable}, so that {@code flow:list}, {@code flow:count},
 * {@code flow:stats}, {@code flow:delete} and {@code flow:flush} show and administer it next to
 * the nft flowtables. The table belongs to no device (act_ct's tables only restore ct state; the
 * filters forward), so the paths show device {@code *}. Listed as {@code tc ct zone N}.
 * <p>
 * For offload drivers, as act_ct's tables are offloadable: {@link #ctZone()} is the zone,
 * {@link #addListener} subscribes the offload manager to the zone's flows (added, dying, removed),
 * each flow is one {@link FlowEntry} object for its life with a hardware state, and
 * {@link #hardwareUsed} accounts what the driver forwarded.
 */
public final class ZoneTableView implements FlowTable, CtFlowTables.Events {
    private static final String ANY_DEVICE = "*";

    private final CtFlowTables tables;
    private final ZoneFlowTable table;
    private final FlowTableSpec spec;
    private final CopyOnWriteArrayList<FlowTableListener> listeners = new CopyOnWriteArrayList<>();

    public ZoneTableView(CtFlowTables tables, ZoneFlowTable table) {
        this.tables = tables;
        this.table = table;
        this.spec = new FlowTableSpec("tc", "ct", name(table.zone()), 0, Set.of(), true, true);
    }

    /** The name of zone {@code zone}'s table. */
    public static String name(int zone) { return "zone " + zone; }

    public int zone() { return table.zone(); }

    @Override public String name() { return spec.name(); }
    @Override public Set<String> devices() { return Set.of(); }
    @Override public boolean hardwareOffload() { return true; }
    @Override public int ctZone() { return table.zone(); }
    @Override public int count() { return table.count(); }
    @Override public FlowTableSpec spec() { return spec; }
    @Override public int flush() { return tables.flush(table); }

    /** The ct action offers connections itself; an nft {@code flow add} cannot target a zone table. */
    @Override public void offer(Packet p) {}

    @Override
    public List<FlowEntry> list() {
        List<FlowEntry> l = new ArrayList<>();
        for (ZoneFlowTable.Flow f : table.flows()) l.add(entry(f));
        return l;
    }

    @Override
    public boolean delete(FlowEntry flow) {
        for (ZoneFlowTable.Flow f : table.flows()) {
            if (f.id == flow.id()) return tables.delete(table, f);
        }
        return false;
    }

    @Override
    public FlowTableStats stats() {
        ZoneFlowTable.Counters c = table.counters();
        Map<String, Long> gc = new LinkedHashMap<>();
        gc.put("idle", c.evictIdle());
        gc.put("tcp-fin-rst", c.evictFinRst());
        gc.put("ct-dying", c.evictDying());
        gc.put("admin", c.evictAdmin());
        return new FlowTableStats(c.hits(), c.misses(), Map.of(), c.added(), c.removed(), gc);
    }

    @Override
    public void hardwareUsed(FlowEntry flow, int direction, long packets, long bytes) {
        if (flow instanceof Entry e) tables.hardwareUsed(e.f, direction, packets, bytes);
    }

    @Override
    public boolean addListener(FlowTableListener l) {
        synchronized (listeners) {
            if (listeners.addIfAbsent(l) && listeners.size() == 1) tables.addListener(this);
        }
        return true;
    }

    @Override
    public void removeListener(FlowTableListener l) {
        synchronized (listeners) {
            if (listeners.remove(l) && listeners.isEmpty()) tables.removeListener(this);
        }
    }

    // ---- the zone's events, from CtFlowTables' notifier thread ----

    @Override
    public void added(ZoneFlowTable t, ZoneFlowTable.Flow f) {
        if (t != table) return;
        FlowEntry e = entry(f);
        for (FlowTableListener l : listeners) l.flowAdded(this, e);
    }

    @Override
    public void dying(ZoneFlowTable t, ZoneFlowTable.Flow f) {
        if (t != table) return;
        FlowEntry e = entry(f);
        for (FlowTableListener l : listeners) l.flowDying(this, e);
    }

    @Override
    public void removed(ZoneFlowTable t, ZoneFlowTable.Flow f) {
        if (t != table) return;
        FlowEntry e = entry(f);
        for (FlowTableListener l : listeners) l.flowRemoved(this, e);
    }

    /** The one {@link FlowEntry} of a flow. */
    public static FlowEntry entry(ZoneFlowTable.Flow f) { return f.view(Entry::new); }

    @Override
    public String toString() { return "tc ct " + name(); }

    /** A flow of the zone as a {@link FlowEntry}: both tuples, NAT from the reply tuple, per-direction counters. */
    static final class Entry implements FlowEntry {
        private final ZoneFlowTable.Flow f;
        private final FlowPath[] paths;

        Entry(ZoneFlowTable.Flow f) {
            this.f = f;
            FiveTuple origAfterNat = new FiveTuple().setReverse(f.reply);
            FiveTuple replyAfterNat = new FiveTuple().setReverse(f.original);
            paths = new FlowPath[] {
                new FlowPath(f.original, origAfterNat, ANY_DEVICE, -1, ANY_DEVICE, -1, 0, 0, 0),
                new FlowPath(f.reply, replyAfterNat, ANY_DEVICE, -1, ANY_DEVICE, -1, 0, 0, 0) };
        }

        @Override public long id() { return f.id; }
        @Override public FiveTuple original() { return f.original; }
        @Override public FiveTuple reply() { return f.reply; }
        @Override public String inDevice() { return ANY_DEVICE; }
        @Override public String outDevice() { return ANY_DEVICE; }
        @Override public long packets() { return f.packets(); }
        @Override public long bytes() { return f.bytes(0) + f.bytes(1); }
        @Override public long lastUsedNanos() { return f.lastUsedNanos(); }
        @Override public FlowPath path(int direction) { return paths[direction]; }
        @Override public long packets(int direction) { return f.packets(direction); }
        @Override public long bytes(int direction) { return f.bytes(direction); }
        @Override public long createdNanos() { return f.createdNanos(); }
        @Override public ConnEntry conn() { return f.conn; }
        @Override public boolean tornDown() { return f.removed(); }
        @Override public HwState hwState() { return f.hwState(); }
        @Override public boolean compareAndSetHwState(HwState expect, HwState update) { return f.compareAndSetHwState(expect, update); }
        @Override public String toString() { return "zone " + f.conn.zone() + " flow " + f.id + " " + f.original; }
    }
}
