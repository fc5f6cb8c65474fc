package org.flowgate.api.flowtable;

import org.flowgate.api.tuple.FiveTuple;

/**
 * One direction of a flow: the tuple packets carry on arrival, the tuple after NAT, and where
 * they go.
 *
 * @param match     the tuple an arriving packet carries
 * @param rewrite   the tuple it leaves with (equal to {@code match} without NAT)
 * @param inDevice  the device it arrives on
 * @param inVlan    the VLAN id it arrives with, -1 untagged
 * @param outDevice the device it leaves on
 * @param outVlan   the VLAN id it leaves with, -1 untagged
 * @param srcMac    the source MAC written (the egress device's)
 * @param dstMac    the next hop's MAC
 * @param mtu       the egress MTU; larger packets take the classic path
 */
public record FlowPath(FiveTuple match, FiveTuple rewrite, String inDevice, int inVlan, String outDevice, int outVlan,
        long srcMac, long dstMac, int mtu) {
    public boolean snat() { return match.srcLo != rewrite.srcLo || match.srcHi != rewrite.srcHi || match.srcPort != rewrite.srcPort; }

    public boolean dnat() { return match.dstLo != rewrite.dstLo || match.dstHi != rewrite.dstHi || match.dstPort != rewrite.dstPort; }
}
