package org.flowgate.driver.emulated.driver;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.driver.emulated.eswitch.Eswitch;
import org.flowgate.driver.emulated.eswitch.NicPort;
import org.flowgate.offload.EvictionReason;
import org.flowgate.offload.FlowBlock;
import org.flowgate.offload.FlowRule;
import org.flowgate.offload.FlowStats;
import org.flowgate.offload.OffloadCallback;
import org.flowgate.offload.OffloadDriver;
import org.flowgate.offload.OffloadException;

/**
 * The offload driver of the emulated NIC: one block per flow table, each a chain of the eswitch.
 * It takes tc ct zone tables too: their ct-only rules become CT entries of the zone, reached
 * through the ports' ct pre_ct rules ({@link Eswitch#setCtPreCt}). Rules the eswitch drops by
 * itself (capacity shrink, port removal) are reported through the {@link OffloadCallback} of the
 * block that installed them.
 */
public final class EmulatedDriver implements OffloadDriver {
    private final Eswitch eswitch;
    private final Faults faults;
    /** Which block installed each cookie (registered before the insert, so no eviction goes unreported). */
    private final Map<Long, Block> owners = new ConcurrentHashMap<>();
    private final Eswitch.EvictionListener listener = this::evicted;

    public EmulatedDriver(Eswitch eswitch, Faults faults) {
        this.eswitch = eswitch;
        this.faults = faults;
        eswitch.setEvictionListener(listener);
    }

    /** The driver was withdrawn: the eswitch's evictions no longer reach its blocks' callbacks. */
    public void close() {
        eswitch.removeEvictionListener(listener);
    }

    @Override
    public String name() { return "emulated:" + eswitch.name(); }

    @Override
    public Set<String> devices() {
        Set<String> s = new LinkedHashSet<>();
        for (NicPort p : eswitch.ports()) s.add(p.name());
        return s;
    }

    @Override
    public boolean offloadsCtZones() { return true; }

    @Override
    public FlowBlock bind(FlowTableSpec table) { return bind(table, null); }

    @Override
    public FlowBlock bind(FlowTableSpec table, OffloadCallback callback) {
        return new Block(eswitch.chain(table.family() + " " + table.table() + " " + table.name()), callback);
    }

    private void evicted(long cookie, EvictionReason reason) {
        Block b = owners.remove(cookie);
        if (b == null) return; // deleted meanwhile, or not installed through this driver
        b.cookies.remove(cookie);
        if (b.callback != null) b.callback.evicted(cookie, reason);
    }

    /** The rules installed through one flow table, removed all at once when it unbinds. */
    private final class Block implements FlowBlock {
        private final int chain;
        /** Null when bound without one ({@link #bind(FlowTableSpec)}). */
        private final OffloadCallback callback;
        private final Set<Long> cookies = ConcurrentHashMap.newKeySet();

        Block(int chain, OffloadCallback callback) {
            this.chain = chain;
            this.callback = callback;
        }

        @Override
        public void add(FlowRule rule) throws OffloadException {
            faults.beforeInsert();
            owners.put(rule.cookie(), this);
            cookies.add(rule.cookie());
            try {
                if (rule.ctOnly()) eswitch.installCt(rule, chain);
                else eswitch.install(rule, chain);
            } catch (OffloadException | RuntimeException e) {
                owners.remove(rule.cookie(), this);
                cookies.remove(rule.cookie());
                throw e;
            }
        }

        @Override
        public void del(FlowRule rule) {
            owners.remove(rule.cookie(), this);
            cookies.remove(rule.cookie());
            eswitch.remove(rule.cookie());
        }

        @Override
        public FlowStats stats(FlowRule rule) { return eswitch.stats(rule.cookie()); }

        @Override
        public void unbind() {
            for (Long c : cookies) {
                owners.remove(c, this);
                eswitch.remove(c);
            }
            cookies.clear();
        }
    }
}
