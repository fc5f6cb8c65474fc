package org.flowgate.tc.classify;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.CtState;
import org.flowgate.api.packet.Packet;
import org.flowgate.tc.action.ExecContext;
import org.flowgate.tc.action.TunnelKey;

/**
 * A flower match compiled to primitive comparisons. Unset keys are wildcards: {@code -1} for
 * exact values, a zero mask for masked ones. Immutable; built by the parser.
 */
public final class FlowerMatch {
    /** ct_state flag bits, values as Linux's {@code TCA_FLOWER_KEY_CT_FLAGS_*}. */
    public static final int CT_NEW = 1, CT_ESTABLISHED = 2, CT_RELATED = 4, CT_TRACKED = 8, CT_INVALID = 16, CT_REPLY = 32;

    /** EtherType the filter's protocol selects, -1 for {@code all}. */
    public int protocol = -1;
    public int vlanId = -1, vlanPrio = -1, vlanEthType = -1;
    public long dstMac, dstMacMask, srcMac, srcMacMask;
    public int ipProto = -1;
    /** Address family of the IP keys, 0 none. */
    public int family;
    public long srcHi, srcLo, srcMaskHi, srcMaskLo, dstHi, dstLo, dstMaskHi, dstMaskLo;
    public boolean hasSrcIp, hasDstIp;
    public int srcPortMin = -1, srcPortMax = -1, dstPortMin = -1, dstPortMax = -1;
    public int ipTtl = -1, ipTtlMask, ipTos = -1, ipTosMask;
    /** {@code tcp_flags V/M}: the 12 flag bits of the TCP header (NS/AE and reserved, CWR ... FIN), as flower's key. */
    public int tcpFlags = -1, tcpFlagsMask;
    public int ctStateValue, ctStateMask;
    public int ctZone = -1;
    public int ctMark, ctMarkMask;
    public long ctLabelHi, ctLabelLo, ctLabelMaskHi, ctLabelMaskLo;
    /** Tunnel keys ({@code enc_*}): match the tunnel the packet arrived through. */
    public boolean hasEnc;
    public int encKeyId = -1, encDstPort = -1, encSrcPort = -1;
    /** {@code enc_src_ip}/{@code enc_dst_ip}: 4 or 6 (0: neither given); addresses and masks as {@link TunnelKey}'s. */
    public int encFamily;
    public long encSrcHi, encSrcLo, encSrcMaskHi, encSrcMaskLo, encDstHi, encDstLo, encDstMaskHi, encDstMaskLo;

    /** The ct_state flags of a packet as flower's dissector computes them. */
    public static int ctFlags(Packet p) {
        int s = p.ctState();
        if (s == 0) return 0;
        int f = CT_TRACKED;
        if ((s & CtState.INVALID) != 0) return f | CT_INVALID;
        if ((s & CtState.NEW) != 0) f |= CT_NEW;
        if ((s & CtState.ESTABLISHED) != 0) f |= CT_ESTABLISHED;
        if ((s & CtState.RELATED) != 0) f |= CT_RELATED;
        if (p.conn() != null && p.ctDirection() == 1) f |= CT_REPLY;
        return f;
    }

    public boolean matches(Packet p) {
        if (hasEnc && !encMatches(ExecContext.current().rx)) return false;
        if (protocol >= 0 && !protocolMatches(p)) return false;
        if (dstMacMask != 0 && (p.ethDst() & dstMacMask) != dstMac) return false;
        if (srcMacMask != 0 && (p.ethSrc() & srcMacMask) != srcMac) return false;
        if (vlanId >= 0 && p.vlanId() != vlanId) return false;
        if (vlanPrio >= 0 && (p.vlanTci() < 0 || (p.vlanTci() >>> 13) != vlanPrio)) return false;
        if (vlanEthType >= 0 && (p.vlanTci() < 0 || p.etherType() != vlanEthType)) return false;
        if (family != 0 && p.ipVersion() != family) return false;
        if (ipProto >= 0 && p.l4Proto() != ipProto) return false;
        if (hasSrcIp && ((p.srcHi() & srcMaskHi) != srcHi || (p.srcLo() & srcMaskLo) != srcLo)) return false;
        if (hasDstIp && ((p.dstHi() & dstMaskHi) != dstHi || (p.dstLo() & dstMaskLo) != dstLo)) return false;
        if (ipTtl >= 0 && (p.ttl() & ipTtlMask) != ipTtl) return false;
        if (ipTos >= 0 && (tos(p) & ipTosMask) != ipTos) return false;
        if (srcPortMin >= 0 || dstPortMin >= 0) {
            if (!p.hasPorts()) return false;
            int sp = p.srcPort(), dp = p.dstPort();
            if (srcPortMin >= 0 && (sp < srcPortMin || sp > srcPortMax)) return false;
            if (dstPortMin >= 0 && (dp < dstPortMin || dp > dstPortMax)) return false;
        }
        if (tcpFlags >= 0 && (!p.hasPorts() || p.l4Proto() != Packet.PROTO_TCP || (tcpFlags(p) & tcpFlagsMask) != tcpFlags)) return false;
        if (ctStateMask != 0 && (ctFlags(p) & ctStateMask) != ctStateValue) return false;
        if (ctZone >= 0 && (ctFlags(p) == 0 || p.ctZone() != ctZone)) return false;
        if (ctMarkMask != 0 || ctLabelMaskHi != 0 || ctLabelMaskLo != 0) {
            if (!(p.conn() instanceof ConnEntry e)) return false;
            if ((e.mark() & ctMarkMask) != ctMark) return false;
            if ((e.labelsHi() & ctLabelMaskHi) != ctLabelHi || (e.labelsLo() & ctLabelMaskLo) != ctLabelLo) return false;
        }
        return true;
    }

    private boolean encMatches(TunnelKey t) {
        if (!t.set) return false;
        if (encKeyId >= 0 && t.id != encKeyId) return false;
        if (encDstPort >= 0 && t.dstPort != encDstPort) return false;
        if (encSrcPort >= 0 && t.srcPort != encSrcPort) return false;
        if (encFamily == 0) return true;
        return t.family == encFamily
                && (t.srcHi & encSrcMaskHi) == encSrcHi && (t.srcLo & encSrcMaskLo) == encSrcLo
                && (t.dstHi & encDstMaskHi) == encDstHi && (t.dstLo & encDstMaskLo) == encDstLo;
    }

    private boolean protocolMatches(Packet p) {
        if (protocol == Packet.ETHERTYPE_VLAN || protocol == Packet.ETHERTYPE_QINQ) return p.vlanTci() >= 0;
        return p.etherType() == protocol;
    }

    /** The low 12 bits of the TCP header's data offset/flags word, as {@code tcp_flag_word() & TCP_FLAGS_MASK}. */
    static int tcpFlags(Packet p) { return (p.u8(p.l4() + 12) & 0x0F) << 8 | p.u8(p.l4() + 13); }

    private static int tos(Packet p) {
        if (p.isIpv4()) return p.u8(p.l3() + 1);
        if (p.isIpv6()) return (p.u16(p.l3()) >>> 4) & 0xFF;
        return -1;
    }
}
