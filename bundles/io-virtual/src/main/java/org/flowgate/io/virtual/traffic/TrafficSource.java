package org.flowgate.io.virtual.traffic;

import java.util.concurrent.locks.LockSupport;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.io.virtual.host.EmulatedHost;
import org.flowgate.io.virtual.host.TcpConnection;

/**
 * Sends flows from one emulated host to another through whatever sits between them, on its
 * own thread. It first resolves the next hop; for TCP it opens every connection (answered by
 * the receiving host) before sending data, and closes them with FIN when it stops. The send
 * loop reuses one buffer: nothing is allocated per packet.
 */
public final class TrafficSource {
    public enum State { NEW, RESOLVING, CONNECTING, RUNNING, DONE, STOPPED, FAILED }

    /** Sent is counted at the source, received at the destination host for these flows. */
    public record Status(State state, TrafficSpec spec, long sent, long sentBytes, long received, long receivedBytes,
            long retransmits, long elapsedNanos, String message) {
        /** Packets per second sent over the run so far. */
        public double sentPps() { return elapsedNanos == 0 ? 0 : sent * 1e9 / elapsedNanos; }

        @Override
        public String toString() {
            return state.name().toLowerCase() + ": " + spec + "; sent " + sent + " (" + sentBytes + " B), received "
                    + received + " (" + receivedBytes + " B)" + (retransmits > 0 ? ", retransmits " + retransmits : "")
                    + (elapsedNanos > 0 ? String.format(", %.0f pps", sentPps()) : "")
                    + (message == null ? "" : " — " + message);
        }
    }

    private static final long RESOLVE_TIMEOUT_MS = 1000;
    private static final long SYN_RETRY_NANOS = 1_000_000_000L;

    private final EmulatedHost from, to;
    private final TrafficSpec spec;
    private final IpAddress dst;
    private final FiveTuple[] tuples;
    private final long[] baselinePackets, baselineBytes;
    private final TcpConnection[] connections;

    private Thread thread;
    private volatile boolean running;
    private volatile State state = State.NEW;
    private volatile String message;
    private volatile long sent, sentBytes, startNanos, endNanos;

    public TrafficSource(EmulatedHost from, EmulatedHost to, TrafficSpec spec) {
        this.from = from;
        this.to = to;
        this.spec = spec;
        IpAddress src = from.address(spec.family());
        this.dst = to.address(spec.family());
        if (src == null) throw new IllegalArgumentException(from.name() + " has no IPv" + spec.family() + " address");
        if (dst == null) throw new IllegalArgumentException(to.name() + " has no IPv" + spec.family() + " address");
        int proto = spec.protocol() == TrafficSpec.Protocol.UDP ? Packet.PROTO_UDP : Packet.PROTO_TCP;
        tuples = new FiveTuple[spec.flows()];
        for (int i = 0; i < tuples.length; i++) tuples[i] = FiveTuple.of(src, spec.srcPortBase() + i, dst, spec.dstPort(), proto);
        baselinePackets = new long[tuples.length];
        baselineBytes = new long[tuples.length];
        connections = new TcpConnection[tuples.length];
    }

    public TrafficSpec spec() { return spec; }
    public EmulatedHost from() { return from; }
    public EmulatedHost to() { return to; }

    /** The 5-tuple of flow {@code i} as the destination receives it (a copy). */
    public FiveTuple flow(int i) { return new FiveTuple(tuples[i]); }

    public synchronized void start() {
        if (thread != null) throw new IllegalStateException("already started");
        for (int i = 0; i < tuples.length; i++) {
            baselinePackets[i] = to.flowPackets(tuples[i]);
            baselineBytes[i] = to.flowBytes(tuples[i]);
        }
        running = true;
        thread = Thread.ofPlatform().daemon().name("traffic-" + from.name() + "-" + to.name()).start(this::run);
    }

    /** Stops sending (TCP connections are closed) and waits for the thread to end. */
    public void stop() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
        }
        if (t == null || t == Thread.currentThread()) return;
        t.interrupt();
        boolean interrupted = false;
        while (t.isAlive()) {
            try { t.join(); } catch (InterruptedException e) { interrupted = true; }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Waits until a counted run has sent everything (or failed, or was stopped). */
    public boolean awaitDone(long timeoutMillis) throws InterruptedException {
        Thread t;
        synchronized (this) { t = thread; }
        if (t == null) return false;
        t.join(timeoutMillis);
        return !t.isAlive();
    }

    public boolean isRunning() {
        State s = state;
        return s == State.RESOLVING || s == State.CONNECTING || s == State.RUNNING;
    }

    public Status status() {
        long received = 0, receivedBytes = 0, retransmits = 0;
        for (int i = 0; i < tuples.length; i++) {
            received += to.flowPackets(tuples[i]) - baselinePackets[i];
            receivedBytes += to.flowBytes(tuples[i]) - baselineBytes[i];
            TcpConnection c = connections[i];
            if (c != null) retransmits += c.retransmits();
        }
        long start = startNanos, end = endNanos;
        long elapsed = start == 0 ? 0 : (end != 0 ? end : System.nanoTime()) - start;
        return new Status(state, spec, sent, sentBytes, received, receivedBytes, retransmits, elapsed, message);
    }

    // ---- the sending thread ----

    private void run() {
        try {
            state = State.RESOLVING;
            while (running && !from.resolve(dst, RESOLVE_TIMEOUT_MS)) {
                message = "waiting for " + from.nextHop(dst) + " to answer " + (spec.family() == 4 ? "ARP" : "NDP");
                if (from.nextHop(dst) == null) { fail("no route from " + from.name() + " to " + dst); return; }
            }
            message = null;
            if (spec.protocol() == TrafficSpec.Protocol.TCP && running && !connect()) {
                if (running) fail("TCP handshakes did not complete");
                else state = State.STOPPED;
                return;
            }
            if (!running) { state = State.STOPPED; return; }
            message = null;
            state = State.RUNNING;
            startNanos = System.nanoTime();
            send();
            endNanos = System.nanoTime();
            if (spec.protocol() == TrafficSpec.Protocol.TCP) for (TcpConnection c : connections) from.tcpClose(c);
            state = running ? State.DONE : State.STOPPED;
        } catch (RuntimeException e) {
            fail(e.toString());
        } finally {
            running = false;
        }
    }

    private void fail(String why) {
        message = why;
        state = State.FAILED;
    }

    /** Opens every connection, sending SYNs again each second, until all are established or stopped. */
    private boolean connect() {
        state = State.CONNECTING;
        for (int i = 0; i < tuples.length; i++) connections[i] = from.tcpConnect(dst, tuples[i].srcPort, tuples[i].dstPort);
        long lastTry = System.nanoTime();
        while (running) {
            int open = 0;
            for (TcpConnection c : connections) if (c.isEstablished()) open++;
            if (open == connections.length) return true;
            message = open + "/" + connections.length + " connections established";
            if (System.nanoTime() - lastTry > SYN_RETRY_NANOS) {
                for (TcpConnection c : connections) from.tcpRetransmitSyn(c);
                lastTry = System.nanoTime();
            }
            LockSupport.parkNanos(1_000_000L);
        }
        return false;
    }

    private void send() {
        Packet buf = new Packet();
        int n = tuples.length;
        int payload = spec.payloadLength();
        long pps = spec.pps(), count = spec.count();
        boolean udp = spec.protocol() == TrafficSpec.Protocol.UDP;
        int family = spec.family();
        long dstHi = dst.hi(), dstLo = dst.lo();
        long nSent = 0, nBytes = 0;
        int flow = 0, blocked = 0;
        while (running && (count == 0 || nSent < count)) {
            boolean ok;
            if (udp) {
                from.buildUdp(buf, family, dstHi, dstLo, tuples[flow].srcPort, tuples[flow].dstPort, payload, nSent);
                ok = from.transmit(buf);
            } else {
                ok = from.tcpSend(connections[flow], buf, payload, nSent) > 0;
            }
            if (!ok) { // window closed or the port's ring is full: try the next flow, pause when all are stuck
                flow = flow + 1 == n ? 0 : flow + 1;
                if (++blocked >= n) { blocked = 0; LockSupport.parkNanos(20_000L); }
                continue;
            }
            blocked = 0;
            nSent++;
            nBytes += buf.length();
            sent = nSent;
            sentBytes = nBytes;
            flow = flow + 1 == n ? 0 : flow + 1;
            if (pps > 0) {
                long due = startNanos + nSent * 1_000_000_000L / pps;
                long wait = due - System.nanoTime();
                if (wait > 0) LockSupport.parkNanos(wait);
            }
        }
    }
}
