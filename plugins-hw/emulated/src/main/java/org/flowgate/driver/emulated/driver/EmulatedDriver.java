package org.flowgate.driver.emulated.driver;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.driver.emulated.eswitch.Eswitch;
import org.flowgate.driver.emulated.eswitch.NicPort;
import org.flowgate.offload.FlowBlock;
import org.flowgate.offload.FlowRule;
import org.flowgate.offload.FlowStats;
import org.flowgate.offload.OffloadDriver;
import org.flowgate.offload.OffloadException;

/**
 * The offload driver of the emulated NIC: one block per flow table, each a chain of the eswitch.
 * It takes tc ct zone tables too: their ct-only rules become CT entries of the zone, reached
 * through the ports' ct pre_ct rules ({@link Eswitch#setCtPreCt}).
 */
public final class EmulatedDriver implements OffloadDriver {
    private final Eswitch eswitch;
    private final Faults faults;

    public EmulatedDriver(Eswitch eswitch, Faults faults) {
        this.eswitch = eswitch;
        this.faults = faults;
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
    public FlowBlock bind(FlowTableSpec table) {
        return new Block(eswitch.chain(table.family() + " " + table.table() + " " + table.name()));
    }

    /** The rules installed through one flow table, removed all at once when it unbinds. */
    private final class Block implements FlowBlock {
        private final int chain;
        private final Set<Long> cookies = ConcurrentHashMap.newKeySet();

        Block(int chain) { this.chain = chain; }

        @Override
        public void add(FlowRule rule) throws OffloadException {
            faults.beforeInsert();
            if (rule.ctOnly()) eswitch.installCt(rule, chain);
            else eswitch.install(rule, chain);
            cookies.add(rule.cookie());
        }

        @Override
        public void del(FlowRule rule) {
            eswitch.remove(rule.cookie());
            cookies.remove(rule.cookie());
        }

        @Override
        public FlowStats stats(FlowRule rule) { return eswitch.stats(rule.cookie()); }

        @Override
        public void unbind() {
            for (Long c : cookies) eswitch.remove(c);
            cookies.clear();
        }
    }
}
