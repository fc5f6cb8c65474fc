package org.flowgate.tc.classify;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

import org.flowgate.api.packet.Packet;
import org.flowgate.api.tc.TcFilter;
import org.flowgate.tc.action.Act;
import org.flowgate.tc.action.Action;
import org.flowgate.tc.action.ExecContext;

/** One flower filter: where it sits, what it matches, its actions and its counters. */
public final class Filter {
    private final String device;
    private final int chain, prio, handle;
    private final String protocolWord;
    private final String matchText;
    private final FlowerMatch match;
    private final Action[] actions;
    private final boolean skipSw;
    private final LongAdder packets = new LongAdder(), bytes = new LongAdder();

    public Filter(String device, int chain, int prio, int handle, String protocolWord, FlowerMatch match, String matchText,
            List<Action> actions, boolean skipSw) {
        this.device = device;
        this.chain = chain;
        this.prio = prio;
        this.handle = handle;
        this.protocolWord = protocolWord;
        this.match = match;
        this.matchText = matchText;
        this.actions = actions.toArray(new Action[0]);
        this.skipSw = skipSw;
    }

    public String device() { return device; }

    public int chain() { return chain; }

    public int prio() { return prio; }

    public int handle() { return handle; }

    public String protocolWord() { return protocolWord; }

    public FlowerMatch match() { return match; }

    public Action[] actions() { return actions.clone(); }

    /** Whether the filter classifies in software ({@code skip_sw} filters exist only for drivers). */
    public boolean inSoftware() { return !skipSw; }

    /**
     * Runs the actions in order as {@code tcf_action_exec}: {@code pipe} goes on to the next
     * action, anything else ends the list with that result; after the last one, its result.
     */
    int run(Packet p, ExecContext ctx) {
        packets.increment();
        bytes.add(p.length());
        int r = Act.PIPE;
        for (Action a : actions) {
            r = a.execute(p, ctx);
            if (r != Act.PIPE) return r;
        }
        return r;
    }

    public TcFilter info() {
        List<String> as = new ArrayList<>(actions.length);
        for (Action a : actions) as.add(a.toString());
        return new TcFilter(device, chain, prio, handle, protocolWord, matchText, as, packets.sum(), bytes.sum());
    }
}
