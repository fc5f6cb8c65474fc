package org.flowgate.tc.action;

/**
 * Tunnel metadata of a packet ({@code struct ip_tunnel_info}). Outer addresses as the packet
 * layer holds them: {@code family} 4 or 6; IPv4 in the low 32 bits of {@code *Lo} (unsigned),
 * {@code *Hi} 0. An unset source (0.0.0.0 or ::) lets the device pick one.
 */
public final class TunnelKey {
    public boolean set;
    public int family = 4;
    public long srcHi, srcLo, dstHi, dstLo;
    public int id;
    public int dstPort, srcPort;
    public int tos, ttl;
    public boolean csum = true;
    public boolean dontFragment;

    public boolean isV6() { return family == 6; }

    /** The IPv4 source (valid when {@code family} is 4). */
    public int srcV4() { return (int) srcLo; }

    public int dstV4() { return (int) dstLo; }

    public void clear() {
        set = false;
        family = 4;
        srcHi = srcLo = dstHi = dstLo = 0;
        id = dstPort = srcPort = tos = ttl = 0;
        csum = true;
        dontFragment = false;
    }

    /** Copies every field of {@code o} (allocation-free). */
    public void copyFrom(TunnelKey o) {
        set = o.set;
        family = o.family;
        srcHi = o.srcHi;
        srcLo = o.srcLo;
        dstHi = o.dstHi;
        dstLo = o.dstLo;
        id = o.id;
        dstPort = o.dstPort;
        srcPort = o.srcPort;
        tos = o.tos;
        ttl = o.ttl;
        csum = o.csum;
        dontFragment = o.dontFragment;
    }
}
