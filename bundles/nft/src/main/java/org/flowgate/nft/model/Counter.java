package org.flowgate.nft.model;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** Packet and byte counts, updated by packet threads without locks or allocation. */
public final class Counter {
    private static final VarHandle PACKETS, BYTES;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PACKETS = l.findVarHandle(Counter.class, "packets", long.class);
            BYTES = l.findVarHandle(Counter.class, "bytes", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") private volatile long packets;
    @SuppressWarnings("unused") private volatile long bytes;

    public Counter() {}

    public Counter(long packets, long bytes) {
        this.packets = packets;
        this.bytes = bytes;
    }

    public void add(long length) {
        PACKETS.getAndAdd(this, 1L);
        BYTES.getAndAdd(this, length);
    }

    public long packets() { return packets; }

    public long bytes() { return bytes; }

    public void reset() {
        packets = 0;
        bytes = 0;
    }
}
