package org.flowgate.io.virtual.port;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.Port;
import org.flowgate.api.netdev.PortReceiver;
import org.flowgate.api.packet.Packet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A router-side port whose far end is an in-memory wire. Frames the router {@link #send sends}
 * reach the {@link FrameSink} {@link #connect connected} at the far end; frames {@link #inject
 * injected} at the far end reach the router's {@link PortReceiver}.
 *
 * <p>{@link Mode#SYNCHRONOUS} delivers an injected frame on the injecting thread, so a test
 * sees the whole exchange it caused done when {@code inject} returns. {@link Mode#THREADED}
 * queues injected frames in a ring that a port thread delivers in batches, as a NIC would.
 */
public final class VirtualPort implements Port {
    public enum Mode { SYNCHRONOUS, THREADED }

    private static final Logger LOG = LoggerFactory.getLogger(VirtualPort.class);

    /** Room for a VLAN tag on top of the MTU and the Ethernet header. */
    private static final int L2_OVERHEAD = Packet.ETH_HLEN + 4;
    private static final int BATCH = 64;

    private final String name;
    private final MacAddress mac;
    private final int mtu;
    private final Mode mode;

    private volatile FrameSink farEnd;
    private volatile PortReceiver receiver;
    private volatile boolean linkUp = true;
    /** Calls into the receiver in progress, so {@link #stop()} can wait them out. */
    private final AtomicInteger inFlight = new AtomicInteger();

    // THREADED mode: a ring of frame buffers and the thread that empties it
    private final Packet[] ring;
    private int ringHead, ringCount; // guarded by ring
    private Thread thread;           // guarded by this
    private volatile boolean running;

    private final AtomicLong sentFrames = new AtomicLong(), sentBytes = new AtomicLong();
    private final AtomicLong injectedFrames = new AtomicLong(), injectedBytes = new AtomicLong();
    private final AtomicLong droppedNoReceiver = new AtomicLong(), droppedRingFull = new AtomicLong(),
            droppedTooBig = new AtomicLong(), droppedLinkDown = new AtomicLong(), errors = new AtomicLong();

    /** A synchronous port. */
    public VirtualPort(String name, MacAddress mac, int mtu) {
        this(name, mac, mtu, Mode.SYNCHRONOUS, 0);
    }

    /** @param ringSize frames the ring holds in {@link Mode#THREADED} (rounded up to a power of two) */
    public VirtualPort(String name, MacAddress mac, int mtu, Mode mode, int ringSize) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("port name is empty");
        if (mtu < 68 || mtu > 9000) throw new IllegalArgumentException("mtu " + mtu + " outside 68..9000");
        this.name = name;
        this.mac = mac;
        this.mtu = mtu;
        this.mode = mode;
        if (mode == Mode.THREADED) {
            int n = Integer.highestOneBit(Math.max(2, ringSize) - 1) << 1;
            ring = new Packet[n];
            int capacity = Packet.HEADROOM + mtu + L2_OVERHEAD;
            for (int i = 0; i < n; i++) ring[i] = new Packet(capacity);
        } else {
            ring = null;
        }
    }

    /** Wires two ports back to back: what the router sends on one arrives on the other. */
    public static void connect(VirtualPort a, VirtualPort b) {
        a.connect(b::inject);
        b.connect(a::inject);
    }

    /** Attaches the far end of the wire (null detaches it: frames sent then vanish, counted as sent). */
    public void connect(FrameSink sink) { this.farEnd = sink; }

    public Mode mode() { return mode; }

    /** Carrier on or off: while off, neither direction passes and both count the drop. */
    public void setLinkUp(boolean up) { this.linkUp = up; }

    // ---- Port ----

    @Override
    public String name() { return name; }

    @Override
    public MacAddress mac() { return mac; }

    @Override
    public int mtu() { return mtu; }

    @Override
    public boolean isLinkUp() { return linkUp; }

    @Override
    public synchronized void start(PortReceiver r) {
        if (r == null) throw new NullPointerException("receiver");
        stop();
        receiver = r;
        if (mode == Mode.THREADED) {
            running = true;
            thread = Thread.ofPlatform().daemon().name("vport-" + name).start(this::runRing);
        }
    }

    @Override
    public synchronized void stop() {
        receiver = null;
        Thread t = thread;
        if (t != null) {
            running = false;
            synchronized (ring) { ring.notifyAll(); }
            if (t != Thread.currentThread()) {
                boolean interrupted = false;
                while (t.isAlive()) {
                    try { t.join(); } catch (InterruptedException e) { interrupted = true; }
                }
                if (interrupted) Thread.currentThread().interrupt();
            }
            thread = null;
        }
        // called from inside a delivery (a receiver stopping its own port) there is nothing to wait for
        if (t == Thread.currentThread() || WireThread.current().active) return;
        while (inFlight.get() != 0) Thread.onSpinWait();
    }

    /** Router to wire: the frame is copied and handed to the far end at once; nothing is held for {@link #flush()}. */
    @Override
    public boolean send(Packet p) {
        if (!linkUp) { droppedLinkDown.incrementAndGet(); return false; }
        int len = p.length();
        if (len > mtu + L2_OVERHEAD) { droppedTooBig.incrementAndGet(); return false; }
        sentFrames.incrementAndGet();
        sentBytes.addAndGet(len);
        FrameSink sink = farEnd;
        if (sink == null) return true;
        WireThread w = WireThread.current();
        if (w.active) {
            w.tx.setFrame(p.array(), p.start(), len);
            toFarEnd(sink, w.tx);
            return true;
        }
        w.active = true;
        try {
            w.tx.setFrame(p.array(), p.start(), len);
            toFarEnd(sink, w.tx);
            w.drain();
        } finally {
            w.active = false;
            w.clear();
        }
        return true;
    }

    /** A failing far end must not take the router's sending thread down with it: counted, logged once. */
    private void toFarEnd(FrameSink sink, Packet p) {
        try {
            sink.accept(p);
        } catch (RuntimeException e) {
            failed("far end of " + name, e);
        }
    }

    @Override
    public void flush() {
        // send() never holds frames back
    }

    // ---- the far end injects ----

    /** Wire to router: a copy of the frame reaches the receiver. False when it was dropped (and counted). */
    public boolean inject(Packet frame) {
        return inject(frame.array(), frame.start(), frame.length());
    }

    public boolean inject(byte[] b, int off, int len) {
        if (!linkUp) { droppedLinkDown.incrementAndGet(); return false; }
        if (len > mtu + L2_OVERHEAD || len < Packet.ETH_HLEN) { droppedTooBig.incrementAndGet(); return false; }
        injectedFrames.incrementAndGet();
        injectedBytes.addAndGet(len);
        if (mode == Mode.THREADED) return offerToRing(b, off, len);
        WireThread w = WireThread.current();
        if (w.active) {
            if (w.enqueue(this, b, off, len)) return true;
            droppedRingFull.incrementAndGet();
            return false;
        }
        w.active = true;
        try {
            w.rx.setFrame(b, off, len);
            deliver(w.rx);
            w.drain();
        } finally {
            w.active = false;
            w.clear();
        }
        return true;
    }

    /** Hands one frame to the receiver as a batch of one. */
    void deliver(Packet p) {
        inFlight.incrementAndGet();
        try {
            PortReceiver r = receiver;
            if (r == null) { droppedNoReceiver.incrementAndGet(); return; }
            r.receive(p);
            r.endOfBatch();
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private boolean offerToRing(byte[] b, int off, int len) {
        synchronized (ring) {
            if (ringCount == ring.length) { droppedRingFull.incrementAndGet(); return false; }
            ring[(ringHead + ringCount) & (ring.length - 1)].setFrame(b, off, len);
            ringCount++;
            if (ringCount == 1) ring.notifyAll();
        }
        return true;
    }

    private void runRing() {
        while (running) {
            int first, n;
            synchronized (ring) {
                while (ringCount == 0 && running) {
                    try { ring.wait(100); } catch (InterruptedException e) { return; }
                }
                first = ringHead;
                n = Math.min(ringCount, BATCH);
            }
            if (n == 0) continue;
            // frames that the batch makes other (synchronous) ports inject wait until it is done
            WireThread w = WireThread.current();
            w.active = true;
            inFlight.incrementAndGet();
            try {
                PortReceiver r = receiver;
                for (int k = 0; k < n; k++) {
                    Packet p = ring[(first + k) & (ring.length - 1)];
                    if (r == null) { droppedNoReceiver.incrementAndGet(); continue; }
                    try {
                        r.receive(p);
                    } catch (RuntimeException e) { // the port thread must survive a receiver bug
                        failed("receiver of " + name, e);
                    }
                }
                if (r != null) {
                    try {
                        r.endOfBatch();
                    } catch (RuntimeException e) {
                        failed("receiver of " + name, e);
                    }
                }
                try {
                    w.drain();
                } catch (RuntimeException e) {
                    failed("delivery from " + name, e);
                }
            } finally {
                inFlight.decrementAndGet();
                w.active = false;
                w.clear();
            }
            synchronized (ring) {
                ringHead = (ringHead + n) & (ring.length - 1);
                ringCount -= n;
            }
        }
        // frames left in the ring when stopped are dropped
        synchronized (ring) {
            droppedNoReceiver.addAndGet(ringCount);
            ringCount = 0;
        }
    }

    private void failed(String what, RuntimeException e) {
        if (errors.getAndIncrement() == 0) LOG.warn("{} failed (further failures only counted)", what, e);
    }

    /** Waits (parking) until the ring is empty or the timeout passes; for orderly shutdowns and tests. */
    public boolean awaitIdle(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            if (mode == Mode.SYNCHRONOUS) return inFlight.get() == 0;
            synchronized (ring) { if (ringCount == 0 && inFlight.get() == 0) return true; }
            if (System.nanoTime() - deadline > 0) return false;
            LockSupport.parkNanos(100_000);
        }
    }

    // ---- counters ----

    /** {@code errors}: exceptions thrown by the receiver (threaded mode) or the far end, caught and counted. */
    public record Counters(long sentFrames, long sentBytes, long injectedFrames, long injectedBytes,
            long droppedNoReceiver, long droppedRingFull, long droppedTooBig, long droppedLinkDown, long errors) {
        public long dropped() { return droppedNoReceiver + droppedRingFull + droppedTooBig + droppedLinkDown; }
    }

    public Counters counters() {
        return new Counters(sentFrames.get(), sentBytes.get(), injectedFrames.get(), injectedBytes.get(),
                droppedNoReceiver.get(), droppedRingFull.get(), droppedTooBig.get(), droppedLinkDown.get(), errors.get());
    }

    @Override
    public String toString() { return "VirtualPort[" + name + " " + mac + " mtu " + mtu + " " + mode + "]"; }
}
