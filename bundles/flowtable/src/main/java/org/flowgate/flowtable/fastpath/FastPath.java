package org.flowgate.flowtable.fastpath;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.Packet;
import org.flowgate.flowtable.table.FlowTableImpl;
import org.flowgate.flowtable.table.FlowTuple;
import org.flowgate.flowtable.table.GcReason;
import org.flowgate.flowtable.table.HandBack;

/**
 * The ingress hook of one flow table, as Linux's {@code nf_flow_offload_ip_hook}: a packet of an
 * offloaded flow arriving on one of the table's devices is rewritten and sent on its egress device
 * here, skipping routing, conntrack and the ruleset; anything this cannot forward exactly as the
 * classic path would is handed back to it ({@link Verdict#ACCEPT}) and counted by reason.
 * Allocation-free and lock-free.
 */
public final class FastPath implements PacketHook {
    private static final int TCP_FIN = 0x01, TCP_RST = 0x04;

    private final FlowTableImpl table;

    public FastPath(FlowTableImpl table) { this.table = table; }

    public FlowTableImpl table() { return table; }

    @Override
    public Verdict process(Hook hook, Packet p) {
        int family = p.ipVersion();
        NetDevice in = p.inDevice();
        if (family == 0 || !table.serves(in)) return Verdict.ACCEPT;
        if (p.hasFlag(Packet.F_QINQ)) return handBack(HandBack.UNSUPPORTED);
        if (p.hasFlag(Packet.F_FRAGMENT)) return handBack(HandBack.FRAGMENT);
        if (p.hasFlag(Packet.F_IPV4_OPTIONS)) return handBack(HandBack.IP_OPTIONS);
        if (p.hasFlag(Packet.F_IPV6_EXT)) return handBack(HandBack.IPV6_EXT);
        int proto = p.l4Proto();
        if ((proto != Packet.PROTO_TCP && proto != Packet.PROTO_UDP) || p.l4() < 0) return handBack(HandBack.UNSUPPORTED);

        int vlan = p.vlanId();
        if (vlan == 0) vlan = -1; // priority-tagged frames belong to the untagged device, as on the classic path
        FlowTuple t = table.lookup(family, p.srcHi(), p.srcLo(), p.dstHi(), p.dstLo(), proto, p.srcPort(), p.dstPort(),
                in.ifIndex(), vlan);
        if (t == null) {
            table.countMiss();
            return Verdict.ACCEPT;
        }
        if (t.isTornDown()) return handBack(HandBack.TEARDOWN);
        if (p.ethDst() != in.macBits()) return handBack(HandBack.NOT_FOR_US);
        if (proto == Packet.PROTO_TCP && (p.tcpFlags() & (TCP_FIN | TCP_RST)) != 0) {
            table.teardown(t.flow, GcReason.TCP_FIN_RST);
            return handBack(HandBack.TCP_FIN_RST);
        }
        if (p.ttl() <= 1) return handBack(HandBack.TTL);
        int len = p.ipLength();
        if (len > t.mtu) return handBack(HandBack.MTU);
        NetDevice out = t.outDevice;
        if (!out.isUp()) return handBack(HandBack.EGRESS_DOWN);

        if (family == 4) Rewrite.ipv4(p, t);
        else Rewrite.ipv6(p, t);
        Rewrite.ethernet(p, t);
        t.touch(table.now());
        if (table.counting()) t.count(len);
        table.countHit();
        p.setOutDevice(out);
        out.transmit(p); // a refused frame is counted by the device
        return Verdict.STOLEN;
    }

    private Verdict handBack(HandBack reason) {
        table.countHandBack(reason);
        return Verdict.ACCEPT;
    }
}
