package org.flowgate.conntrack.nat;

import java.util.List;

import org.flowgate.api.conntrack.CtStatus;
import org.flowgate.api.conntrack.NatRange;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.conntrack.table.Conn;
import org.flowgate.conntrack.table.CtTable;
import org.flowgate.conntrack.table.Tuples;

/**
 * Chooses a connection's translated tuple ({@code nf_nat_setup_info}, {@code get_unique_tuple}):
 * an address from the range (stable per source/destination pair) and a port that makes the reply
 * tuple unique in the table. Runs on a connection's first packet only.
 */
public final class NatSelector {
    public static final int OK = 0, EXHAUSTED = 1, NO_ADDRESS = 2, BAD_FAMILY = 3;
    /** Most ports tried for one connection (Linux tries fewer, 128, at random). */
    static final int MAX_PROBES = 4096;

    private final CtTable table;
    private final long seed;

    public NatSelector(CtTable table, long seed) {
        this.table = table;
        this.seed = seed;
    }

    /**
     * Binds {@code range} to the unconfirmed entry {@code c} and rewrites its first packet
     * {@code p} (original direction) accordingly. A second binding of the same kind is ignored.
     */
    public int bind(Conn c, Packet p, NatRange range, long now, Mangler.Scratch s) {
        boolean srcManip = range.kind() != NatRange.Kind.DNAT;
        int done = srcManip ? CtStatus.SRC_NAT_DONE : CtStatus.DST_NAT_DONE;
        if (c.hasStatus(done)) return OK;
        long minHi, minLo, maxHi, maxLo;
        if (range.kind() == NatRange.Kind.MASQUERADE && range.minAddress() == null) {
            IpAddress a = masqueradeAddress(p, c.orig.family);
            if (a == null) return NO_ADDRESS;
            minHi = maxHi = a.hi();
            minLo = maxLo = a.lo();
        } else if (range.minAddress() != null) {
            if (range.minAddress().family() != c.orig.family) return BAD_FAMILY;
            minHi = range.minAddress().hi(); minLo = range.minAddress().lo();
            maxHi = range.maxAddress().hi(); maxLo = range.maxAddress().lo();
        } else {
            // port-only rewrite: keep the current address
            FiveTuple cur = Tuples.invert(new FiveTuple(), c.reply);
            minHi = maxHi = srcManip ? cur.srcHi : cur.dstHi;
            minLo = maxLo = srcManip ? cur.srcLo : cur.dstLo;
        }
        boolean portsGiven = range.minPort() != 0 || range.maxPort() != 0;
        int r = select(c, srcManip, minHi, minLo, maxHi, maxLo, portsGiven, range.minPort(), range.maxPort(), range.random(), now);
        if (r != OK) return r;
        if (range.kind() == NatRange.Kind.MASQUERADE && range.minAddress() == null) {
            c.masqHi = minHi;
            c.masqLo = minLo;
            c.masqDevice = p.outDevice();
        }
        c.setStatus(done);
        Mangler.apply(p, c, Conn.ORIGINAL, srcManip, s);
        return OK;
    }

    /**
     * The null binding Linux gives a connection without source NAT: keep the address, but move
     * the source port when the reply tuple is already taken (two hosts behind DNAT, a race).
     */
    public int nullBindSource(Conn c, Packet p, long now, Mangler.Scratch s) {
        if (c.hasStatus(CtStatus.SRC_NAT_DONE)) return OK;
        c.setStatus(CtStatus.SRC_NAT_DONE);
        if (!table.taken(c.zone, c.reply, c, now)) return OK;
        Conn owner = table.find(c.zone, c.reply, now);
        if (owner != null && Tuples.equal(owner.orig, c.orig)) return OK; // the same flow, raced: confirm joins it
        FiveTuple cur = Tuples.invert(new FiveTuple(), c.reply);
        int r = select(c, true, cur.srcHi, cur.srcLo, cur.srcHi, cur.srcLo, false, 0, 0, false, now);
        if (r == OK) Mangler.apply(p, c, Conn.ORIGINAL, true, s);
        return r;
    }

    private int select(Conn c, boolean srcManip, long minHi, long minLo, long maxHi, long maxLo,
                       boolean portsGiven, int minPort, int maxPort, boolean random, long now) {
        FiveTuple cand = Tuples.invert(new FiveTuple(), c.reply);
        FiveTuple rev = new FiveTuple();
        long curHi = srcManip ? cand.srcHi : cand.dstHi, curLo = srcManip ? cand.srcLo : cand.dstLo;

        // the address: the current one when inside the range, otherwise a stable choice by hash
        if (!inRange(curHi, curLo, minHi, minLo, maxHi, maxLo)) {
            long h = Tuples.hash(seed, c.zone, srcManip ? addrKey(cand.srcHi, cand.srcLo, cand.dstHi, cand.dstLo)
                    : addrKey(cand.srcHi, cand.srcLo, 0, 0)) & 0xFFFF_FFFFL;
            long[] a = pick(minHi, minLo, maxHi, maxLo, h);
            curHi = a[0];
            curLo = a[1];
        }
        if (srcManip) { cand.srcHi = curHi; cand.srcLo = curLo; } else { cand.dstHi = curHi; cand.dstLo = curLo; }

        boolean icmp = Tuples.isIcmp(cand.proto);
        boolean hasPort = icmp || cand.proto == Packet.PROTO_TCP || cand.proto == Packet.PROTO_UDP;
        int port = icmp ? cand.srcPort : srcManip ? cand.srcPort : cand.dstPort;

        // keep the port when allowed and free (Linux tries the original tuple first unless random)
        boolean portInRange = !portsGiven || (port >= minPort && port <= maxPort);
        if ((!hasPort || portInRange) && !random && !taken(c, cand, rev, now)) return commit(c, cand, srcManip);
        if (!hasPort) return EXHAUSTED;

        int lo, size;
        if (portsGiven) {
            lo = minPort; size = maxPort - minPort + 1;
        } else if (icmp) {
            lo = 0; size = 65536;
        } else if (!srcManip) {
            return EXHAUSTED; // destination NAT without a port range cannot move the port
        } else if (port < 512) {
            lo = 1; size = 511;
        } else if (port < 1024) {
            lo = 600; size = 1023 - 600 + 1;
        } else {
            lo = 1024; size = 65536 - 1024;
        }
        int off = random ? java.util.concurrent.ThreadLocalRandom.current().nextInt(size)
                : Integer.remainderUnsigned(Tuples.hash(seed ^ 0x5bd1e995L, c.zone, cand), size);
        int probes = Math.min(size, MAX_PROBES);
        for (int i = 0; i < probes; i++) {
            int candPort = lo + (off + i) % size;
            if (icmp) cand.srcPort = candPort;
            else if (srcManip) cand.srcPort = candPort;
            else cand.dstPort = candPort;
            if (!taken(c, cand, rev, now)) return commit(c, cand, srcManip);
        }
        return EXHAUSTED;
    }

    private boolean taken(Conn c, FiveTuple cand, FiveTuple rev, long now) {
        Tuples.invert(rev, cand);
        return table.taken(c.zone, rev, c, now);
    }

    private static int commit(Conn c, FiveTuple cand, boolean srcManip) {
        FiveTuple before = Tuples.invert(new FiveTuple(), c.reply);
        if (!Tuples.equal(before, cand)) {
            Tuples.invert(c.reply, cand);
            c.setStatus(srcManip ? CtStatus.SRC_NAT : CtStatus.DST_NAT);
        }
        return OK;
    }

    private static FiveTuple addrKey(long sHi, long sLo, long dHi, long dLo) {
        FiveTuple t = new FiveTuple();
        t.srcHi = sHi; t.srcLo = sLo; t.dstHi = dHi; t.dstLo = dLo;
        return t;
    }

    static boolean inRange(long hi, long lo, long minHi, long minLo, long maxHi, long maxLo) {
        return cmp(hi, lo, minHi, minLo) >= 0 && cmp(hi, lo, maxHi, maxLo) <= 0;
    }

    private static int cmp(long aHi, long aLo, long bHi, long bLo) {
        int c = Long.compareUnsigned(aHi, bHi);
        return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
    }

    /** min + (h mod size) in 128-bit arithmetic, size = max - min + 1 (h alone when the range is huge). */
    static long[] pick(long minHi, long minLo, long maxHi, long maxLo, long h) {
        long spanHi = maxHi - minHi - (Long.compareUnsigned(maxLo, minLo) < 0 ? 1 : 0);
        long spanLo = maxLo - minLo; // size - 1
        long off;
        if (spanHi == 0 && spanLo != -1L) off = Long.remainderUnsigned(h, spanLo + 1);
        else off = h;
        long lo = minLo + off;
        long hi = minHi + (Long.compareUnsigned(lo, minLo) < 0 ? 1 : 0);
        return new long[] {hi, lo};
    }

    /**
     * The egress device's address for masquerade: one in the same subnet as the next hop when
     * there is one, otherwise the first of the family (for IPv6 the first global one).
     */
    static IpAddress masqueradeAddress(Packet p, int family) {
        NetDevice out = p.outDevice();
        if (out == null) return null;
        List<IpPrefix> addrs = out.addresses();
        IpAddress first = null;
        long nhHi = p.nextHopHi(), nhLo = p.nextHopLo();
        boolean nhValid = (nhHi != 0 || nhLo != 0) && (family == IpAddress.IPV6 || (nhHi == 0 && (nhLo >>> 32) == 0));
        IpAddress nextHop = nhValid ? new IpAddress(family, nhHi, nhLo) : null;
        for (IpPrefix a : addrs) {
            if (a.family() != family || a.address().isLinkLocal()) continue;
            if (nextHop != null && a.contains(nextHop)) return a.address();
            if (first == null) first = a.address();
        }
        return first;
    }
}
