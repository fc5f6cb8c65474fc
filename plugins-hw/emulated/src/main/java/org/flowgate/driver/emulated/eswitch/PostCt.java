package org.flowgate.driver.emulated.eswitch;

/**
 * A post_ct rule, selected by the fte_id register the CT entry loaded: the forwarding actions of
 * the flow (MAC rewrite, TTL decrement, VLAN, redirect to the egress port).
 */
record PostCt(int fteId, NicPort out, long srcMac, long dstMac, int outVlan, boolean decrementTtl, int mtu) {
}
