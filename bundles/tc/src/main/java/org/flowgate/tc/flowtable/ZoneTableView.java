package org.flowgate.tc.flowtable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.flowtable.FlowPath;
import org.flowgate.api.flowtable.FlowTable;
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
 */
public final class ZoneTableView implements FlowTable {
    private static final String ANY_DEVICE = "*";

    private final CtFlowTables tables;
    private final ZoneFlowTable table;
    private final FlowTableSpec spec;

    public ZoneTableView(CtFlowTables tables, ZoneFlowTable table) {
        this.tables = tables;
        this.table = table;
        this.spec = new FlowTableSpec("tc", "ct", name(table.zone()), 0, Set.of(), false, true);
    }

    /** The name of zone {@code zone}'s table. */
    public static String name(int zone) { return "zone " + zone; }

    public int zone() { return table.zone(); }

    @Override public String name() { return spec.name(); }
    @Override public Set<String> devices() { return Set.of(); }
    @Override public boolean hardwareOffload() { return false; }
    @Override public int count() { return table.count(); }
    @Override public FlowTableSpec spec() { return spec; }
    @Override public int flush() { return tables.flush(table); }

    /** The ct action offers connections itself; an nft {@code flow add} cannot target a zone table. */
    @Override public void offer(Packet p) {}

    @Override
    public List<FlowEntry> list() {
        List<FlowEntry> l = new ArrayList<>();
        for (ZoneFlowTable.Flow f : table.flows()) l.add(new Entry(f));
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
        @Override public HwState hwState() { return HwState.SOFTWARE; }
        @Override public boolean compareAndSetHwState(HwState expect, HwState update) { return false; }
    }
}
