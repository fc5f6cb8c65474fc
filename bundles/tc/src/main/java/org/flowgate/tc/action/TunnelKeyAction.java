package org.flowgate.tc.action;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;

/**
 * {@code tunnel_key set src_ip A dst_ip B id N dst_port P [tos T] [ttl T] [csum|nocsum] [nofrag]}
 * and {@code tunnel_key unset}: attaches (or removes) the metadata a collect-metadata tunnel
 * device, such as a vxlan device, encapsulates with. Endpoints are IPv4 or IPv6 (both the same).
 */
public final class TunnelKeyAction extends Action {
    private final boolean unset;
    private final int family;
    private final long srcHi, srcLo, dstHi, dstLo;
    private final int id, dstPort, tos, ttl;
    private final boolean csum, nofrag;
    private final String text;

    /** IPv4 endpoints. */
    public TunnelKeyAction(int control, boolean unset, int srcIp, int dstIp, int id, int dstPort, int tos, int ttl,
            boolean csum, boolean nofrag, String text) {
        this(control, unset, IpAddress.v4(srcIp), IpAddress.v4(dstIp), id, dstPort, tos, ttl, csum, nofrag, text);
    }

    /** @param src the outer source, the unspecified address of {@code dst}'s family to let the device choose */
    public TunnelKeyAction(int control, boolean unset, IpAddress src, IpAddress dst, int id, int dstPort, int tos, int ttl,
            boolean csum, boolean nofrag, String text) {
        super(control);
        if (src.family() != dst.family()) throw new IllegalArgumentException("src_ip and dst_ip of different families");
        this.unset = unset;
        this.family = dst.family();
        this.srcHi = src.hi();
        this.srcLo = src.lo();
        this.dstHi = dst.hi();
        this.dstLo = dst.lo();
        this.id = id;
        this.dstPort = dstPort;
        this.tos = tos;
        this.ttl = ttl;
        this.csum = csum;
        this.nofrag = nofrag;
        this.text = text;
    }

    @Override
    public int execute(Packet p, ExecContext ctx) {
        TunnelKey k = ctx.tunnel;
        if (unset) { // drops the metadata either way: what a tunnel_key set attached and what decapsulation left
            k.clear();
            ctx.rx.clear();
            return control;
        }
        k.set = true;
        k.family = family;
        k.srcHi = srcHi;
        k.srcLo = srcLo;
        k.dstHi = dstHi;
        k.dstLo = dstLo;
        k.id = id;
        k.dstPort = dstPort;
        k.srcPort = 0;
        k.tos = tos;
        k.ttl = ttl;
        k.csum = csum;
        k.dontFragment = nofrag;
        return control;
    }

    @Override
    public String describe() { return text; }
}
