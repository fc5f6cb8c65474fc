package org.flowgate.api.netdev;

import org.flowgate.api.packet.Packet;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Sends packets the router itself generates (ICMP errors and TCP resets of {@code reject}, for
 * instance) the way Linux sends locally generated packets: routing, then the OUTPUT and
 * POSTROUTING hooks, then neighbour resolution. Provided by the packet path as an OSGi service.
 */
@ProviderType
public interface LocalOutput {
    /**
     * @param p an Ethernet frame holding an IPv4 or IPv6 packet, parsed; its MAC addresses are
     *          rewritten by the path. The frame is copied before return (the caller reuses it).
     * @return false when it was dropped (no route, hook drop, queue full) and counted
     */
    boolean send(Packet p);
}
