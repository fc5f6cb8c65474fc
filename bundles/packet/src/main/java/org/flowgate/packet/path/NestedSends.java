package org.flowgate.packet.path;

import org.flowgate.api.packet.Packet;

/**
 * One thread's {@code LocalOutput} sends made from inside a running send (a tunnel device
 * sending its outer packet while the inner one is being sent), kept in order until the running
 * send returns. At most {@code limit} per outermost send, as Linux's
 * {@code XMIT_RECURSION_LIMIT}: each one takes the next slot and no slot is used twice before
 * {@link #reset}, so the queue never wraps and a packet being sent is never overwritten.
 * Copies are made into preallocated packets: no allocation after construction.
 */
final class NestedSends {
    private final Packet[] slots;
    /** Slots filled since the last reset ({@code slots[0..queued)}); {@code slots[0..taken)} are handed out. */
    private int queued, taken;

    NestedSends(int limit) {
        slots = new Packet[limit];
        for (int i = 0; i < limit; i++) slots[i] = new Packet();
    }

    /** Copies {@code p} in; false when {@code limit} sends were queued since the last reset, or it does not fit a slot. */
    boolean offer(Packet p) {
        if (queued == slots.length || p.length() > slots[queued].maxFrame()) return false;
        slots[queued++].copyFrom(p);
        return true;
    }

    /** The oldest queued send not handed out yet, null when none; it stays valid until {@link #reset}. */
    Packet poll() {
        return taken < queued ? slots[taken++] : null;
    }

    /** The outermost send ended: the next one may queue {@code limit} sends again. */
    void reset() {
        queued = taken = 0;
    }
}
