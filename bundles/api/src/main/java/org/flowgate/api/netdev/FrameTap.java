package org.flowgate.api.netdev;

import org.flowgate.api.packet.Packet;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Sees the frames a device receives and transmits, for packet captures ({@code router:capture}).
 * Register as an OSGi service only while capturing; with property {@value #DEVICE} it sees only
 * that device's frames, without it every device's.
 *
 * <p>What the packet path does (the contract a capture relies on): it tracks the registered taps
 * per device (a volatile array, empty when none, so an idle tap costs one volatile read per frame)
 * and calls {@link #frame} with {@code transmit == false} for every frame a port delivers,
 * before parsing, exactly as received; and with {@code transmit == true} for every frame a
 * device hands to its port, after the port accepted it. Calls come from packet threads, several
 * at once: a tap copies what it needs and returns at once; it must not block, and what it
 * throws is caught and ignored by the path.
 *
 * @since 1.2
 */
@ConsumerType
public interface FrameTap {
    /** Optional service property: the name of the one device this tap sees. */
    String DEVICE = "flowgate.tap.device";

    /**
     * @param device   the device the frame was received on or is sent from
     * @param transmit false for a received frame, true for a transmitted one
     * @param p        the frame ({@link Packet#start()} .. {@link Packet#end()}), valid only during the call
     */
    void frame(NetDevice device, boolean transmit, Packet p);
}
