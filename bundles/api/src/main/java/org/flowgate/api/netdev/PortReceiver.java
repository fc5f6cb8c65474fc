package org.flowgate.api.netdev;

import org.flowgate.api.packet.Packet;
import org.osgi.annotation.versioning.ProviderType;

/** Where a {@link Port} delivers received frames: the packet path. */
@ProviderType
public interface PortReceiver {
    /** One received frame; the packet is the port's buffer and is only valid during the call. */
    void receive(Packet p);

    /**
     * Several frames received together, in order (a block of a ring): {@code frames[0..count)},
     * each a buffer of the port, valid only during the call. The receiver may look at all of them
     * before it processes the first (the packet path lets the ingress hooks load what the batch
     * will need, so their memory accesses overlap), with the same outcome for every frame as
     * {@link #receive(Packet)} one by one. The default does exactly that.
     *
     * @since 1.5
     */
    default void receive(Packet[] frames, int count) {
        for (int i = 0; i < count; i++) receive(frames[i]);
    }

    /** Ends a batch: the receiver flushes what it queued for sending. */
    void endOfBatch();
}
