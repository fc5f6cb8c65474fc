package org.flowgate.api.netdev;

import java.util.List;

import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.packet.DropReason;
import org.flowgate.api.packet.Packet;
import org.osgi.annotation.versioning.ProviderType;

/** A router interface: a port attached to the packet path, with its addresses and counters. */
@ProviderType
public interface NetDevice {
    String name();

    /** Router-local interface index, stable while the device exists; never 0. */
    int ifIndex();

    MacAddress mac();

    /** MAC as a primitive, for the hot path. */
    long macBits();

    int mtu();

    boolean isUp();

    /** Addresses with their prefix length, IPv4 and IPv6 (including the IPv6 link-local one). */
    List<IpPrefix> addresses();

    /**
     * Sends a complete frame out of this device now, bypassing routing and hooks (used by the
     * flow table fast path and the neighbour code). The frame is copied; returns false when it was
     * dropped (link down, ring full) and counted.
     */
    boolean transmit(Packet p);

    /**
     * Delivers a frame as if this device had received it from its wire ({@code netif_receive_skb},
     * as tc's {@code mirred ingress} uses it): rx counters, taps, the INGRESS hooks (tc included)
     * and the rest of the receive path run now, on the calling thread; any frames this sends are
     * flushed by the caller's end of batch. The packet's metadata (conntrack, mark) is kept, its
     * layout re-parsed; it may be rewritten and must not be used by the caller afterwards. Its
     * {@link Packet#pktType()}, when decided (by the device that received it first), is kept too,
     * as Linux keeps {@code skb->pkt_type}: a frame addressed to the first device's MAC is
     * {@code PACKET_HOST} here, one that was {@code PACKET_OTHERHOST} stays so; a packet with
     * {@code pktType() == -1} is classified against this device's addresses.
     *
     * @return false when the device cannot receive (not attached to a packet path)
     * @since 1.3
     */
    default boolean receive(Packet p) { return false; }

    /** Counts a drop of a packet received on or destined to this device. */
    void drop(DropReason reason);

    DeviceCounters counters();
}
