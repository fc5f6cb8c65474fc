package org.flowgate.flowtable.table;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.flowgate.api.netdev.NetDevice;

/**
 * One direction of a flow, as Linux's {@code flow_offload_tuple}: the key an arriving packet is
 * looked up with (addresses, ports, protocol, ingress device and VLAN) and everything the fast path
 * needs to forward it, so a hit touches this object only. Immutable but for its counters, its
 * last-used time and the teardown mark.
 */
public final class FlowTuple {
    private static final VarHandle PACKETS, BYTES, HW_PACKETS, HW_BYTES, LAST_USED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PACKETS = l.findVarHandle(FlowTuple.class, "packets", long.class);
            BYTES = l.findVarHandle(FlowTuple.class, "bytes", long.class);
            HW_PACKETS = l.findVarHandle(FlowTuple.class, "hwPackets", long.class);
            HW_BYTES = l.findVarHandle(FlowTuple.class, "hwBytes", long.class);
            LAST_USED = l.findVarHandle(FlowTuple.class, "lastUsed", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // ---- key ----
    public final int family, proto, srcPort, dstPort, inIfIndex, inVlan;
    public final long srcHi, srcLo, dstHi, dstLo;
    final int hash;

    public final Flow flow;
    public final int dir;

    // ---- NAT: the tuple the packet leaves with ----
    public final long newSrcHi, newSrcLo, newDstHi, newDstLo;
    public final int newSrcPort, newDstPort;
    public final boolean snat, dnat;
    /** {@code snat || dnat}: the transport checksum changes. */
    public final boolean nat;
    /**
     * The constant part of this direction's checksum updates (RFC 1624: the one's complement sum
     * of {@code ~old + new} over every 16-bit word that changes), computed once here so a hit adds
     * one value per checksum: {@code ipDelta} covers the IPv4 addresses and the TTL decrement,
     * {@code l4Delta} the addresses (pseudo-header) and ports. The old words are the lookup key, so
     * they are known when the flow is added.
     */
    public final int ipDelta, l4Delta;
    /** The 12 bytes of destination and source MAC as one 8-byte and one 4-byte store (big-endian). */
    public final long macHead;
    public final int macTail;

    // ---- forwarding ----
    public final NetDevice inDevice;
    public final NetDevice outDevice;
    public final int outIfIndex, outVlan, mtu;
    public final long srcMac, dstMac;
    /** Gateway or destination the next-hop MAC belongs to (checked by the garbage collector). */
    public final long nextHopHi, nextHopLo;

    private volatile long packets, bytes;
    /** Last hit of this direction: kept here, not in the flow, so a hit touches one object. */
    private volatile long lastUsed;
    /** Mirrors the flow's teardown flag for the same reason. */
    volatile boolean tornDown;
    /** What an offload driver forwarded (added from the offload manager's threads). */
    private volatile long hwPackets, hwBytes;

    FlowTuple(Flow flow, int dir, Spec s) {
        this.flow = flow;
        this.dir = dir;
        family = s.family; proto = s.proto; srcPort = s.srcPort; dstPort = s.dstPort; inIfIndex = s.inDevice.ifIndex(); inVlan = s.inVlan;
        srcHi = s.srcHi; srcLo = s.srcLo; dstHi = s.dstHi; dstLo = s.dstLo;
        newSrcHi = s.newSrcHi; newSrcLo = s.newSrcLo; newDstHi = s.newDstHi; newDstLo = s.newDstLo;
        newSrcPort = s.newSrcPort; newDstPort = s.newDstPort;
        snat = newSrcHi != srcHi || newSrcLo != srcLo || newSrcPort != srcPort;
        dnat = newDstHi != dstHi || newDstLo != dstLo || newDstPort != dstPort;
        inDevice = s.inDevice; outDevice = s.outDevice; outIfIndex = s.outDevice.ifIndex(); outVlan = s.outVlan;
        mtu = s.mtu; srcMac = s.srcMac; dstMac = s.dstMac; nextHopHi = s.nextHopHi; nextHopLo = s.nextHopLo;
        hash = hash(family, srcHi, srcLo, dstHi, dstLo, proto, srcPort, dstPort, inIfIndex, inVlan);
        nat = snat || dnat;
        long addr = 0;
        if (family == 4) {
            addr = delta32(addr, (int) srcLo, (int) newSrcLo);
            addr = delta32(addr, (int) dstLo, (int) newDstLo);
        } else {
            addr = delta64(addr, srcHi, newSrcHi);
            addr = delta64(addr, srcLo, newSrcLo);
            addr = delta64(addr, dstHi, newDstHi);
            addr = delta64(addr, dstLo, newDstLo);
        }
        ipDelta = fold(addr + TTL_DECREMENT);
        l4Delta = nat ? fold(delta16(delta16(addr, srcPort, newSrcPort), dstPort, newDstPort)) : 0;
        macHead = (dstMac << 16) | ((srcMac >>> 32) & 0xFFFF);
        macTail = (int) srcMac;
    }

    /** {@code ~m + m'} for the TTL/protocol word when the TTL drops by one (no borrow: TTL > 1). */
    private static final int TTL_DECREMENT = 0xFEFF;

    private static long delta16(long sum, int old, int now) { return sum + (~old & 0xFFFF) + (now & 0xFFFF); }

    private static long delta32(long sum, int old, int now) { return delta16(delta16(sum, old >>> 16, now >>> 16), old, now); }

    private static long delta64(long sum, long old, long now) { return delta32(delta32(sum, (int) (old >>> 32), (int) (now >>> 32)), (int) old, (int) now); }

    private static int fold(long sum) {
        while ((sum >>> 16) != 0) sum = (sum & 0xFFFF) + (sum >>> 16);
        return (int) sum;
    }

    private FlowTuple() {
        flow = null; dir = -1;
        family = proto = srcPort = dstPort = inVlan = 0; inIfIndex = -1;
        srcHi = srcLo = dstHi = dstLo = newSrcHi = newSrcLo = newDstHi = newDstLo = 0;
        newSrcPort = newDstPort = 0; snat = dnat = nat = false;
        ipDelta = l4Delta = macTail = 0; macHead = 0;
        inDevice = outDevice = null; outIfIndex = outVlan = mtu = 0; srcMac = dstMac = nextHopHi = nextHopLo = 0;
        hash = 0;
    }

    static FlowTuple tombstone() { return new FlowTuple(); }

    /** The hash of a lookup key; spreads well for linear probing (a splitmix64 finalizer). */
    public static int hash(int family, long srcHi, long srcLo, long dstHi, long dstLo, int proto, int srcPort, int dstPort,
            int inIfIndex, int inVlan) {
        long h = srcLo * 0x9E3779B97F4A7C15L + dstLo;
        h = (h ^ srcHi) * 0x9E3779B97F4A7C15L + dstHi;
        h = h * 0x9E3779B97F4A7C15L + (((long) srcPort << 48) | ((long) dstPort << 32) | ((long) (inVlan & 0xFFFF) << 16) | (proto << 4) | family);
        h = h * 0x9E3779B97F4A7C15L + inIfIndex;
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 29;
        return (int) h;
    }

    boolean matches(int h, int family, long srcHi, long srcLo, long dstHi, long dstLo, int proto, int srcPort, int dstPort,
            int inIfIndex, int inVlan) {
        return hash == h && srcLo == this.srcLo && dstLo == this.dstLo && srcPort == this.srcPort && dstPort == this.dstPort
                && inIfIndex == this.inIfIndex && srcHi == this.srcHi && dstHi == this.dstHi && proto == this.proto
                && family == this.family && inVlan == this.inVlan;
    }

    boolean sameKey(FlowTuple o) {
        return o.matches(hash, family, srcHi, srcLo, dstHi, dstLo, proto, srcPort, dstPort, inIfIndex, inVlan);
    }

    /**
     * Counts one forwarded packet of {@code len} bytes (IP length, as Linux's flow counters).
     * Plain (opaque) increments, no atomic instruction: a direction is keyed by its ingress device
     * and a port delivers on one thread (or fans out by flow hash), so each direction has a single
     * writer; readers see a recent value.
     */
    public void count(int len) {
        PACKETS.setOpaque(this, (long) PACKETS.getOpaque(this) + 1);
        BYTES.setOpaque(this, (long) BYTES.getOpaque(this) + len);
    }

    /** Called on every hit: writes only when the (coarse) time moved, to keep the line clean. */
    public void touch(long now) {
        if ((long) LAST_USED.getOpaque(this) != now) LAST_USED.setOpaque(this, now);
    }

    long lastUsed() { return lastUsed; }

    void setLastUsed(long t) { lastUsed = t; }

    /** Whether the flow ended: hits go to the classic path. */
    public boolean isTornDown() { return tornDown; }

    /** Adds a hardware stats delta; never called on the packet path. */
    void countHardware(long packets, long bytes) {
        HW_PACKETS.getAndAdd(this, packets);
        HW_BYTES.getAndAdd(this, bytes);
    }

    /** Packets of this direction forwarded by the fast path and by hardware. */
    public long packets() { return packets + hwPackets; }

    public long bytes() { return bytes + hwBytes; }

    /** The values a tuple is built from: a mutable builder, used when a flow is added. */
    public static final class Spec {
        public int family, proto, srcPort, dstPort, inVlan = -1, outVlan = -1, mtu;
        public long srcHi, srcLo, dstHi, dstLo;
        public long newSrcHi, newSrcLo, newDstHi, newDstLo;
        public int newSrcPort, newDstPort;
        public NetDevice inDevice, outDevice;
        public long srcMac, dstMac, nextHopHi, nextHopLo;
    }
}
