package org.flowgate.packet.neigh;

import org.flowgate.api.packet.Packet;
import org.flowgate.packet.device.Device;

/** What the neighbour table asks of the packet path. */
public interface NeighbourIo {
    /**
     * Sends an ARP request or a neighbour solicitation for the address; {@code unicastMac} is the
     * MAC to probe directly (re-confirming a stale entry), or -1 for broadcast / solicited-node
     * multicast.
     */
    void solicit(Device dev, int family, long hi, long lo, long unicastMac);

    /** A packet that waited for resolution can go now: rewrite MACs and transmit. */
    void sendResolved(Device dev, Packet p, long mac);

    /** Resolution failed for a packet that waited (the drop is already counted): ICMP host unreachable. */
    void unreachable(Device dev, Packet p);
}
