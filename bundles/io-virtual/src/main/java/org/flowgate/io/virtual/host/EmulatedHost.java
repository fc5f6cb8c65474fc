package org.flowgate.io.virtual.host;

import static org.flowgate.io.virtual.frame.Frames.*;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.packet.DropReason;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.io.virtual.frame.Frames;
import org.flowgate.io.virtual.port.FrameSink;
import org.flowgate.io.virtual.port.VirtualPort;

/**
 * An IPv4 and IPv6 host on the far side of a {@link VirtualPort}. It answers ARP and neighbour
 * solicitations for its addresses, resolves its next hops by ARP/NDP (queueing a few frames
 * meanwhile), answers ICMP and ICMPv6 echo, runs enough TCP to complete handshakes, acknowledge
 * data and close, and counts what it receives per flow and in total. Every frame it builds is
 * written byte by byte with correct checksums; every frame it receives has its checksums checked.
 *
 * <p>Thread-safety: receiving is serialised on the host; frames it originates are built in a
 * buffer guarded separately, so a traffic thread and the receiving thread never share a buffer.
 */
public final class EmulatedHost implements FrameSink {
    public static final int TTL = 64;
    /** We advertise 65535 << 7: about 8 MiB of receive window. */
    public static final int WINDOW_SCALE = 7;
    private static final int PENDING = 16;

    /** NO_ROUTE: no gateway for the destination; NOT_SENT: the port refused the frame (link down, ring full). */
    public enum Outcome { REPLY, ERROR, TIMEOUT, NO_ROUTE, NOT_SENT }

    /** What came back for one echo request. {@code icmpType}/{@code icmpCode} describe an error. */
    public record PingResult(Outcome outcome, IpAddress from, int seq, int ttl, int bytes, long rttNanos, int icmpType, int icmpCode) {}

    /** Received packets and bytes of one flow (bytes are IP lengths); for TCP only data segments count. */
    public record Flow(FiveTuple tuple, long packets, long bytes) {}

    public record Counters(long rxFrames, long rxBytes, long txFrames, long txBytes, long txDropped,
            long arpRequestsAnswered, long neighbourSolicitsAnswered, long echoRequestsAnswered,
            long echoRepliesReceived, long icmpErrorsReceived, long udpPackets, long udpBytes,
            long tcpDataPackets, long tcpDataBytes, long tcpControlPackets, long tcpOutOfOrder, long tcpResets,
            long badChecksum, long malformed, long notForUs, long unhandled) {}

    private final String name;
    final long mac;
    private final IpPrefix ipv4, ipv6;
    private final IpAddress gateway4, gateway6;
    private final int v4;
    private final long v4Mask;
    private final long v6Hi, v6Lo, v6MaskHi, v6MaskLo;
    private final long llLo;
    private final int pingId;

    private volatile VirtualPort port;
    private final AtomicInteger ipId = new AtomicInteger(1);

    private final Object rxLock = new Object();
    final Packet reply = new Packet();                  // rxLock
    final FlowStats flows = new FlowStats(4096);        // rxLock
    final Object originLock = new Object();
    final Packet origin = new Packet();                 // originLock
    private final NeighbourCache neighbours = new NeighbourCache(64);
    private final TcpStack tcp = new TcpStack(this);

    private final Packet[] pending = new Packet[PENDING]; // guarded by pending
    private final int[] pendingFamily = new int[PENDING];
    private final long[] pendingHi = new long[PENDING], pendingLo = new long[PENDING];
    private int pendingCount;

    // receive counters, rxLock
    private long rxFrames, rxBytes, arpAnswered, nsAnswered, echoAnswered, echoReplies, icmpErrors,
            udpPackets, udpBytes, badChecksum, malformed, notForUs, unhandled;
    private final AtomicLong txFrames = new AtomicLong(), txBytes = new AtomicLong(), txDropped = new AtomicLong();

    // the one echo request a ping() waits for
    private final Object pingLock = new Object();
    private final Object pingMonitor = new Object();
    private int waitSeq = -1;       // pingMonitor
    private long pingSentNanos;     // pingMonitor
    private PingResult pingResult;  // pingMonitor

    /**
     * @param ipv4     address and prefix length (10.0.1.2/24), or null for an IPv6-only host
     * @param gateway4 default gateway, or null (then only on-link destinations are reachable)
     * @param ipv6     global address and prefix length, or null; a link-local address from the MAC is always there
     */
    public EmulatedHost(String name, MacAddress mac, IpPrefix ipv4, IpAddress gateway4, IpPrefix ipv6, IpAddress gateway6) {
        if (ipv4 != null && !ipv4.address().isV4()) throw new IllegalArgumentException("not IPv4: " + ipv4);
        if (ipv6 != null && ipv6.address().isV4()) throw new IllegalArgumentException("not IPv6: " + ipv6);
        if (gateway4 != null && !gateway4.isV4()) throw new IllegalArgumentException("not IPv4: " + gateway4);
        if (gateway6 != null && gateway6.isV4()) throw new IllegalArgumentException("not IPv6: " + gateway6);
        this.name = name;
        this.mac = mac.bits();
        this.ipv4 = ipv4;
        this.ipv6 = ipv6;
        this.gateway4 = gateway4;
        this.gateway6 = gateway6;
        this.v4 = ipv4 == null ? 0 : ipv4.address().v4();
        this.v4Mask = ipv4 == null ? 0 : ipv4.maskLo();
        this.v6Hi = ipv6 == null ? 0 : ipv6.address().hi();
        this.v6Lo = ipv6 == null ? 0 : ipv6.address().lo();
        this.v6MaskHi = ipv6 == null ? 0 : ipv6.maskHi();
        this.v6MaskLo = ipv6 == null ? 0 : ipv6.maskLo();
        this.llLo = Frames.eui64(this.mac);
        this.pingId = (name.hashCode() ^ (int) this.mac) & 0xFFFF;
    }

    /** Plugs the host into the far end of a port. */
    public void attach(VirtualPort p) {
        this.port = p;
        p.connect(this);
    }

    public String name() { return name; }
    public MacAddress mac() { return new MacAddress(mac); }
    public VirtualPort port() { return port; }
    public IpPrefix ipv4() { return ipv4; }
    public IpPrefix ipv6() { return ipv6; }
    public IpAddress linkLocal() { return IpAddress.v6(LINK_LOCAL_HI, llLo); }
    public IpAddress gateway(int family) { return family == 4 ? gateway4 : gateway6; }
    /** The ICMP identifier of this host's pings. */
    public int pingId() { return pingId; }

    /** The host's address of a family, or null. */
    public IpAddress address(int family) {
        IpPrefix p = family == 4 ? ipv4 : ipv6;
        return p == null ? null : p.address();
    }

    // =====================================================================================
    // sending
    // =====================================================================================

    /**
     * Completes the Ethernet header of an IP frame built in {@code f} (addresses from the next
     * hop's neighbour entry) and injects it. When the next hop is unresolved the frame is queued
     * and ARP/NDP asks for it.
     *
     * @return false when the frame was dropped (no route, queue full, port refused it)
     */
    public boolean transmit(Packet f) {
        byte[] b = f.array();
        int s = f.start();
        int l3 = s + Packet.ETH_HLEN;
        int family;
        long nhHi, nhLo;
        if (get16(b, s + 12) == Packet.ETHERTYPE_IPV4) {
            family = 4;
            long dst = get32(b, l3 + 16) & 0xFFFF_FFFFL;
            nhHi = 0;
            if (ipv4 != null && ((dst ^ v4) & v4Mask) == 0) nhLo = dst;
            else if (gateway4 != null) nhLo = gateway4.lo();
            else { txDropped.incrementAndGet(); return false; }
        } else {
            family = 6;
            long dh = get64(b, l3 + 24), dl = get64(b, l3 + 32);
            if (onLink6(dh, dl) || (dh >>> 56) == 0xFF) { nhHi = dh; nhLo = dl; }
            else if (gateway6 != null) { nhHi = gateway6.hi(); nhLo = gateway6.lo(); }
            else { txDropped.incrementAndGet(); return false; }
        }
        long dmac = (family == 6 && (nhHi >>> 56) == 0xFF) ? ipv6MulticastMac(nhLo) : neighbours.lookup(family, nhHi, nhLo);
        if (dmac >= 0) {
            putMac(b, s, dmac);
            putMac(b, s + 6, mac);
            return inject(f);
        }
        if (!queuePending(f, family, nhHi, nhLo)) { txDropped.incrementAndGet(); return false; }
        solicit(f, family, nhHi, nhLo); // f is copied into the queue: its buffer is free again
        return true;
    }

    private boolean inject(Packet f) {
        VirtualPort p = port;
        if (p == null || !p.inject(f)) { txDropped.incrementAndGet(); return false; }
        txFrames.incrementAndGet();
        txBytes.addAndGet(f.length());
        return true;
    }

    private boolean onLink6(long hi, long lo) {
        if ((hi >>> 54) == 0x3FA) return true; // fe80::/10
        return ipv6 != null && ((hi ^ v6Hi) & v6MaskHi) == 0 && ((lo ^ v6Lo) & v6MaskLo) == 0;
    }

    private boolean queuePending(Packet f, int family, long hi, long lo) {
        synchronized (pending) {
            if (pendingCount == PENDING) return false;
            Packet q = pending[pendingCount];
            if (q == null) pending[pendingCount] = q = new Packet();
            q.setFrame(f.array(), f.start(), f.length());
            pendingFamily[pendingCount] = family;
            pendingHi[pendingCount] = hi;
            pendingLo[pendingCount] = lo;
            pendingCount++;
            return true;
        }
    }

    private void learn(int family, long hi, long lo, long lladdr) {
        neighbours.learn(family, hi, lo, lladdr);
        synchronized (pending) {
            int kept = 0;
            for (int i = 0; i < pendingCount; i++) {
                Packet q = pending[i];
                if (pendingFamily[i] == family && pendingHi[i] == hi && pendingLo[i] == lo) {
                    putMac(q.array(), q.start(), lladdr);
                    putMac(q.array(), q.start() + 6, mac);
                    inject(q);
                    continue;
                }
                if (kept != i) { // keep order: swap the buffer into the kept slot
                    pending[i] = pending[kept];
                    pending[kept] = q;
                    pendingFamily[kept] = pendingFamily[i];
                    pendingHi[kept] = pendingHi[i];
                    pendingLo[kept] = pendingLo[i];
                }
                kept++;
            }
            pendingCount = kept;
        }
    }

    /** Sends an ARP request or a neighbour solicitation for an address, built in {@code buf}. */
    private void solicit(Packet buf, int family, long hi, long lo) {
        byte[] b = buf.array();
        if (family == 4) {
            if (ipv4 == null) return;
            buf.reset(ETH_MIN_FRAME);
            int s = buf.start();
            int p = ethernet(b, s, BROADCAST_MAC, mac, Packet.ETHERTYPE_ARP);
            p = arp(b, p, 1, mac, v4, 0, (int) lo);
            zero(b, p, s + ETH_MIN_FRAME);
        } else {
            // source: the global address when the target is global (as Linux picks), else link-local
            boolean global = ipv6 != null && (hi >>> 54) != 0x3FA;
            long srcHi = global ? v6Hi : LINK_LOCAL_HI, srcLo = global ? v6Lo : llLo;
            long dstLo = solicitedNodeLo(lo);
            buf.reset(Packet.ETH_HLEN + IPV6_HLEN + NDP_LENGTH);
            int s = buf.start();
            int l3 = ethernet(b, s, ipv6MulticastMac(dstLo), mac, Packet.ETHERTYPE_IPV6);
            int l4 = Frames.ipv6(b, l3, NDP_LENGTH, Packet.PROTO_ICMPV6, 255, srcHi, srcLo, SOLICITED_NODE_HI, dstLo);
            ndp(b, l4, ICMP6_NEIGHBOUR_SOLICIT, 0, hi, lo, mac);
            transportChecksum(b, l3, l4, NDP_LENGTH, Packet.PROTO_ICMPV6);
        }
        inject(buf);
    }

    /** The next hop toward {@code dst}: itself when on-link, else the gateway; null without a route. */
    public IpAddress nextHop(IpAddress dst) {
        if (dst.isV4()) {
            if (ipv4 != null && ((dst.lo() ^ v4) & v4Mask) == 0) return dst;
            return gateway4;
        }
        if (onLink6(dst.hi(), dst.lo())) return dst;
        return gateway6;
    }

    /** Whether the MAC of the next hop toward {@code dst} is known. */
    public boolean resolved(IpAddress dst) {
        IpAddress nh = nextHop(dst);
        return nh != null && neighbours.lookup(nh.family(), nh.hi(), nh.lo()) >= 0;
    }

    /**
     * Resolves the next hop toward {@code dst} by ARP/NDP, asking again every 500 ms, until it
     * answers or the time is up. With a synchronous port the answer is in when the first request
     * returns.
     */
    public boolean resolve(IpAddress dst, long timeoutMillis) {
        IpAddress nh = nextHop(dst);
        if (nh == null || (nh.family() == 4 && ipv4 == null)) return false;
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        long nextAsk = System.nanoTime();
        while (neighbours.lookup(nh.family(), nh.hi(), nh.lo()) < 0) {
            long now = System.nanoTime();
            if (now - deadline > 0 || Thread.currentThread().isInterrupted()) return false;
            if (now - nextAsk >= 0) {
                synchronized (originLock) { solicit(origin, nh.family(), nh.hi(), nh.lo()); }
                nextAsk = now + 500_000_000L;
                continue;
            }
            LockSupport.parkNanos(1_000_000L);
        }
        return true;
    }

    /** Forgets learned neighbours (the next send resolves again). */
    public void flushNeighbours() { neighbours.clear(); }

    /** The MAC learned for an address, or null. */
    public MacAddress neighbour(IpAddress a) {
        long m = neighbours.lookup(a.family(), a.hi(), a.lo());
        return m < 0 ? null : new MacAddress(m);
    }

    // ---- frame builders (used by the traffic source with its own buffer) ----

    int ipHeader(byte[] b, int l3, int family, int totalLength, int proto, long dstHi, long dstLo) {
        if (family == 4) {
            return Frames.ipv4(b, l3, totalLength, ipId.getAndIncrement() & 0xFFFF, true, TTL, proto, v4, (int) dstLo);
        }
        boolean ll = (dstHi >>> 54) == 0x3FA || ipv6 == null;
        return Frames.ipv6(b, l3, totalLength - IPV6_HLEN, proto, TTL, ll ? LINK_LOCAL_HI : v6Hi, ll ? llLo : v6Lo, dstHi, dstLo);
    }

    static void payload(byte[] b, int off, int len, long tag) {
        if (len >= 8) {
            put64(b, off, tag);
            zero(b, off + 8, off + len);
        } else {
            zero(b, off, off + len);
        }
    }

    /** Pads a short frame to the Ethernet minimum with zeros (the IP length keeps the real size). */
    static void pad(Packet f, int frameLength) {
        if (frameLength < ETH_MIN_FRAME) zero(f.array(), f.start() + frameLength, f.start() + ETH_MIN_FRAME);
    }

    void requireFamily(int family) {
        if (family == 4 ? ipv4 == null : family != 6) throw new IllegalStateException(name + " has no IPv" + family + " address");
    }

    /**
     * Builds a UDP datagram from this host into {@code f}; the first 8 payload bytes carry
     * {@code tag}, the rest are zero. Send it with {@link #transmit}.
     */
    public void buildUdp(Packet f, int family, long dstHi, long dstLo, int srcPort, int dstPort, int payloadLength, long tag) {
        requireFamily(family);
        int hl = family == 4 ? IPV4_HLEN : IPV6_HLEN;
        int l4len = UDP_HLEN + payloadLength;
        int frame = Packet.ETH_HLEN + hl + l4len;
        f.reset(Math.max(frame, ETH_MIN_FRAME));
        byte[] b = f.array();
        int s = f.start();
        int l3 = ethernet(b, s, 0, mac, family == 4 ? Packet.ETHERTYPE_IPV4 : Packet.ETHERTYPE_IPV6);
        int l4 = ipHeader(b, l3, family, hl + l4len, Packet.PROTO_UDP, dstHi, dstLo);
        udp(b, l4, srcPort, dstPort, l4len);
        payload(b, l4 + UDP_HLEN, payloadLength, tag);
        transportChecksum(b, l3, l4, l4len, Packet.PROTO_UDP);
        pad(f, frame);
    }

    int mssFor(int family) {
        VirtualPort p = port;
        int mtu = p == null ? 1500 : p.mtu();
        return mtu - (family == 4 ? IPV4_HLEN : IPV6_HLEN) - TCP_HLEN;
    }

    // ---- originating traffic ----

    /** Sends one UDP datagram (payload zero but for an 8-byte tag). */
    public boolean sendUdp(IpAddress dst, int srcPort, int dstPort, int payloadLength) {
        synchronized (originLock) {
            buildUdp(origin, dst.family(), dst.hi(), dst.lo(), srcPort, dstPort, payloadLength, System.nanoTime());
            return transmit(origin);
        }
    }

    /** Sends one echo request with this host's identifier. */
    public boolean sendEcho(IpAddress dst, int seq, int payloadLength) {
        int family = dst.family();
        requireFamily(family);
        synchronized (originLock) {
            int hl = family == 4 ? IPV4_HLEN : IPV6_HLEN;
            int proto = family == 4 ? Packet.PROTO_ICMP : Packet.PROTO_ICMPV6;
            int l4len = 8 + payloadLength;
            int frame = Packet.ETH_HLEN + hl + l4len;
            origin.reset(Math.max(frame, ETH_MIN_FRAME));
            byte[] b = origin.array();
            int s = origin.start();
            int l3 = ethernet(b, s, 0, mac, family == 4 ? Packet.ETHERTYPE_IPV4 : Packet.ETHERTYPE_IPV6);
            int l4 = ipHeader(b, l3, family, hl + l4len, proto, dst.hi(), dst.lo());
            echo(b, l4, family == 4 ? ICMP_ECHO_REQUEST : ICMP6_ECHO_REQUEST, pingId, seq & 0xFFFF);
            payload(b, l4 + 8, payloadLength, System.nanoTime());
            transportChecksum(b, l3, l4, l4len, proto);
            pad(origin, frame);
            return transmit(origin);
        }
    }

    /**
     * Sends an echo request and waits for its reply or an ICMP error about it. One ping at a
     * time per host.
     */
    public PingResult ping(IpAddress dst, int seq, int payloadLength, long timeoutMillis) {
        synchronized (pingLock) {
            synchronized (pingMonitor) {
                waitSeq = seq & 0xFFFF;
                pingResult = null;
                pingSentNanos = System.nanoTime();
            }
            boolean sent = sendEcho(dst, seq, payloadLength);
            synchronized (pingMonitor) {
                try {
                    if (!sent && pingResult == null) return new PingResult(nextHop(dst) == null ? Outcome.NO_ROUTE : Outcome.NOT_SENT, null, seq, 0, 0, 0, -1, -1);
                    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
                    while (pingResult == null) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) return new PingResult(Outcome.TIMEOUT, null, seq, 0, 0, 0, -1, -1);
                        try {
                            pingMonitor.wait(Math.max(1, left / 1_000_000L));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return new PingResult(Outcome.TIMEOUT, null, seq, 0, 0, 0, -1, -1);
                        }
                    }
                    return pingResult;
                } finally {
                    waitSeq = -1;
                }
            }
        }
    }

    private void pingAnswered(Outcome outcome, Packet p, int seq, int type, int code) {
        synchronized (pingMonitor) {
            if (seq != waitSeq || pingResult != null) return;
            IpAddress from = new IpAddress(p.ipVersion(), p.srcHi(), p.srcLo());
            pingResult = new PingResult(outcome, from, seq, p.ttl(), p.l3End() - p.l4(), System.nanoTime() - pingSentNanos, type, code);
            pingMonitor.notifyAll();
        }
    }

    // ---- TCP (the connections and their segments live in TcpStack) ----

    /** Opens a connection: sends a SYN and returns the connection in SYN_SENT. */
    public TcpConnection tcpConnect(IpAddress dst, int srcPort, int dstPort) {
        requireFamily(dst.family());
        return tcp.connect(dst, srcPort, dstPort);
    }

    /** Sends the SYN again while the connection is still opening. */
    public void tcpRetransmitSyn(TcpConnection c) { tcp.retransmitSyn(c); }

    /**
     * Sends one data segment of {@code payloadLength} bytes (capped at the peer's MSS) built in
     * {@code f}, when the connection is established and the peer's window has room. After
     * 200 ms without an acknowledgement while more than two segments are outstanding, or after
     * three duplicate ACKs, sending goes back to the first unacknowledged byte (go-back-N).
     *
     * @return the payload bytes sent, 0 when nothing could be sent now, -1 when the port dropped it
     */
    public int tcpSend(TcpConnection c, Packet f, int payloadLength, long tag) { return tcp.send(c, f, payloadLength, tag); }

    /** Closes an established connection with a FIN; the peer's FIN is acknowledged when it comes. */
    public void tcpClose(TcpConnection c) { tcp.close(c); }

    public List<TcpConnection> tcpConnections() { return tcp.connections(); }

    // =====================================================================================
    // receiving
    // =====================================================================================

    @Override
    public void accept(Packet p) {
        synchronized (rxLock) {
            rxFrames++;
            rxBytes += p.length();
            DropReason bad = p.parse();
            if (bad != null) { malformed++; return; }
            long dst = p.ethDst();
            if (dst != mac && dst != BROADCAST_MAC && !wantedMulticast(dst)) { notForUs++; return; }
            if (p.vlanTci() >= 0) { unhandled++; return; }
            switch (p.etherType()) {
                case Packet.ETHERTYPE_ARP -> onArp(p);
                case Packet.ETHERTYPE_IPV4 -> onIpv4(p);
                case Packet.ETHERTYPE_IPV6 -> onIpv6(p);
                default -> unhandled++;
            }
        }
    }

    private boolean wantedMulticast(long dst) {
        if ((dst >>> 32) != 0x3333) return false;
        long low = dst & 0xFFFF_FFFFL;
        return low == 1 || low == (solicitedNodeLo(llLo) & 0xFFFF_FFFFL)
                || (ipv6 != null && low == (solicitedNodeLo(v6Lo) & 0xFFFF_FFFFL));
    }

    private void onArp(Packet p) {
        int a = p.l3();
        if (p.u16(a) != 1 || p.u16(a + 2) != Packet.ETHERTYPE_IPV4 || p.u8(a + 4) != 6 || p.u8(a + 5) != 4) { unhandled++; return; }
        int op = p.u16(a + 6);
        long sha = p.mac(a + 8);
        int spa = p.u32(a + 14);
        int tpa = p.u32(a + 24);
        if (ipv4 == null || tpa != v4) { notForUs++; return; }
        if (op == 1) {
            learn(4, 0, spa & 0xFFFF_FFFFL, sha);
            arpAnswered++;
            reply.reset(ETH_MIN_FRAME);
            byte[] b = reply.array();
            int s = reply.start();
            int q = ethernet(b, s, sha, mac, Packet.ETHERTYPE_ARP);
            q = arp(b, q, 2, mac, v4, sha, spa);
            zero(b, q, s + ETH_MIN_FRAME);
            inject(reply);
        } else if (op == 2) {
            learn(4, 0, spa & 0xFFFF_FFFFL, sha);
        } else {
            unhandled++;
        }
    }

    private void onIpv4(Packet p) {
        if (ipv4 == null || p.ipv4Dst() != v4) { notForUs++; return; }
        if (p.hasFlag(Packet.F_FRAGMENT) || p.l4() < 0) { unhandled++; return; }
        int proto = p.l4Proto();
        if (proto != Packet.PROTO_ICMP && proto != Packet.PROTO_UDP && proto != Packet.PROTO_TCP) { unhandled++; return; }
        if (!transportChecksumOk(p.array(), p.l3(), p.l4(), p.l3End() - p.l4(), proto)) { badChecksum++; return; }
        switch (proto) {
            case Packet.PROTO_ICMP -> onIcmp4(p);
            case Packet.PROTO_UDP -> onUdp(p);
            default -> tcp.receive(p);
        }
    }

    private void onIpv6(Packet p) {
        long dh = p.ipv6DstHi(), dl = p.ipv6DstLo();
        boolean forUs = (dh == LINK_LOCAL_HI && dl == llLo) || (ipv6 != null && dh == v6Hi && dl == v6Lo)
                || (dh == ALL_NODES_HI && dl == ALL_NODES_LO)
                || (dh == SOLICITED_NODE_HI && (dl == solicitedNodeLo(llLo) || (ipv6 != null && dl == solicitedNodeLo(v6Lo))));
        if (!forUs) { notForUs++; return; }
        if (p.hasFlag(Packet.F_FRAGMENT) || p.l4() < 0) { unhandled++; return; }
        int proto = p.l4Proto();
        if (proto != Packet.PROTO_ICMPV6 && proto != Packet.PROTO_UDP && proto != Packet.PROTO_TCP) { unhandled++; return; }
        if (!transportChecksumOk(p.array(), p.l3(), p.l4(), p.l3End() - p.l4(), proto)) { badChecksum++; return; }
        switch (proto) {
            case Packet.PROTO_ICMPV6 -> onIcmp6(p);
            case Packet.PROTO_UDP -> onUdp(p);
            default -> tcp.receive(p);
        }
    }

    private void onUdp(Packet p) {
        int len = p.ipLength();
        udpPackets++;
        udpBytes += len;
        flows.count(p.ipVersion(), Packet.PROTO_UDP, p.srcHi(), p.srcLo(), p.dstHi(), p.dstLo(), p.srcPort(), p.dstPort(), len);
    }

    // ---- ICMP ----

    private void onIcmp4(Packet p) {
        int l4 = p.l4();
        int type = p.icmpType();
        switch (type) {
            case ICMP_ECHO_REQUEST -> {
                if (p.icmpCode() != 0) { unhandled++; return; }
                echoAnswered++;
                echoReply(p, ICMP_ECHO_REPLY);
            }
            case ICMP_ECHO_REPLY -> {
                echoReplies++;
                if (p.u16(l4 + 4) == pingId) pingAnswered(Outcome.REPLY, p, p.u16(l4 + 6), type, p.icmpCode());
            }
            case ICMP_UNREACHABLE, ICMP_TIME_EXCEEDED, 12 -> {
                icmpErrors++;
                int inner = l4 + 8;
                if (inner + IPV4_HLEN > p.l3End() || p.u8(inner + 9) != Packet.PROTO_ICMP) return;
                int icmp = inner + (p.u8(inner) & 0x0F) * 4;
                if (icmp + 8 <= p.l3End() && p.u8(icmp) == ICMP_ECHO_REQUEST && p.u16(icmp + 4) == pingId) {
                    pingAnswered(Outcome.ERROR, p, p.u16(icmp + 6), type, p.icmpCode());
                }
            }
            default -> unhandled++;
        }
    }

    private void onIcmp6(Packet p) {
        int l4 = p.l4();
        int type = p.icmpType();
        switch (type) {
            case ICMP6_NEIGHBOUR_SOLICIT -> onNeighbourSolicit(p);
            case ICMP6_NEIGHBOUR_ADVERT -> onNeighbourAdvert(p);
            case ICMP6_ECHO_REQUEST -> {
                if (p.icmpCode() != 0) { unhandled++; return; }
                echoAnswered++;
                echoReply(p, ICMP6_ECHO_REPLY);
            }
            case ICMP6_ECHO_REPLY -> {
                echoReplies++;
                if (p.u16(l4 + 4) == pingId) pingAnswered(Outcome.REPLY, p, p.u16(l4 + 6), type, p.icmpCode());
            }
            case ICMP6_UNREACHABLE, ICMP6_PACKET_TOO_BIG, ICMP6_TIME_EXCEEDED, ICMP6_PARAM_PROBLEM -> {
                icmpErrors++;
                int inner = l4 + 8;
                int icmp = inner + IPV6_HLEN;
                if (icmp + 8 <= p.l3End() && p.u8(inner + 6) == Packet.PROTO_ICMPV6
                        && p.u8(icmp) == ICMP6_ECHO_REQUEST && p.u16(icmp + 4) == pingId) {
                    pingAnswered(Outcome.ERROR, p, p.u16(icmp + 6), type, p.icmpCode());
                }
            }
            default -> unhandled++; // router advertisements, MLD, ...
        }
    }

    /** Answers an echo request with the same identifier, sequence and data (RFC 792, RFC 4443 4.2). */
    private void echoReply(Packet req, int replyType) {
        int family = req.ipVersion();
        int l4len = req.l3End() - req.l4();
        int hl = family == 4 ? IPV4_HLEN : IPV6_HLEN;
        int proto = family == 4 ? Packet.PROTO_ICMP : Packet.PROTO_ICMPV6;
        int frame = Packet.ETH_HLEN + hl + l4len;
        reply.reset(Math.max(frame, ETH_MIN_FRAME));
        byte[] b = reply.array();
        int s = reply.start();
        int l3 = ethernet(b, s, 0, mac, family == 4 ? Packet.ETHERTYPE_IPV4 : Packet.ETHERTYPE_IPV6);
        int l4;
        if (family == 4) {
            l4 = Frames.ipv4(b, l3, hl + l4len, ipId.getAndIncrement() & 0xFFFF, true, TTL, proto, v4, req.ipv4Src());
        } else {
            // answer from the address the request was sent to (multicast requests from our own)
            long srcHi = req.ipv6DstHi(), srcLo = req.ipv6DstLo();
            if ((srcHi >>> 56) == 0xFF) { srcHi = ipv6 != null ? v6Hi : LINK_LOCAL_HI; srcLo = ipv6 != null ? v6Lo : llLo; }
            l4 = Frames.ipv6(b, l3, l4len, proto, TTL, srcHi, srcLo, req.ipv6SrcHi(), req.ipv6SrcLo());
        }
        System.arraycopy(req.array(), req.l4(), b, l4, l4len);
        b[l4] = (byte) replyType;
        put16(b, l4 + 2, 0);
        transportChecksum(b, l3, l4, l4len, proto);
        pad(reply, frame);
        transmit(reply);
    }

    // ---- NDP (RFC 4861 7.1 validation, 7.2 answers) ----

    private boolean ours6(long hi, long lo) {
        return (hi == LINK_LOCAL_HI && lo == llLo) || (ipv6 != null && hi == v6Hi && lo == v6Lo);
    }

    /** The link-layer address option of a given type, or -1. */
    private static long lladdrOption(Packet p, int from, int optType) {
        int end = p.l3End();
        for (int o = from; o + 8 <= end; ) {
            int len = p.u8(o + 1) * 8;
            if (len == 0) return -1;
            if (p.u8(o) == optType && len >= 8) return p.mac(o + 2);
            o += len;
        }
        return -1;
    }

    private void onNeighbourSolicit(Packet p) {
        int l4 = p.l4();
        if (p.ttl() != 255 || p.icmpCode() != 0 || p.l3End() - l4 < 24) { malformed++; return; }
        long th = p.u64(l4 + 8), tl = p.u64(l4 + 16);
        if (!ours6(th, tl)) { notForUs++; return; }
        long sha = lladdrOption(p, l4 + 24, NDP_OPT_SOURCE_LLADDR);
        long sh = p.ipv6SrcHi(), sl = p.ipv6SrcLo();
        boolean unspecified = sh == 0 && sl == 0;
        if (!unspecified && sha >= 0) learn(6, sh, sl, sha);
        nsAnswered++;
        long dh = unspecified ? ALL_NODES_HI : sh, dl = unspecified ? ALL_NODES_LO : sl;
        long dmac = unspecified ? ipv6MulticastMac(ALL_NODES_LO) : (sha >= 0 ? sha : p.ethSrc());
        reply.reset(Packet.ETH_HLEN + IPV6_HLEN + NDP_LENGTH);
        byte[] b = reply.array();
        int s = reply.start();
        int l3 = ethernet(b, s, dmac, mac, Packet.ETHERTYPE_IPV6);
        int q = Frames.ipv6(b, l3, NDP_LENGTH, Packet.PROTO_ICMPV6, 255, th, tl, dh, dl);
        ndp(b, q, ICMP6_NEIGHBOUR_ADVERT, (unspecified ? 0 : 0x40) | 0x20, th, tl, mac);
        transportChecksum(b, l3, q, NDP_LENGTH, Packet.PROTO_ICMPV6);
        inject(reply);
    }

    private void onNeighbourAdvert(Packet p) {
        int l4 = p.l4();
        if (p.ttl() != 255 || p.icmpCode() != 0 || p.l3End() - l4 < 24) { malformed++; return; }
        long th = p.u64(l4 + 8), tl = p.u64(l4 + 16);
        long tha = lladdrOption(p, l4 + 24, NDP_OPT_TARGET_LLADDR);
        learn(6, th, tl, tha >= 0 ? tha : p.ethSrc());
    }

    // =====================================================================================
    // counters
    // =====================================================================================

    public Counters counters() {
        synchronized (rxLock) {
            return new Counters(rxFrames, rxBytes, txFrames.get(), txBytes.get(), txDropped.get(),
                    arpAnswered, nsAnswered, echoAnswered, echoReplies, icmpErrors, udpPackets, udpBytes,
                    tcp.data, tcp.dataBytes, tcp.control, tcp.outOfOrder, tcp.resets, badChecksum, malformed, notForUs, unhandled + tcp.unhandled);
        }
    }

    /** Packets received of one flow (as the tuple arrived here), 0 when never seen. */
    public long flowPackets(FiveTuple t) {
        synchronized (rxLock) { return flows.packets(t); }
    }

    public long flowBytes(FiveTuple t) {
        synchronized (rxLock) { return flows.bytes(t); }
    }

    public List<Flow> flows() {
        synchronized (rxLock) { return flows.list(); }
    }

    @Override
    public String toString() {
        return name + " " + new MacAddress(mac) + (ipv4 != null ? " " + ipv4 : "") + (ipv6 != null ? " " + ipv6 : "");
    }
}
