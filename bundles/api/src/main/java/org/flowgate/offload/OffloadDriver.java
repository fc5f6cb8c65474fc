package org.flowgate.offload;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * What a NIC vendor implements to take flows off the software path. Register as an OSGi
 * service; calls come from the offload work queue, never from the packet path.
 */
@ConsumerType
public interface OffloadDriver {
    String name();

    /** Whether flows entering or leaving this device can be offloaded. */
    boolean canOffload(String device);

    /** Installs a flow; throws {@link OffloadException} when refused (capacity, unsupported). */
    void add(FlowRule rule) throws OffloadException;

    void del(FlowRule rule);

    FlowStats stats(FlowRule rule);
}
