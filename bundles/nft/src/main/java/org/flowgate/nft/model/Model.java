package org.flowgate.nft.model;

import java.util.LinkedHashMap;
import java.util.Map;

/** The whole ruleset as configured; copied for a transaction, then swapped. */
public final class Model {
    public final Map<String, Table> tables = new LinkedHashMap<>();
    public long tableHandles;

    public Model copy() {
        Model m = new Model();
        tables.forEach((k, v) -> m.tables.put(k, v.copy()));
        m.tableHandles = tableHandles;
        return m;
    }

    public Table table(String family, String name) { return tables.get(family + " " + name); }
}
