package org.flowgate.flowtable.table;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.flowgate.api.netdev.NetDevice;

/**
 * One direction of a flow, as Linux's {@code flow_offload_tuple}: the key an arriving packet is
 * looked up with (addresses, ports, protocol, ingress device and VLAN) and everything the fast path
 * needs to forward it. The fast path reads the same values from the table's slot array
 * ({@link FlowHashTable}); this object is what the control plane sees. Immutable but for its
 * counters, its last-used time and the teardown mark.
 */
public final class FlowTuple {
    private static final VarHandle HW_PACKETS, HW_BYTES;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HW_PACKETS = l.findVarHandle(FlowTuple.class, "hwPackets", long.class);
            HW_BYTES = l.findVarHandle(FlowTuple.class, "hwBytes", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // ---- key ----
    public final int family, proto, srcPort, dstPort, inIfIndex, inVlan;
    public final long srcHi, srcLo, dstHi, dstLo;

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

    /**
     * The table this direction is in and its flow index there (-1 when not in a table): the live
     * counters are in its slot; what left the slots (removal, rebuilds) was retired into here.
     */
    private volatile FlowHashTable table;
    private volatile int index = -1;
    private volatile long retiredPackets, retiredBytes;
    /** Last used while not in a table (the table's store has it meanwhile). */
    private volatile long lastUsed;
    /** Mirrors the flow's teardown flag. */
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


    /** A hash of a lookup key (the table hashes its slot words instead, {@link FlowHashTable#hash}); spreads well for linear probing (a splitmix64 finalizer). */
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

    /** The flow index while in a table, else -1. */
    int index() { return index; }

    /** Enters a table at {@code index}; under the table's lock. */
    void attach(FlowHashTable t, int index) {
        table = t;
        this.index = index;
    }

    /** Leaves the table (its counts were retired here); under the table's lock. */
    void detach() { index = -1; }

    /** Adds counts that leave the table's slots (removal, harvest of a rebuilt-away array); under the table's lock. */
    void retire(long packets, long bytes, boolean counting) {
        if (!counting) return;
        retiredPackets += packets;
        retiredBytes += bytes;
    }

    /**
     * Counts one forwarded packet of {@code len} bytes (IP length, as Linux's flow counters) from
     * off the fast path; the fast path counts in the slot ({@link FlowHashTable#hit}).
     */
    public void count(int len) {
        FlowHashTable t = table;
        if (index >= 0) t.update(this, 0, len, true);
    }

    /** Marks the direction used at {@code now} (hardware stats refresh). */
    public void touch(long now) {
        FlowHashTable t = table;
        if (index < 0 || !t.update(this, now, 0, false)) lastUsed = now;
    }

    long lastUsed() {
        FlowHashTable t = table;
        return index >= 0 ? t.lastUsed(this, lastUsed) : lastUsed;
    }

    void setLastUsed(long t) { lastUsed = t; }

    /** Whether the flow ended: hits go to the classic path. */
    public boolean isTornDown() { return tornDown; }

    /** Adds a hardware stats delta; never called on the packet path. */
    void countHardware(long packets, long bytes) {
        HW_PACKETS.getAndAdd(this, packets);
        HW_BYTES.getAndAdd(this, bytes);
    }

    /** Packets of this direction forwarded by the fast path and by hardware (fast path only when the table counts). */
    public long packets() { return retiredPackets + live(FlowHashTable.PACKETS) + hwPackets; }

    public long bytes() { return retiredBytes + live(FlowHashTable.BYTES) + hwBytes; }

    private long live(int word) {
        FlowHashTable t = table;
        return index >= 0 && t.counting() ? t.live(this, word) : 0;
    }

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
