package org.flowgate.nft.eval;

import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.netdev.LocalOutput;
import org.flowgate.nft.model.Counter;

/**
 * The optional services statements call, set and cleared as they come and go, and the counters of
 * what statements could not do because one was missing.
 */
public final class Services {
    public volatile ConnTracker connTracker;
    public volatile LocalOutput localOutput;

    /** nat statements met without conntrack: the packet is dropped. */
    public final Counter natWithoutConntrack = new Counter();
    /** nat statements whose range had no free tuple: the packet is dropped. */
    public final Counter natExhausted = new Counter();
    /** reject statements that could not send the reply (no LocalOutput, or not answerable): plain drop. */
    public final Counter rejectNotSent = new Counter();
    /** flow add/offload statements met while no flow table service was bound: no-op. */
    public final Counter flowWithoutTable = new Counter();
}
