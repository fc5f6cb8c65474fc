package org.flowgate.api.flowtable;

import java.util.Set;

/**
 * A flow table as an nft {@code flowtable} object declares it:
 * {@code flowtable ft { hook ingress priority 0; devices = { a, b }; flags offload; counter; }}.
 */
public record FlowTableSpec(String family, String table, String name, int priority, Set<String> devices,
        boolean hardwareOffload, boolean counter) {
    public FlowTableSpec {
        devices = Set.copyOf(devices);
    }
}
