package org.flowgate.api.netdev;

import org.flowgate.api.packet.Packet;
import org.osgi.annotation.versioning.ProviderType;

/** Where a {@link Port} delivers received frames: the packet path. */
@ProviderType
public interface PortReceiver {
    /** One received frame; the packet is the port's buffer and is only valid during the call. */
    void receive(Packet p);

    /** Ends a batch: the receiver flushes what it queued for sending. */
    void endOfBatch();
}
