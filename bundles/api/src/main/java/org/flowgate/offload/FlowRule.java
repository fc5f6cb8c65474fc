package org.flowgate.offload;

import org.flowgate.api.tuple.FiveTuple;

/**
 * A driver-neutral description of one direction of an offloaded flow, as Linux's
 * {@code flow_offload_tuple} turned into a {@code flow_rule}: what to match, the connection's ct
 * metadata, and what to do to a matching packet (NAT mangles, TTL, MACs, VLAN, redirect).
 * <p>
 * A matching packet arrives on {@code inDevice} (tagged {@code inVlan}, -1 untagged) carrying the
 * IP addresses, protocol and ports of {@code match}. The hardware then rewrites the addresses and
 * ports to those of {@code rewrite} (fixing the IP and L4 checksums), decrements the TTL / hop limit
 * when {@code decrementTtl}, writes {@code srcMac}/{@code dstMac}, tags it {@code outVlan} (-1
 * untagged) and sends it out of {@code outDevice}. Packets larger than {@code mtu} (IP length), with
 * IPv4 options, fragmented, with TTL &lt;= 1 or, for TCP, with FIN or RST set must not be handled in
 * hardware: they go to software like a miss.
 * <p>
 * The tuples are copies owned by the rule: do not modify them.
 *
 * @param cookie       identifies this flow direction across add/del/stats (unique per manager)
 * @param flowId       the flow's id in its table (as {@code flow list} shows)
 * @param direction    {@code FlowEntry.ORIGINAL} (0) or {@code FlowEntry.REPLY} (1)
 * @param inDevice     ingress device name
 * @param inVlan       VLAN id to match, -1 untagged
 * @param match        addresses, protocol and ports on arrival (family, proto included)
 * @param zone         conntrack zone of the connection
 * @param mark         conntrack mark ({@code ct mark})
 * @param labelsHi     conntrack labels, bits 127..64
 * @param labelsLo     conntrack labels, bits 63..0
 * @param established  the connection is established (always true for flow table flows today)
 * @param rewrite      addresses and ports on departure (equal to {@code match} without NAT)
 * @param srcMac       source MAC to write (the egress device's), 48 bits
 * @param dstMac       destination MAC to write (the next hop's), 48 bits
 * @param decrementTtl decrement TTL / hop limit (routed flows)
 * @param outDevice    egress device name (redirect target)
 * @param outVlan      VLAN id to tag on egress, -1 untagged
 * @param mtu          the egress MTU; larger packets go to software
 */
public record FlowRule(long cookie, long flowId, int direction,
        String inDevice, int inVlan, FiveTuple match,
        int zone, int mark, long labelsHi, long labelsLo, boolean established,
        FiveTuple rewrite, long srcMac, long dstMac, boolean decrementTtl,
        String outDevice, int outVlan, int mtu) {

    /** Source address or port is rewritten (source NAT, masquerade). */
    public boolean snat() {
        return match.srcHi != rewrite.srcHi || match.srcLo != rewrite.srcLo || match.srcPort != rewrite.srcPort;
    }

    /** Destination address or port is rewritten (destination NAT, port forward). */
    public boolean dnat() {
        return match.dstHi != rewrite.dstHi || match.dstLo != rewrite.dstLo || match.dstPort != rewrite.dstPort;
    }

    @Override
    public String toString() {
        return "rule#" + cookie + "[flow " + flowId + (direction == 0 ? " original " : " reply ") + inDevice
                + (inVlan >= 0 ? "." + inVlan : "") + " " + match + (snat() || dnat() ? " -> " + rewrite : "")
                + " zone " + zone + " -> " + outDevice + (outVlan >= 0 ? "." + outVlan : "") + "]";
    }
}
