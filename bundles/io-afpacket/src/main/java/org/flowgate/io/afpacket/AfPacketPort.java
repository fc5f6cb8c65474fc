package org.flowgate.io.afpacket;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.LockSupport;

import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.KernelSocketPort;
import org.flowgate.api.netdev.Port;
import org.flowgate.api.netdev.PortReceiver;
import org.flowgate.api.packet.Packet;
import org.flowgate.linux.libc.LibC;
import org.flowgate.io.afpacket.ring.RxRing;
import org.flowgate.io.afpacket.ring.Tpacket;
import org.flowgate.io.afpacket.ring.TxRing;
import org.flowgate.io.afpacket.socket.LinkInfo;
import org.flowgate.io.afpacket.socket.PacketSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Linux interface as a router {@link Port}: one AF_PACKET socket with TPACKET_V3 rings.
 *
 * <p>Threads: {@link #start} runs one receive thread that polls the socket, drains each ready block
 * into the receiver (frames in batches of up to {@link RxRing#BATCH}, {@code endOfBatch} once per
 * block) and refreshes link state once a second. {@link #send} may
 * be called from any thread (a lock guards the TX ring); {@link #flush} kicks the kernel with a
 * non-blocking {@code sendto}, and {@link #send} kicks by itself once half the ring waits.
 *
 * <p>As a {@link KernelSocketPort} it takes an eBPF socket filter from a kernel offload driver,
 * so the frames the kernel forwards for it never reach the receive ring.
 */
public final class AfPacketPort implements Port, KernelSocketPort, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AfPacketPort.class);
    private static final long LINK_REFRESH_NANOS = 1_000_000_000L;
    /** Ethernet header and one 802.1Q tag on top of the MTU. */
    private static final int L2_OVERHEAD = Packet.ETH_HLEN + 4;

    private final String name;
    private final PacketSocket socket;
    private final RxRing rx;
    private final TxRing tx;
    private final int pollTimeoutMillis;
    private final int kickThreshold;
    private final Arena arena = Arena.ofShared();

    // receive thread only
    private final MemorySegment rxState;
    private final MemorySegment pollSet;
    private final MemorySegment rxScratch;
    private long pollFailures;
    private long socketErrors;

    private final Object kickLock = new Object();
    private final MemorySegment kickState;
    private boolean kickClosed;
    private long kickFailures;
    private int lastKickErrno;

    private final Object linkLock = new Object();
    private final MemorySegment linkState;
    private final MemorySegment linkIfreq;
    private final MemorySegment statsScratch;
    private final long[] kernelCounts = new long[2];
    private boolean linkClosed;
    private volatile LinkInfo link;
    private volatile MacAddress mac;
    private volatile long nextLinkRefresh;
    private long linkDownDrops;

    private final Object lifecycle = new Object();
    private final MemorySegment wakeState;
    private final MemorySegment wakeScratch;
    private Thread thread;
    private Thread exiting;
    private volatile boolean running;
    private boolean closed;

    private AfPacketPort(String name, PacketSocket socket, int pollTimeoutMillis, LinkInfo link, RxRing rx, TxRing tx) {
        this.name = name;
        this.socket = socket;
        this.pollTimeoutMillis = pollTimeoutMillis;
        this.rx = rx;
        this.tx = tx;
        this.kickThreshold = Math.max(1, tx.slots() / 2);
        this.rxState = LibC.newCallState(arena);
        this.pollSet = socket.newPollSet(arena);
        this.rxScratch = arena.allocate(16, 8);
        this.kickState = LibC.newCallState(arena);
        this.linkState = LibC.newCallState(arena);
        this.linkIfreq = arena.allocate(Tpacket.IFREQ);
        this.statsScratch = arena.allocate(16, 8);
        this.wakeState = LibC.newCallState(arena);
        this.wakeScratch = arena.allocate(16, 8);
        setLink(link);
    }

    /**
     * Opens {@code ifname} as the router port {@code name}.
     *
     * @throws IOException when the interface is missing, not Ethernet, or the socket cannot be set up
     */
    public static AfPacketPort open(String name, String ifname, PacketSocket.Options options, int pollTimeoutMillis) throws IOException {
        PacketSocket s = PacketSocket.open(ifname, options);
        try (Arena a = Arena.ofConfined()) {
            LinkInfo link = s.readLink(LibC.newCallState(a), a.allocate(Tpacket.IFREQ));
            RxRing rx = new RxRing(name, s.rxRegion(), options.rx().blockSize(), options.rx().blockCount(), RxRing.newBatch(RxRing.BATCH));
            TxRing tx = new TxRing(s.txRegion(), options.tx());
            if (tx.slotCapacity() < link.mtu() + L2_OVERHEAD) {
                LOG.warn("Port {}: TX frame size {} holds frames up to {} bytes, less than MTU {} needs; larger frames are refused",
                        name, options.tx().frameSize(), tx.slotCapacity(), link.mtu());
            }
            return new AfPacketPort(name, s, Math.max(1, pollTimeoutMillis), link, rx, tx);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public String name() { return name; }

    public String interfaceName() { return socket.ifname(); }

    /** The kernel's index of the interface (not the router's device index). */
    @Override
    public int kernelIfIndex() { return socket.ifindex(); }

    @Override
    public void attachSocketFilter(int programFd) throws IOException {
        if (programFd < 0) throw new IllegalArgumentException("program fd " + programFd);
        synchronized (lifecycle) { // close() marks the port closed under this lock before the socket goes
            if (closed) throw new IOException("port " + name + " is closed");
            int errno = socket.setBpfFilter(programFd);
            if (errno != 0) throw new IOException(LibC.describe("SO_ATTACH_BPF on " + socket.ifname(), errno));
        }
        LOG.debug("Port {}: eBPF socket filter attached", name);
    }

    @Override
    public void detachSocketFilter() {
        synchronized (lifecycle) {
            if (!closed) socket.setBpfFilter(-1);
        }
    }

    @Override
    public MacAddress mac() {
        refreshLinkIfDue();
        return mac;
    }

    @Override
    public int mtu() {
        refreshLinkIfDue();
        return link.mtu();
    }

    @Override
    public boolean isLinkUp() {
        refreshLinkIfDue();
        return link.linkUp();
    }

    // ---- receive ----

    @Override
    public void start(PortReceiver receiver) {
        if (receiver == null) throw new NullPointerException("receiver");
        synchronized (lifecycle) {
            if (closed) throw new IllegalStateException("port " + name + " is closed");
            if (thread != null) throw new IllegalStateException("port " + name + " is already started");
            if (exiting != null) {
                joinUninterruptibly(exiting); // stopped from its own receiver: let it finish its batch
                exiting = null;
            }
            running = true;
            thread = Thread.ofPlatform().name("flowgate-afpacket-" + name).daemon(true).unstarted(() -> receiveLoop(receiver));
            thread.start();
        }
    }

    @Override
    public void stop() {
        Thread t;
        synchronized (lifecycle) {
            t = thread;
            if (t == null) return;
            running = false;
            thread = null;
            socket.wakeUp(wakeState, wakeScratch);
            if (t == Thread.currentThread()) {
                exiting = t; // called by the receiver: the loop ends when the receiver returns
                return;
            }
        }
        joinUninterruptibly(t);
    }

    private void receiveLoop(PortReceiver receiver) {
        LOG.debug("Port {}: receiving on {}", name, socket.ifname());
        int consecutiveErrors = 0;
        while (running) {
            if (rx.blockReady()) {
                rx.drainBlock(receiver);
                consecutiveErrors = 0;
            } else {
                int r = socket.poll(rxState, pollSet, pollTimeoutMillis);
                if (r < 0) {
                    if (pollFailures++ == 0) LOG.error("Port {}: poll failed: {}", name, LibC.strerror(-r));
                    LockSupport.parkNanos(pollTimeoutMillis * 1_000_000L);
                    continue;
                }
                if ((r & PacketSocket.WOKEN) != 0) socket.clearWakeUp(rxState, rxScratch);
                if ((r & PacketSocket.SOCKET_ERROR) != 0) {
                    int e = socket.takeSocketError(rxState, rxScratch);
                    if (socketErrors++ == 0 || consecutiveErrors == 0) {
                        LOG.info("Port {}: socket reports {}", name, e == 0 ? "an error" : LibC.strerror(e));
                    }
                    if (++consecutiveErrors > 3) LockSupport.parkNanos(pollTimeoutMillis * 1_000_000L);
                    nextLinkRefresh = 0;
                }
            }
            refreshLinkIfDue();
        }
        LOG.debug("Port {}: receive thread ends", name);
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    // ---- send ----

    @Override
    public boolean send(Packet p) {
        if (!link.linkUp()) {
            synchronized (linkLock) {
                linkDownDrops++;
            }
            return false;
        }
        if (!tx.offer(p.array(), p.start(), p.length())) return false;
        if (tx.unkicked() >= kickThreshold) flush();
        return true;
    }

    @Override
    public void flush() {
        if (tx.unkicked() == 0) return;
        synchronized (kickLock) {
            if (kickClosed) return;
            int n = tx.takeUnkicked();
            if (n == 0) return;
            long r = socket.kick(kickState);
            if (r < 0) {
                int e = (int) -r;
                kickFailures++;
                if (e == LibC.EAGAIN || e == LibC.ENOBUFS || e == LibC.EINTR) {
                    tx.kickFailed(n); // frames stay requested: the next flush retries
                } else if (e != lastKickErrno) {
                    LOG.warn("Port {}: sending on {} failed: {}", name, socket.ifname(), LibC.strerror(e));
                }
                lastKickErrno = e;
            } else {
                lastKickErrno = 0;
            }
        }
    }

    // ---- link state and statistics ----

    private void refreshLinkIfDue() {
        if (System.nanoTime() - nextLinkRefresh < 0) return;
        synchronized (linkLock) {
            if (linkClosed || System.nanoTime() - nextLinkRefresh < 0) return;
            nextLinkRefresh = System.nanoTime() + LINK_REFRESH_NANOS;
            socket.readStatistics(linkState, statsScratch, kernelCounts);
            try {
                LinkInfo now = socket.readLink(linkState, linkIfreq);
                LinkInfo before = link;
                if (now.linkUp() != before.linkUp()) LOG.info("Port {}: link {} is {}", name, socket.ifname(), now.linkUp() ? "up" : "down");
                if (now.mtu() != before.mtu()) LOG.info("Port {}: MTU of {} is now {}", name, socket.ifname(), now.mtu());
                if (now.mac() != before.mac() || now.mtu() != before.mtu() || now.linkUp() != before.linkUp()) setLink(now);
            } catch (IOException e) {
                if (link.linkUp()) LOG.warn("Port {}: cannot read the state of {}: {}", name, socket.ifname(), e.getMessage());
                setLink(new LinkInfo(link.ifindex(), link.mac(), link.mtu(), false, false, link.hwType()));
            }
        }
    }

    private void setLink(LinkInfo l) {
        if (mac == null || mac.bits() != l.mac()) mac = new MacAddress(l.mac());
        tx.setMaxFrame(l.mtu() + L2_OVERHEAD);
        link = l;
    }

    /** A snapshot of the port's counters (racy across threads, each value exact for its own thread). */
    public PortStatistics statistics() {
        long kernelPackets, kernelDrops, downDrops;
        synchronized (linkLock) {
            if (!linkClosed) socket.readStatistics(linkState, statsScratch, kernelCounts);
            kernelPackets = kernelCounts[0];
            kernelDrops = kernelCounts[1];
            downDrops = linkDownDrops;
        }
        long kicks;
        synchronized (kickLock) {
            kicks = kickFailures;
        }
        return new PortStatistics(rx.frames, rx.bytes, rx.blocks, rx.outgoingSkipped, rx.truncated + rx.oversize + rx.malformedBlocks,
                rx.receiverErrors, rx.checksumsCompleted, kernelPackets, kernelDrops, tx.frames, tx.bytes, tx.full, tx.tooBig + tx.rejectedByKernel + downDrops,
                kicks);
    }

    /** Stops receiving, then unmaps the rings and closes the socket. Sends after this return false. */
    public void close() {
        synchronized (lifecycle) {
            if (Thread.currentThread() == thread || Thread.currentThread() == exiting) {
                throw new IllegalStateException("port " + name + " cannot be closed from its own receive thread");
            }
        }
        stop();
        Thread last;
        synchronized (lifecycle) {
            if (closed) return;
            closed = true;
            last = exiting;
            exiting = null;
        }
        if (last != null && last != Thread.currentThread()) joinUninterruptibly(last);
        tx.close();
        synchronized (kickLock) {
            kickClosed = true;
        }
        synchronized (linkLock) {
            linkClosed = true;
        }
        socket.close();
        arena.close();
        LOG.debug("Port {}: closed", name);
    }

    @Override
    public String toString() {
        return "AfPacketPort[" + name + " on " + socket.ifname() + "]";
    }
}
