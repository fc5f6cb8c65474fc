package org.flowgate.api.hook;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Per hook point counters of a routing instance, registered by the packet path as an OSGi
 * service with property {@code flowgate.instance}. Read by {@code router:stats}, JMX and the
 * metrics endpoint.
 *
 * @since 1.1
 */
@ProviderType
public interface HookStats {
    HookCounters counters(Hook point);
}
