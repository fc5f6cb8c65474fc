package org.flowgate.flowtable.fastpath;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.Packet;
import org.flowgate.flowtable.table.Flow;
import org.flowgate.flowtable.table.FlowClock;
import org.flowgate.flowtable.table.FlowHashTable;
import org.flowgate.flowtable.table.FlowTableImpl;
import org.flowgate.flowtable.table.FlowTuple;
import org.flowgate.flowtable.table.GcReason;
import org.flowgate.flowtable.table.HandBack;

/**
 * The ingress hook of one flow table, as Linux's {@code nf_flow_offload_ip_hook}: a packet of an
 * offloaded flow arriving on one of the table's devices is rewritten and sent on its egress device
 * here, skipping routing, conntrack and the ruleset; anything this cannot forward exactly as the
 * classic path would is handed back to it ({@link Verdict#ACCEPT}) and counted by reason.
 * Allocation-free and lock-free: an IPv4 hit reads one slot of the table's primitive array
 * ({@link FlowHashTable}) and the packet's headers, and counts in the same slot.
 */
public final class FastPath implements PacketHook {
    private static final int TCP_FIN = 0x01, TCP_RST = 0x04;
    private static final int UNUSUAL = Packet.F_QINQ | Packet.F_FRAGMENT | Packet.F_IPV4_OPTIONS | Packet.F_IPV6_EXT;

    private final FlowTableImpl table;
    private final FlowHashTable flows;
    private final FlowClock clock;

    public FastPath(FlowTableImpl table) {
        this.table = table;
        this.flows = table.hashTable();
        this.clock = table.environment().clock();
    }

    public FlowTableImpl table() { return table; }

    /**
     * The common case first and small (HotSpot inlines it into the hook loop: under 325 bytes of
     * bytecode with {@link #forward}); every hand-back and rare case is out of line.
     */
    @Override
    public Verdict process(Hook hook, Packet p) {
        int family = p.ipVersion();
        NetDevice in = p.inDevice();
        if (family == 0 || !table.serves(in)) return Verdict.ACCEPT;
        int proto = p.l4Proto(), l4 = p.l4();
        if ((p.flags() & UNUSUAL) != 0 || (proto != Packet.PROTO_TCP && proto != Packet.PROTO_UDP) || l4 < 0) return unsupported(p);
        int l3 = p.l3();
        int vlan = p.vlanId();
        long l4Head = p.u64(l4); // ports, then UDP length and checksum (TCP: sequence number); parse checked 8 bytes are there
        long ports = ports(l4Head, in);
        int misc = misc(family, proto, vlan);
        long[] t = flows.slots(), w = null;
        long hit;
        if (family == 4) {
            hit = FlowHashTable.probe4(t, p.u64(l3 + 12), ports, misc);
        } else {
            w = flows.wideFor(t);
            hit = flows.probe6(t, w, p.u64(l3 + 8), p.u64(l3 + 16), p.u64(l3 + 24), p.u64(l3 + 32), ports, misc);
        }
        if (hit == FlowHashTable.MISS) return miss();
        return forward(p, in, t, w, hit, family, proto, l3, l4, l4Head);
    }

    /**
     * Slot arrays from this size (longs; 8 MB, ~30k flows) on miss the caches often enough for a
     * batch to gain from prefetching; below it the extra pass costs more than it saves (measured:
     * 1 flow 16.5 -> 12.5 Mpps per CPU-second, 10k flows slower too; 1M flows 4.1 -> 4.9).
     */
    static final int PREFETCH_MIN_WORDS = 1 << 20;

    @Override
    public boolean prefetches() { return flows.slots().length >= PREFETCH_MIN_WORDS; }

    /**
     * Loads the slot a coming packet's lookup starts at (the packet path has a batch): at a
     * million flows each lookup is a cache miss, and a batch's misses overlap this way.
     */
    @Override
    public long prefetch(Hook hook, Packet p) {
        long[] t = flows.slots();
        int family = p.ipVersion(), proto = p.l4Proto(), l4 = p.l4();
        if (t.length < PREFETCH_MIN_WORDS || family == 0 || l4 < 0 || (proto != Packet.PROTO_TCP && proto != Packet.PROTO_UDP)) return 0;
        int l3 = p.l3(), vlan = p.vlanId();
        long ports = ports(p.u64(l4), p.inDevice());
        int misc = misc(family, proto, vlan);
        if (family == 4) return FlowHashTable.touch(t, null, p.u64(l3 + 12), ports, misc);
        long addr = FlowHashTable.fingerprint(p.u64(l3 + 8), p.u64(l3 + 16), p.u64(l3 + 24), p.u64(l3 + 32));
        return FlowHashTable.touch(t, flows.wideFor(t), addr, ports, misc);
    }

    /** Key word PORTS: the transport header's ports (the first half of its first 8 bytes) and the ingress ifIndex. */
    private static long ports(long l4Head, NetDevice in) { return (l4Head & 0xFFFF_FFFF_0000_0000L) | (in.ifIndex() & 0xFFFF_FFFFL); }

    /** Key word MISC's half; priority-tagged frames (VLAN 0) belong to the untagged device, as on the classic path. */
    private static int misc(int family, int proto, int vlan) { return FlowHashTable.misc(family, proto, vlan == 0 ? -1 : vlan); }

    /** A hit: the checks that hand back, then the rewrite and transmit. */
    private Verdict forward(Packet p, NetDevice in, long[] t, long[] w, long hit, int family, int proto, int l3, int l4, long l4Head) {
        int b = (int) hit;
        long key = t[b + FlowHashTable.MISC], newAddr = t[b + FlowHashTable.NEWADDR], rewrite = t[b + FlowHashTable.REWRITE],
                macHead = t[b + FlowHashTable.MACHEAD], tail = t[b + FlowHashTable.TAIL];
        long meta = FlowHashTable.stable(t, hit);
        if (meta == FlowHashTable.MISS) return miss(); // the slot was reused while we read it: the flow is gone
        int len = p.ipLength();
        int ttlWord = p.u32(l3 + (family == 4 ? 8 : 4)); // IPv4: TTL, protocol, checksum; IPv6: payload length, next header, hop limit
        int ttl = family == 4 ? ttlWord >>> 24 : ttlWord & 0xFF;
        NetDevice out;
        if ((meta & FlowHashTable.TORN_DOWN) != 0 || p.ethDst() != in.macBits()
                || (proto == Packet.PROTO_TCP && (p.u8(l4 + 13) & (TCP_FIN | TCP_RST)) != 0) || ttl <= 1
                || len > (int) (tail >>> 16 & 0xFFFF) || !(out = flows.device(tail)).isUp())
            return refuse(p, in, key, meta, proto, l4, len, ttl, tail);
        if (family == 4) {
            Rewrite.ipv4(p, l3, l4, proto, newAddr, rewrite, l4Head, ttlWord);
        } else if (!rewrite6(p, t, w, hit, key, rewrite)) {
            return miss();
        }
        Rewrite.ethernet(p, (int) (meta >>> 16) & 0xFFFF, macHead, (int) (tail >>> 32));
        p.setOutDevice(out);
        out.transmit(p); // a refused frame is counted by the device
        FlowHashTable.hit(t, b, len, clock.nanos()); // last: at a million flows this line is a cache miss nothing waits for
        return Verdict.STOLEN;
    }

    /**
     * The IPv6 rewrite, from the slot's side entry (read, then the slot's sequence checked again,
     * as for the slot's own words) or, when the table was rebuilt since the lookup, from the flow's
     * tuple; false when the flow was removed since the lookup.
     */
    private boolean rewrite6(Packet p, long[] t, long[] w, long hit, long key, long rewrite) {
        if (w != null) {
            int k = (int) hit / FlowHashTable.SLOT * FlowHashTable.WIDE;
            long srcHi = w[k + FlowHashTable.W_NEW_SRC], srcLo = w[k + FlowHashTable.W_NEW_SRC + 1],
                    dstHi = w[k + FlowHashTable.W_NEW_DST], dstLo = w[k + FlowHashTable.W_NEW_DST + 1];
            if (FlowHashTable.stable(t, hit) == FlowHashTable.MISS) return false;
            Rewrite.ipv6(p, srcHi, srcLo, dstHi, dstLo, rewrite);
            return true;
        }
        FlowTuple e = flows.tupleOf(key);
        if (e == null) return false;
        Rewrite.ipv6(p, e);
        return true;
    }

    private Verdict miss() {
        table.countMiss();
        return Verdict.ACCEPT;
    }

    /** A hit that goes back to the classic path: the reason of the first check that failed, in {@link #forward}'s order. */
    private Verdict refuse(Packet p, NetDevice in, long key, long meta, int proto, int l4, int len, int ttl, long tail) {
        if ((meta & FlowHashTable.TORN_DOWN) != 0) return handBack(HandBack.TEARDOWN);
        if (p.ethDst() != in.macBits()) return handBack(HandBack.NOT_FOR_US);
        if (proto == Packet.PROTO_TCP && (p.u8(l4 + 13) & (TCP_FIN | TCP_RST)) != 0) {
            Flow f = flows.flowOf(key);
            if (f != null) table.teardown(f, GcReason.TCP_FIN_RST);
            return handBack(HandBack.TCP_FIN_RST);
        }
        if (ttl <= 1) return handBack(HandBack.TTL);
        if (len > (int) (tail >>> 16 & 0xFFFF)) return handBack(HandBack.MTU);
        return handBack(HandBack.EGRESS_DOWN);
    }

    /** A packet this path never forwards: unusual flags, or not TCP/UDP with a transport header. */
    private Verdict unsupported(Packet p) {
        if ((p.flags() & UNUSUAL) != 0) return unusual(p);
        return handBack(HandBack.UNSUPPORTED);
    }

    /** The flags that always hand back, by reason. */
    private Verdict unusual(Packet p) {
        if (p.hasFlag(Packet.F_QINQ)) return handBack(HandBack.UNSUPPORTED);
        if (p.hasFlag(Packet.F_FRAGMENT)) return handBack(HandBack.FRAGMENT);
        if (p.hasFlag(Packet.F_IPV4_OPTIONS)) return handBack(HandBack.IP_OPTIONS);
        return handBack(HandBack.IPV6_EXT);
    }

    private Verdict handBack(HandBack reason) {
        table.countHandBack(reason);
        return Verdict.ACCEPT;
    }
}
