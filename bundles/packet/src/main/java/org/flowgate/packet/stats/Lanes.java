package org.flowgate.packet.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Counter lanes: small per-thread indexes into {@link LaneCounters}. A thread that processes
 * received frames (a port's receive thread, the caller of an injection) {@link #claim()}s a lane
 * of its own the first time; from then on it is the only writer of that lane's cells in every
 * counter set, so an add is a plain load and an opaque store, no atomic, no fence. Every other
 * thread (the control plane, a {@code LocalOutput} or {@code NetDevice.transmit} from a thread
 * that never received) adds to lane {@link #SHARED} atomically.
 * <p>Lookup on the hot path: lane {@code threadId % OWNED} when this thread owns it (one load and
 * compare); a thread whose own slot was taken claims another and finds it through a thread local.
 * A lane whose owner has terminated is handed to the next claimer: its cells keep their counts
 * (its last writes happen-before {@code isAlive()} returns false, JLS 17.4.4). When all lanes
 * are owned by live threads a claimer uses {@link #SHARED}: still exact, only slower.
 */
public final class Lanes {
    /** Lanes threads can own (a power of two). */
    public static final int OWNED = 32;
    /** The lane of threads without one: updated with atomic adds. */
    public static final int SHARED = OWNED;
    private static final int MASK = OWNED - 1;

    private static final Thread[] OWNERS = new Thread[OWNED];
    private static final VarHandle OWNER = MethodHandles.arrayElementVarHandle(Thread[].class);
    /** Lane of a thread that claimed one other than its hashed slot, or SHARED when none was free. */
    private static final ThreadLocal<int[]> ELSEWHERE = new ThreadLocal<>();

    private Lanes() {}

    /** This thread's lane, or {@link #SHARED}; never claims one. */
    public static int current() {
        Thread t = Thread.currentThread();
        int h = (int) t.threadId() & MASK;
        // a plain read is enough: only this thread ever stores itself here, and it cannot lose the
        // slot while alive, so a stale value can never be equal to t
        if (OWNERS[h] == t) return h;
        int[] l = ELSEWHERE.get();
        return l == null ? SHARED : l[0];
    }

    /** This thread's lane, claiming one on the first call if one is free (else {@link #SHARED}, for good). */
    public static int claim() {
        Thread t = Thread.currentThread();
        int h = (int) t.threadId() & MASK;
        if (OWNERS[h] == t) return h;
        int[] l = ELSEWHERE.get();
        if (l != null) return l[0];
        return claimSlow(t, h);
    }

    private static int claimSlow(Thread t, int h) {
        int lane = SHARED;
        for (int k = 0; k < OWNED; k++) {
            int i = (h + k) & MASK;
            Thread o = (Thread) OWNER.getAcquire(OWNERS, i);
            if ((o == null || !o.isAlive()) && OWNER.compareAndSet(OWNERS, i, o, t)) { lane = i; break; }
        }
        if (lane != h) ELSEWHERE.set(new int[] {lane});
        return lane;
    }
}
