package org.flowgate.offload;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Counters of the offload manager of a routing instance, registered by it as an OSGi service
 * (property {@code flowgate.instance}); read by {@code router:stats}, JMX and the metrics endpoint.
 *
 * @since 1.1
 */
@ProviderType
public interface OffloadStats {
    /** Manager counters in a stable order: flows added, deleted, refused by reason, driver errors, queue full, ... */
    Map<String, Long> counters();

    /** Per driver name, its counters: flows in hardware, adds, deletes, refusals, errors, ... */
    Map<String, Map<String, Long>> driverCounters();
}
