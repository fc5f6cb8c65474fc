package org.flowgate.driver.emulated.eswitch;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One entry of the CT table (mlx5's ct / ct_nat flow table): matches a zone, an ingress port and
 * VLAN and a 5-tuple; on a hit it loads the ct registers (mark, labels, the fte_id of the post_ct
 * rule), applies the NAT mangles and continues in post_ct. Immutable but for its counters.
 */
final class CtEntry {
    private static final VarHandle PACKETS, BYTES, LAST_USED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PACKETS = l.findVarHandle(CtEntry.class, "packets", long.class);
            BYTES = l.findVarHandle(CtEntry.class, "bytes", long.class);
            LAST_USED = l.findVarHandle(CtEntry.class, "lastUsed", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // match
    final int hash, zone, inPort, inVlan, family, proto, srcPort, dstPort;
    final long srcHi, srcLo, dstHi, dstLo;
    // registers and mangles
    final int mark;
    final long labelsHi, labelsLo;
    final int fteId;
    final boolean snat, dnat;
    final long newSrcHi, newSrcLo, newDstHi, newDstLo;
    final int newSrcPort, newDstPort;
    final long cookie;

    @SuppressWarnings("unused") private volatile long packets, bytes, lastUsed;

    CtEntry(int zone, int inPort, int inVlan, int family, int proto, long srcHi, long srcLo, long dstHi, long dstLo, int srcPort,
            int dstPort, int mark, long labelsHi, long labelsLo, int fteId, long newSrcHi, long newSrcLo, long newDstHi, long newDstLo,
            int newSrcPort, int newDstPort, long cookie) {
        this.zone = zone; this.inPort = inPort; this.inVlan = inVlan; this.family = family; this.proto = proto;
        this.srcHi = srcHi; this.srcLo = srcLo; this.dstHi = dstHi; this.dstLo = dstLo; this.srcPort = srcPort; this.dstPort = dstPort;
        this.mark = mark; this.labelsHi = labelsHi; this.labelsLo = labelsLo; this.fteId = fteId;
        this.newSrcHi = newSrcHi; this.newSrcLo = newSrcLo; this.newDstHi = newDstHi; this.newDstLo = newDstLo;
        this.newSrcPort = newSrcPort; this.newDstPort = newDstPort; this.cookie = cookie;
        this.snat = srcHi != newSrcHi || srcLo != newSrcLo || srcPort != newSrcPort;
        this.dnat = dstHi != newDstHi || dstLo != newDstLo || dstPort != newDstPort;
        this.hash = hash(zone, inPort, inVlan, family, proto, srcHi, srcLo, dstHi, dstLo, srcPort, dstPort);
    }

    static int hash(int zone, int inPort, int inVlan, int family, int proto, long srcHi, long srcLo, long dstHi, long dstLo,
            int srcPort, int dstPort) {
        long h = srcHi * 0x9E3779B97F4A7C15L + srcLo;
        h = h * 0x9E3779B97F4A7C15L + dstHi;
        h = h * 0x9E3779B97F4A7C15L + dstLo;
        h = h * 0x9E3779B97F4A7C15L + (((long) srcPort << 48) | ((long) dstPort << 32) | ((long) proto << 24) | ((long) family << 20) | zone);
        h = h * 0x9E3779B97F4A7C15L + (((long) inPort << 16) ^ (inVlan & 0xFFFF));
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        return (int) (h ^ (h >>> 32));
    }

    boolean matches(int h, int zone, int inPort, int inVlan, int family, int proto, long srcHi, long srcLo, long dstHi, long dstLo,
            int srcPort, int dstPort) {
        return hash == h && this.srcLo == srcLo && this.dstLo == dstLo && this.srcHi == srcHi && this.dstHi == dstHi
                && this.srcPort == srcPort && this.dstPort == dstPort && this.proto == proto && this.family == family
                && this.zone == zone && this.inPort == inPort && this.inVlan == inVlan;
    }

    void count(int frameBytes, long nowMillis) {
        PACKETS.getAndAdd(this, 1L);
        BYTES.getAndAdd(this, (long) frameBytes);
        if ((long) LAST_USED.getOpaque(this) != nowMillis) LAST_USED.setOpaque(this, nowMillis);
    }

    long packets() { return (long) PACKETS.getVolatile(this); }

    long bytes() { return (long) BYTES.getVolatile(this); }

    long lastUsedMillis() { return (long) LAST_USED.getVolatile(this); }
}
