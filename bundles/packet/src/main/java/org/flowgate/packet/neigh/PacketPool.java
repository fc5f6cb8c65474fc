package org.flowgate.packet.neigh;

import org.flowgate.api.packet.Packet;

/** A bounded pool of packet buffers for frames that must outlive the receive call. */
public final class PacketPool {
    private final Packet[] free;
    private final int max;
    private int freeCount;
    private int created;

    public PacketPool(int max) {
        this.max = max;
        this.free = new Packet[max];
    }

    /** A buffer, or null when {@code max} buffers are in use. */
    public synchronized Packet take() {
        if (freeCount > 0) {
            Packet p = free[--freeCount];
            free[freeCount] = null;
            return p;
        }
        if (created == max) return null;
        created++;
        return new Packet();
    }

    public synchronized void give(Packet p) {
        p.setConn(null);
        p.setInDevice(null);
        p.setOutDevice(null);
        free[freeCount++] = p;
    }

    public synchronized int inUse() { return created - freeCount; }
}
