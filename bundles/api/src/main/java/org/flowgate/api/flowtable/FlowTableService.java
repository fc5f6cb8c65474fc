package org.flowgate.api.flowtable;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** The flow tables of a routing instance. */
@ProviderType
public interface FlowTableService {
    /**
     * Makes the declared flow tables exist, as a ruleset load requires: tables no longer
     * declared are flushed and removed, existing ones keep their flows. Called by the ruleset
     * when it swaps in a new ruleset.
     */
    void configure(List<FlowTableSpec> specs);

    /** A table by its nft name, or null. */
    FlowTable table(String family, String table, String name);

    List<FlowTable> tables();
}
