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
 * <p>
 * <b>ct-only rules</b> (since 1.2, {@link #ctOnly()}): the flows of a tc ct zone's table (act_ct's)
 * have no egress device, since the tc filters forward. Such a rule has {@code inDevice} and
 * {@code outDevice} null (any port of the driver), {@code inVlan}/{@code outVlan} -1, no MACs, no
 * TTL decrement and {@code mtu} 0. It is the seed's {@code ct_metadata} action: match
 * {@code zone} + {@code match} (where the driver's pre_ct rule for that zone sent the packet),
 * load the ct registers ({@code zone}, {@code mark}, labels, {@code established},
 * {@link #reply()} for {@code +rpl}), apply the NAT mangles to {@code rewrite}, then continue in the
 * driver's post_ct rules (its own offloaded tc filters); when those miss, the packet goes to
 * software with {@code Packet.setMissChain(chain)} and {@code setCtZone(zone)}, and tc resumes it
 * at that chain.
 *
 * @param cookie       identifies this flow direction across add/del/stats (unique per manager)
 * @param flowId       the flow's id in its table (as {@code flow list} shows)
 * @param direction    {@code FlowEntry.ORIGINAL} (0) or {@code FlowEntry.REPLY} (1)
 * @param inDevice     ingress device name; null for a ct-only rule (any port)
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
 * @param outDevice    egress device name (redirect target); null for a ct-only rule
 * @param outVlan      VLAN id to tag on egress, -1 untagged
 * @param mtu          the egress MTU; larger packets go to software
 */
public record FlowRule(long cookie, long flowId, int direction,
        String inDevice, int inVlan, FiveTuple match,
        int zone, int mark, long labelsHi, long labelsLo, boolean established,
        FiveTuple rewrite, long srcMac, long dstMac, boolean decrementTtl,
        String outDevice, int outVlan, int mtu) {

    /**
     * A ct-only rule of a tc ct zone's table: ct metadata and NAT, no forwarding ({@code outDevice} null).
     *
     * @since 1.2
     */
    public static FlowRule ctOnly(long cookie, long flowId, int direction, FiveTuple match, int zone, int mark, long labelsHi,
            long labelsLo, boolean established, FiveTuple rewrite) {
        return new FlowRule(cookie, flowId, direction, null, -1, match, zone, mark, labelsHi, labelsLo, established, rewrite, 0, 0,
                false, null, -1, 0);
    }

    /** Whether this is a ct-only rule (no egress device: the driver's post_ct rules or software forward). @since 1.2 */
    public boolean ctOnly() { return outDevice == null; }

    /** The packets of this rule go in the reply direction of their connection (ct_state {@code +rpl}). @since 1.2 */
    public boolean reply() { return direction == 1; }

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
        if (ctOnly()) {
            return "rule#" + cookie + "[flow " + flowId + (direction == 0 ? " original " : " reply ") + "ct zone " + zone + " " + match
                    + (snat() || dnat() ? " -> " + rewrite : "") + " mark " + mark + (established ? " est" : "") + "]";
        }
        return "rule#" + cookie + "[flow " + flowId + (direction == 0 ? " original " : " reply ") + inDevice
                + (inVlan >= 0 ? "." + inVlan : "") + " " + match + (snat() || dnat() ? " -> " + rewrite : "")
                + " zone " + zone + " -> " + outDevice + (outVlan >= 0 ? "." + outVlan : "") + "]";
    }
}
