package org.flowgate.tc.action;

/** Tunnel metadata of a packet ({@code struct ip_tunnel_info}), IPv4 outer addresses. */
public final class TunnelKey {
    public boolean set;
    public int srcIp, dstIp;
    public int id;
    public int dstPort, srcPort;
    public int tos, ttl;
    public boolean csum = true;
    public boolean dontFragment;

    public void clear() {
        set = false;
        srcIp = dstIp = id = dstPort = srcPort = tos = ttl = 0;
        csum = true;
        dontFragment = false;
    }
}
