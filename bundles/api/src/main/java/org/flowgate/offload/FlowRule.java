package org.flowgate.offload;

import org.flowgate.api.tuple.FiveTuple;

/**
 * A driver-neutral description of one direction of an offloaded flow: match, ct metadata and
 * actions (NAT mangles, MAC rewrite, TTL decrement, redirect).
 *
 * @param cookie     identifies the flow direction across add/del/stats
 * @param inDevice   ingress device name
 * @param match      tuple the packet carries on ingress
 * @param rewrite    tuple after NAT (equal to match when no NAT)
 * @param vlanId     VLAN to match, -1 for untagged
 * @param outDevice  egress device name
 * @param srcMac     MAC source to write
 * @param dstMac     MAC destination to write
 */
public record FlowRule(long cookie, String inDevice, FiveTuple match, FiveTuple rewrite, int vlanId,
        int zone, int mark, long labelsHi, long labelsLo, boolean established,
        String outDevice, long srcMac, long dstMac, boolean decrementTtl) {
}
