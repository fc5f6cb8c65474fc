package org.flowgate.tc.vxlan;

import java.util.List;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.Packet;

/**
 * Hands VXLAN packets addressed to the router to a vxlan device (Linux's UDP tunnel socket).
 * Registered at INGRESS after tc ({@value #PRIORITY}), so tc filters on the underlay device see
 * the outer packet first, as in Linux.
 */
public final class VxlanDecapHook implements PacketHook {
    public static final int PRIORITY = -400;
    private final VxlanPort port;

    public VxlanDecapHook(VxlanPort port) { this.port = port; }

    @Override
    public Verdict process(Hook hook, Packet p) {
        if (!p.isIpv4() || p.l4Proto() != Packet.PROTO_UDP || p.l4() < 0 || p.hasFlag(Packet.F_FRAGMENT)) return Verdict.ACCEPT;
        if (p.dstPort() != port.port()) return Verdict.ACCEPT;
        NetDevice in = p.inDevice();
        if (in == null || in.name().equals(port.name()) || in.macBits() != p.ethDst() || !local(in, p.ipv4Dst())) return Verdict.ACCEPT;
        if (!port.receiveEncapsulated(p)) return Verdict.DROP;
        return Verdict.STOLEN;
    }

    private static boolean local(NetDevice d, int dst) {
        List<IpPrefix> as = d.addresses();
        for (int i = 0; i < as.size(); i++) {
            IpPrefix a = as.get(i);
            if (a.family() == 4 && (int) a.address().lo() == dst) return true;
        }
        return false;
    }

    @Override
    public String toString() { return "vxlan-rx-" + port.name(); }
}
