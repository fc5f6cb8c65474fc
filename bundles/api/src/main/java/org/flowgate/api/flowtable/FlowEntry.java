package org.flowgate.api.flowtable;

import org.flowgate.api.tuple.FiveTuple;
import org.osgi.annotation.versioning.ProviderType;

/** An offloaded connection in a flow table. */
@ProviderType
public interface FlowEntry {
    FiveTuple original();

    FiveTuple reply();

    String inDevice();

    String outDevice();

    long packets();

    long bytes();

    long lastUsedNanos();
}
