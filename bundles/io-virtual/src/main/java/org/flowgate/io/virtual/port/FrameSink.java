package org.flowgate.io.virtual.port;

import org.flowgate.api.packet.Packet;

/** Whatever sits at the far end of a virtual wire: an emulated host, another port, a capture. */
@FunctionalInterface
public interface FrameSink {
    /**
     * One frame from the wire. The packet belongs to the caller and is valid only during the
     * call; the sink may parse it (its layout fields change) but keeps a copy if it needs more.
     */
    void accept(Packet frame);
}
