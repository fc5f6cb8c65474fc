package org.flowgate.tc.action;

import org.flowgate.api.packet.Packet;

/**
 * {@code tunnel_key set src_ip A dst_ip B id N dst_port P [tos T] [ttl T] [csum|nocsum] [nofrag]}
 * and {@code tunnel_key unset}: attaches (or removes) the metadata a collect-metadata tunnel
 * device, such as a vxlan device, encapsulates with.
 */
public final class TunnelKeyAction extends Action {
    private final boolean unset;
    private final int srcIp, dstIp, id, dstPort, tos, ttl;
    private final boolean csum, nofrag;
    private final String text;

    public TunnelKeyAction(int control, boolean unset, int srcIp, int dstIp, int id, int dstPort, int tos, int ttl,
            boolean csum, boolean nofrag, String text) {
        super(control);
        this.unset = unset;
        this.srcIp = srcIp;
        this.dstIp = dstIp;
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
        k.srcIp = srcIp;
        k.dstIp = dstIp;
        k.id = id;
        k.dstPort = dstPort;
        k.tos = tos;
        k.ttl = ttl;
        k.csum = csum;
        k.dontFragment = nofrag;
        return control;
    }

    @Override
    public String describe() { return text; }
}
