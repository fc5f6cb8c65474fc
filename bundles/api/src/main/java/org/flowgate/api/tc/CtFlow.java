package org.flowgate.api.tc;

import org.flowgate.api.tuple.FiveTuple;

/**
 * A connection in the flow table of a ct zone, with the metadata act_ct hands to offload drivers
 * (the seed's {@code ct_metadata} action): zone, mark, label, and the NAT mangles as the tuple each
 * direction arrives with and leaves with.
 *
 * @param zone        the ct zone whose table holds it
 * @param original    the tuple of the original direction on arrival
 * @param reply       the tuple replies arrive with (NAT applied)
 * @param origRewrite what the original direction leaves as (equal to the inverse of {@code reply})
 * @param mark        the connection's mark
 * @param labelsHi    the 128-bit label, high half
 * @param labelsLo    the label, low half
 * @param packets     packets that took their ct state from the table
 * @param idleMillis  time since the last such packet
 */
public record CtFlow(int zone, FiveTuple original, FiveTuple reply, FiveTuple origRewrite, int mark, long labelsHi,
        long labelsLo, long packets, long idleMillis) {
    public CtFlow {
        original = new FiveTuple(original);
        reply = new FiveTuple(reply);
        origRewrite = new FiveTuple(origRewrite);
    }

    /** Whether the original direction's source is translated. */
    public boolean snat() { return original.srcLo != origRewrite.srcLo || original.srcHi != origRewrite.srcHi || original.srcPort != origRewrite.srcPort; }

    /** Whether the original direction's destination is translated. */
    public boolean dnat() { return original.dstLo != origRewrite.dstLo || original.dstHi != origRewrite.dstHi || original.dstPort != origRewrite.dstPort; }
}
