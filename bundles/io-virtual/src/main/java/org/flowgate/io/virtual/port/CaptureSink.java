package org.flowgate.io.virtual.port;

import java.util.ArrayList;
import java.util.List;

import org.flowgate.api.packet.Packet;

/** Records every frame that reaches it, for tests. Allocates per frame: not for benchmarks. */
public final class CaptureSink implements FrameSink {
    private final List<byte[]> frames = new ArrayList<>();

    @Override
    public synchronized void accept(Packet frame) {
        frames.add(frame.toByteArray());
    }

    /** A copy of the frames captured so far, oldest first. */
    public synchronized List<byte[]> frames() { return List.copyOf(frames); }

    public synchronized int size() { return frames.size(); }

    public synchronized void clear() { frames.clear(); }
}
