package org.flowgate.tc.classify;

import org.flowgate.api.packet.Packet;
import org.flowgate.tc.action.Act;
import org.flowgate.tc.action.Drops;
import org.flowgate.tc.action.ExecContext;

/**
 * Runs a packet through a block from a chain, as {@code tcf_classify}: the first filter of the
 * chain that matches runs its actions; {@code continue} tries the next filter; {@code goto chain N}
 * starts over at chain N; {@code reclassify} starts over at the chain classification began at
 * (chain 0, or the chain a packet was resumed at). A chain where nothing matches (or that has no filters) ends
 * classification with {@link Act#UNSPEC}: the packet goes on up the stack, as Linux's
 * {@code sch_handle_ingress} does.
 */
public final class Classifier {
    /** Like the kernel's reclassify limit: more chain jumps or reclassifies than this is a loop, and the packet is dropped. */
    public static final int MAX_JUMPS = 32;

    private Classifier() {}

    public static int classify(Block block, int chain, Packet p, ExecContext ctx) {
        final int first = chain;
        for (int jumps = 0; jumps <= MAX_JUMPS; jumps++) {
            Filter[] fs = block.chain(chain);
            if (fs == null) return Act.UNSPEC;
            int r = Act.UNSPEC;
            for (int i = 0; i < fs.length; i++) {
                Filter f = fs[i];
                if (!f.match().matches(p)) continue;
                r = f.run(p, ctx);
                if (r != Act.UNSPEC) break;
            }
            if (r == Act.RECLASSIFY) chain = first;
            else if (Act.isGoto(r)) chain = Act.chainOf(r);
            else return r;
        }
        return ctx.drop(Drops.GOTO_LOOP);
    }
}
