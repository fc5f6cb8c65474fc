package org.flowgate.driver.emulated.component;

import org.apache.felix.service.command.Descriptor;
import org.flowgate.driver.emulated.driver.Faults;
import org.flowgate.driver.emulated.eswitch.Eswitch;
import org.flowgate.driver.emulated.eswitch.NicPort;

/** Gogo scope {@code hw}: the emulated NIC's tables and counters. Formats only. */
public final class HwCommands {
    private final Eswitch eswitch;
    private final Faults faults;

    public HwCommands(Eswitch eswitch, Faults faults) {
        this.eswitch = eswitch;
        this.faults = faults;
    }

    @Descriptor("dump the NIC's pre_ct, CT and post_ct tables with per-entry counters")
    public String tables() { return eswitch.dumpTables(); }

    @Descriptor("NIC counters: hits, misses to software by reason, inserts and injected failures")
    public String stats() {
        return eswitch.dumpStats() + "  inserts=" + faults.inserts() + " injected-failures=" + faults.injected() + "\n";
    }

    @Descriptor("the NIC's ports and the wires behind them")
    public String ports() {
        StringBuilder sb = new StringBuilder();
        for (NicPort p : eswitch.ports()) sb.append(p.name()).append(" mac ").append(p.mac()).append(" mtu ").append(p.mtu())
                .append(p.isLinkUp() ? " up" : " down").append(" wire ").append(p.wire()).append('\n');
        return sb.toString();
    }
}
