package org.flowgate.conntrack.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Conntrack counters, named as {@code conntrack -S} names them where Linux has one. */
public final class Stats {
    public final LongAdder found = new LongAdder();
    public final LongAdder invalid = new LongAdder();
    public final LongAdder ignore = new LongAdder();
    public final LongAdder insert = new LongAdder();
    public final LongAdder insertFailed = new LongAdder();
    public final LongAdder drop = new LongAdder();
    public final LongAdder earlyDrop = new LongAdder();
    public final LongAdder error = new LongAdder();
    public final LongAdder searchRestart = new LongAdder();
    public final LongAdder clashResolve = new LongAdder();
    public final LongAdder created = new LongAdder();
    public final LongAdder related = new LongAdder();
    public final LongAdder untracked = new LongAdder();
    public final LongAdder natExhausted = new LongAdder();
    public final LongAdder natError = new LongAdder();

    Map<String, Long> toMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("found", found.sum());
        m.put("invalid", invalid.sum());
        m.put("ignore", ignore.sum());
        m.put("insert", insert.sum());
        m.put("insert_failed", insertFailed.sum());
        m.put("drop", drop.sum());
        m.put("early_drop", earlyDrop.sum());
        m.put("error", error.sum());
        m.put("search_restart", searchRestart.sum());
        m.put("clash_resolve", clashResolve.sum());
        m.put("new", created.sum());
        m.put("related", related.sum());
        m.put("untracked", untracked.sum());
        m.put("nat_exhausted", natExhausted.sum());
        m.put("nat_error", natError.sum());
        return m;
    }
}
