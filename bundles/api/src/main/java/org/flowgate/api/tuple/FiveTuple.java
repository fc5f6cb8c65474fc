package org.flowgate.api.tuple;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;

/**
 * A connection key: family, addresses, protocol and ports (for ICMP echo, the identifier is the
 * source port and the destination port is 0, as conntrack does). Mutable so a packet thread can
 * reuse one instance as a lookup key; copy it before storing.
 */
public final class FiveTuple {
    public int family;
    public long srcHi, srcLo, dstHi, dstLo;
    public int proto;
    public int srcPort, dstPort;

    public FiveTuple() {}

    public FiveTuple(FiveTuple o) { set(o); }

    public static FiveTuple of(IpAddress src, int srcPort, IpAddress dst, int dstPort, int proto) {
        FiveTuple t = new FiveTuple();
        t.family = src.family();
        t.srcHi = src.hi(); t.srcLo = src.lo(); t.dstHi = dst.hi(); t.dstLo = dst.lo();
        t.srcPort = srcPort; t.dstPort = dstPort; t.proto = proto;
        return t;
    }

    public FiveTuple set(FiveTuple o) {
        family = o.family; srcHi = o.srcHi; srcLo = o.srcLo; dstHi = o.dstHi; dstLo = o.dstLo;
        proto = o.proto; srcPort = o.srcPort; dstPort = o.dstPort;
        return this;
    }

    /**
     * Fills from a parsed IP packet. Ports are 0 when the protocol has none (or the packet is a
     * non-first fragment); ICMP/ICMPv6 echo request/reply use the identifier as source port.
     */
    public FiveTuple set(Packet p) {
        family = p.ipVersion();
        srcHi = p.srcHi(); srcLo = p.srcLo(); dstHi = p.dstHi(); dstLo = p.dstLo();
        proto = p.l4Proto();
        srcPort = 0; dstPort = 0;
        if (p.hasPorts()) { srcPort = p.srcPort(); dstPort = p.dstPort(); }
        else if (p.l4() >= 0 && isEcho(proto, p.icmpType())) srcPort = p.u16(p.l4() + 4);
        return this;
    }

    private static boolean isEcho(int proto, int type) {
        return (proto == Packet.PROTO_ICMP && (type == 8 || type == 0))
                || (proto == Packet.PROTO_ICMPV6 && (type == 128 || type == 129));
    }

    /** Sets this to the reverse direction of {@code o}. */
    public FiveTuple setReverse(FiveTuple o) {
        long sh = o.srcHi, sl = o.srcLo; int sp = o.srcPort;
        family = o.family; proto = o.proto;
        srcHi = o.dstHi; srcLo = o.dstLo; srcPort = o.dstPort;
        dstHi = sh; dstLo = sl; dstPort = sp;
        return this;
    }

    public IpAddress src() { return new IpAddress(family, srcHi, srcLo); }

    public IpAddress dst() { return new IpAddress(family, dstHi, dstLo); }

    @Override
    public int hashCode() {
        long h = srcHi * 0x9E3779B97F4A7C15L + srcLo;
        h = h * 0x9E3779B97F4A7C15L + dstHi;
        h = h * 0x9E3779B97F4A7C15L + dstLo;
        h = h * 0x9E3779B97F4A7C15L + (((long) srcPort << 32) | ((long) dstPort << 16) | ((long) proto << 4) | family);
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        return (int) (h ^ (h >>> 32));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FiveTuple t && t.family == family && t.srcLo == srcLo && t.dstLo == dstLo
                && t.srcHi == srcHi && t.dstHi == dstHi && t.srcPort == srcPort && t.dstPort == dstPort && t.proto == proto;
    }

    @Override
    public String toString() {
        return "src=" + src() + " dst=" + dst() + " proto=" + proto + " sport=" + srcPort + " dport=" + dstPort;
    }
}
