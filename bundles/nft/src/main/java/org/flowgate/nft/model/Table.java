package org.flowgate.nft.model;

import java.util.LinkedHashMap;
import java.util.Map;

/** A table of family ip, ip6 or inet, with its chains, sets, flow tables and named counters. */
public final class Table {
    public final String family;
    public final String name;
    public final long handle;
    public final Map<String, Chain> chains;
    public final Map<String, SetDef> sets;
    public final Map<String, FlowtableDef> flowtables;
    public final Map<String, Counter> counters;
    public String comment;
    private long nextHandle;

    public Table(String family, String name, long handle) {
        this.family = family;
        this.name = name;
        this.handle = handle;
        this.chains = new LinkedHashMap<>();
        this.sets = new LinkedHashMap<>();
        this.flowtables = new LinkedHashMap<>();
        this.counters = new LinkedHashMap<>();
        this.nextHandle = 1;
    }

    private Table(Table o) {
        family = o.family; name = o.name; handle = o.handle; comment = o.comment; nextHandle = o.nextHandle;
        chains = new LinkedHashMap<>();
        o.chains.forEach((k, v) -> chains.put(k, v.copy()));
        sets = new LinkedHashMap<>();
        o.sets.forEach((k, v) -> sets.put(k, v.copy()));
        flowtables = new LinkedHashMap<>();
        o.flowtables.forEach((k, v) -> flowtables.put(k, v.copy()));
        counters = new LinkedHashMap<>(o.counters);
    }

    /** Handles are unique within a table, as in nftables. */
    public long newHandle() { return nextHandle++; }

    public Table copy() { return new Table(this); }

    public String key() { return family + " " + name; }
}
