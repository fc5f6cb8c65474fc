package org.flowgate.api.hook;

import org.flowgate.api.packet.Packet;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A function the packet path calls at one hook point. Register it as an OSGi service with
 * {@value #HOOK} (a {@link Hook} label) and {@value #PRIORITY} (lower runs first, as netfilter
 * priorities). Called on packet threads, possibly several at once: it must not block and should
 * not allocate.
 */
@ConsumerType
public interface PacketHook {
    String HOOK = "flowgate.hook";
    String PRIORITY = "flowgate.hook.priority";

    /** Netfilter's well-known priorities. */
    int PRIORITY_RAW = -300, PRIORITY_CONNTRACK = -200, PRIORITY_MANGLE = -150, PRIORITY_NAT_DST = -100,
            PRIORITY_FILTER = 0, PRIORITY_SECURITY = 50, PRIORITY_NAT_SRC = 100,
            PRIORITY_CONNTRACK_CONFIRM = Integer.MAX_VALUE;

    /**
     * @param hook the point being run (one service may register at several)
     * @param p    the parsed packet; {@link Packet#inDevice()} is set for received packets (null at
     *             OUTPUT and for the POSTROUTING of packets the router originates), and
     *             {@link Packet#outDevice()} from FORWARD / OUTPUT on. ARP frames meet only INGRESS.
     */
    Verdict process(Hook hook, Packet p);

    /**
     * Whether {@link #prefetch} is worth calling now (a flow table large enough that its lookups
     * miss the caches): the packet path asks once per batch and stages the batch (takes every
     * frame in, prefetches, then processes them) only when a hook of the point says yes; a batch is
     * otherwise processed frame by frame. Must be cheap.
     *
     * @since 1.2
     */
    default boolean prefetches() { return false; }

    /**
     * A received packet that will run this hook soon: the packet path has a batch of them and, when
     * a hook {@link #prefetches()}, asks every hook that overrides this, for each packet, before it
     * processes the first, so that the cache misses of several packets overlap. Load what {@link #process} will need (a flow
     * table's slot, say) and nothing more: no state may change, and the verdict is still
     * {@link #process}'s. The packet is parsed, its in-device set. The result is any value
     * computed from what was loaded (the caller keeps it, so the loads are not optimized away).
     *
     * @since 1.2
     */
    default long prefetch(Hook hook, Packet p) { return 0; }
}
