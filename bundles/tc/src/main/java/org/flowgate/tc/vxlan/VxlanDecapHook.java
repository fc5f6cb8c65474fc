package org.flowgate.tc.vxlan;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.Packet;

/**
 * Hands VXLAN packets (IPv4 or IPv6) addressed to the router to a vxlan device (Linux's UDP
 * tunnel socket). Registered at INGRESS after tc ({@value #PRIORITY}), so tc filters on the
 * underlay device see the outer packet first, as in Linux. A device with a fixed VNI registers
 * at {@value #FIXED_PRIORITY} so it sees its VNI before an external device takes everything.
 */
public final class VxlanDecapHook implements PacketHook {
    public static final int PRIORITY = -400;
    public static final int FIXED_PRIORITY = PRIORITY - 1;
    private final VxlanPort port;

    public VxlanDecapHook(VxlanPort port) { this.port = port; }

    /** The hook priority for {@code port}. */
    public static int priorityOf(VxlanPort port) { return port.external() ? PRIORITY : FIXED_PRIORITY; }

    @Override
    public Verdict process(Hook hook, Packet p) {
        if (p.ipVersion() == 0 || p.l4Proto() != Packet.PROTO_UDP || p.l4() < 0 || p.hasFlag(Packet.F_FRAGMENT)) return Verdict.ACCEPT;
        if (p.dstPort() != port.port()) return Verdict.ACCEPT;
        NetDevice in = p.inDevice();
        if (in == null || in.name().equals(port.name()) || !forUs(in, p) || !VxlanPort.isLocal(in, p)) return Verdict.ACCEPT;
        if (!port.wants(p)) return Verdict.ACCEPT;
        if (!port.receiveEncapsulated(p)) return Verdict.DROP;
        return Verdict.STOLEN;
    }

    /** PACKET_HOST as decided where the frame arrived (a mirred ingress redirect keeps it), else by the device's MAC. */
    private static boolean forUs(NetDevice in, Packet p) {
        int t = p.pktType();
        return t >= 0 ? t == Packet.PACKET_HOST : in.macBits() == p.ethDst();
    }

    @Override
    public String toString() { return "vxlan-rx-" + port.name(); }
}
