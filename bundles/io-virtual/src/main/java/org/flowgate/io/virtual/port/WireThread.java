package org.flowgate.io.virtual.port;

import org.flowgate.api.packet.Packet;

/**
 * Per-thread state of synchronous delivery. When a thread is already delivering a frame (into
 * the router or to a far end), frames injected by what it calls are queued here and delivered
 * after the current one returns, in order: the router is never re-entered from inside its own
 * call, and a whole exchange (ARP, echo, reply) still completes on the injecting thread before
 * the outermost inject returns. This is call-stack state, which is why it is thread-local.
 */
final class WireThread {
    private static final ThreadLocal<WireThread> CURRENT = ThreadLocal.withInitial(WireThread::new);
    /** A runaway loop (frames bouncing forever between back-to-back ports) stops growing here. */
    private static final int MAX_QUEUED = 1 << 16;

    static WireThread current() { return CURRENT.get(); }

    boolean active;
    /** Scratch copy of a frame the router sends, handed to the far end. */
    final Packet tx = new Packet();
    /** Scratch copy of an injected frame delivered at once. */
    final Packet rx = new Packet();

    private Packet[] frames = new Packet[16];
    private VirtualPort[] targets = new VirtualPort[16];
    private int head, count;

    /** Queues a copy of a frame for {@code target}; false when the queue is at its limit. */
    boolean enqueue(VirtualPort target, byte[] b, int off, int len) {
        if (count == frames.length) {
            if (count == MAX_QUEUED) return false;
            grow();
        }
        int i = (head + count) & (frames.length - 1);
        Packet p = frames[i];
        if (p == null) frames[i] = p = new Packet();
        p.setFrame(b, off, len);
        targets[i] = target;
        count++;
        return true;
    }

    /** Delivers queued frames (and those their delivery queues) until none is left. */
    void drain() {
        while (count > 0) {
            int i = head;
            VirtualPort target = targets[i];
            targets[i] = null;
            head = (head + 1) & (frames.length - 1);
            count--;
            // the slot stays ours until the next enqueue wraps around to it, which cannot happen
            // before this delivery returns only if we copy: deliver from the rx scratch instead
            Packet p = frames[i];
            rx.copyFrom(p);
            target.deliver(rx);
        }
    }

    /** Forgets queued frames (after a delivery threw: they belong to an exchange that failed). */
    void clear() {
        for (int k = 0; k < count; k++) targets[(head + k) & (frames.length - 1)] = null;
        head = 0;
        count = 0;
    }

    private void grow() {
        int n = frames.length;
        Packet[] f = new Packet[n * 2];
        VirtualPort[] t = new VirtualPort[n * 2];
        for (int k = 0; k < count; k++) {
            int i = (head + k) & (n - 1);
            f[k] = frames[i];
            t[k] = targets[i];
        }
        for (int k = count; k < n; k++) f[k] = frames[(head + k) & (n - 1)];
        frames = f;
        targets = t;
        head = 0;
    }
}
