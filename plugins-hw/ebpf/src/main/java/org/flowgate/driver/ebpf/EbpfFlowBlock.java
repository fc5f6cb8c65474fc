package org.flowgate.driver.ebpf;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.driver.ebpf.flows.OffloadedFlows;
import org.flowgate.offload.EvictionReason;
import org.flowgate.offload.FlowBlock;
import org.flowgate.offload.FlowRule;
import org.flowgate.offload.FlowStats;
import org.flowgate.offload.OffloadCallback;
import org.flowgate.offload.OffloadException;

/**
 * One flow table's flows in the kernel map: remembers its cookies so that unbind removes exactly
 * them, and whose evictions go to its callback.
 */
final class EbpfFlowBlock implements FlowBlock {
    private final EbpfOffloadDriver driver;
    private final OffloadedFlows flows;
    private final FlowTableSpec table;
    /** Null when bound without one. */
    private final OffloadCallback callback;
    private final Set<Long> cookies = ConcurrentHashMap.newKeySet();

    EbpfFlowBlock(EbpfOffloadDriver driver, OffloadedFlows flows, FlowTableSpec table, OffloadCallback callback) {
        this.driver = driver;
        this.flows = flows;
        this.table = table;
        this.callback = callback;
    }

    @Override
    public void add(FlowRule rule) throws OffloadException {
        cookies.add(rule.cookie()); // before the insert: an eviction of it finds its block
        try {
            flows.add(rule);
        } catch (OffloadException | RuntimeException e) {
            cookies.remove(rule.cookie());
            throw e;
        }
        driver.hideOffloadedFromSockets(false);
    }

    /** The driver lost one of this block's rules by itself: tells the manager. False when not this block's. */
    boolean evicted(long cookie, EvictionReason reason) {
        if (!cookies.remove(cookie)) return false;
        if (callback != null) callback.evicted(cookie, reason);
        return true;
    }

    @Override
    public void del(FlowRule rule) {
        if (cookies.remove(rule.cookie())) flows.del(rule);
    }

    @Override
    public FlowStats stats(FlowRule rule) {
        // the periodic pull also catches port sockets reopened since the last add (else they would see, and forward again, offloaded frames)
        driver.hideOffloadedFromSockets(false);
        return cookies.contains(rule.cookie()) ? flows.stats(rule) : null;
    }

    @Override
    public void unbind() {
        for (Long c : cookies) {
            cookies.remove(c);
            flows.del(c);
        }
        driver.unbound(this);
    }

    @Override
    public String toString() {
        return "ebpf block for " + table.family() + " " + table.table() + " " + table.name();
    }
}
