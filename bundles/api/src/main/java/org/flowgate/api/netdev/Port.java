package org.flowgate.api.netdev;

import org.flowgate.api.net.MacAddress;
import org.flowgate.api.packet.Packet;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A source and sink of Ethernet frames: a Linux interface, a virtual wire, an emulated NIC port.
 * I/O bundles register ports as OSGi services (property {@value #NAME} = the device name); the
 * packet path attaches each one as a {@link NetDevice}.
 */
@ConsumerType
public interface Port {
    /** Service property holding the device name. */
    String NAME = "flowgate.port.name";

    String name();

    MacAddress mac();

    int mtu();

    /** Whether the link is up (carrier). */
    boolean isLinkUp();

    /**
     * Starts delivering received frames to {@code receiver}, on the port's own thread or on the
     * caller's thread of an injection. Frames are delivered in batches closed by
     * {@link PortReceiver#endOfBatch()}.
     */
    void start(PortReceiver receiver);

    /** Stops delivery; returns once no call to the receiver is in progress. */
    void stop();

    /**
     * Queues a frame for sending; the bytes are copied before return. Safe to call from any
     * thread. Frames may be held until {@link #flush()}.
     *
     * @return false when the frame could not be queued (ring full, link down)
     */
    boolean send(Packet p);

    /** Pushes queued frames to the wire. */
    void flush();
}
