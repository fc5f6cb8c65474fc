package org.flowgate.api.tc;

import java.util.List;

import org.flowgate.api.hook.Verdict;
import org.flowgate.api.packet.Packet;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The tc ingress classifier of a routing instance, as {@code tc filter} administers it. Filters
 * live in per-device ingress blocks, in chains (0 is where every packet starts) ordered by
 * priority.
 */
@ProviderType
public interface TcService {
    /**
     * Adds a filter from its {@code tc} command line, e.g. {@code tc filter add dev eth0 ingress
     * prio 1 chain 0 proto ip flower ct_state -trk action ct pipe action goto chain 2} (the leading
     * {@code tc} and {@code filter add} are optional). Nothing changes when it fails.
     *
     * @return the filter as added (with its handle and priority)
     * @throws TcException naming the offending word
     */
    TcFilter add(String command) throws TcException;

    /**
     * Deletes filters of a device's ingress block: all of them ({@code chain}, {@code prio},
     * {@code handle} all -1), a chain's, a priority's, or one by handle.
     *
     * @return how many were deleted
     */
    int delete(String device, int chain, int prio, int handle);

    /** The filters of a device (every device when null), by chain then priority, with counters. */
    List<TcFilter> filters(String device);

    /**
     * The chains of a device's ingress block: those holding filters and those a {@code goto chain}
     * names (the kernel creates a chain when an action refers to it), ascending.
     */
    List<Integer> chains(String device);

    /** The connections in the ct zones' flow tables, with their ct metadata. */
    List<CtFlow> ctFlows();

    /** Counters: packets classified, verdicts, drops by reason. */
    java.util.Map<String, Long> stats();

    /**
     * Continues classifying a packet that an offload driver hands back after a miss, as the
     * seed's "handle misses after executing the ct action": the packet carries the zone it was
     * tracked in ({@link Packet#ctZone()}); its conntrack entry is looked up and restored, and
     * classification resumes at {@code chain} on {@link Packet#inDevice()}, never from chain 0.
     *
     * @return what the path should do with the packet next
     */
    Verdict resume(Packet p, int chain);
}
