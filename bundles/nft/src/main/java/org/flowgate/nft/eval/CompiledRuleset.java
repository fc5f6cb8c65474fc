package org.flowgate.nft.eval;

import java.util.List;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.CtState;
import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.packet.Packet;

/**
 * An immutable, compiled ruleset: chains as arrays of {@link Op}s and, per hook and priority, the
 * base chains that run there. Replaced whole on every change, so a packet evaluates one version.
 */
public final class CompiledRuleset {
    /** A chain: rules as op arrays. */
    public record CChain(String table, String name, Op[][] rules) {}

    /** A base chain's place at a hook. {@code families}: bit 0 IPv4, bit 1 IPv6. */
    public record Base(int chain, int families, Lookup device, boolean nat, boolean policyDrop) {}

    /** One (hook, priority) point where base chains run, in registration order. */
    public record HookPoint(Hook hook, int priority, Base[] bases) {}

    public static final CompiledRuleset EMPTY = new CompiledRuleset(new CChain[0], new HookPoint[0], List.of(), List.of());

    private final CChain[] chains;
    private final HookPoint[] points;
    private final HookPoint[][] byHook = new HookPoint[Hook.values().length][];
    private final List<FlowTableSpec> flowTableSpecs;
    private final List<Statements.FlowBinding> flowBindings;

    public CompiledRuleset(CChain[] chains, HookPoint[] points, List<FlowTableSpec> specs, List<Statements.FlowBinding> bindings) {
        this.chains = chains;
        this.points = points;
        for (Hook h : Hook.values()) {
            byHook[h.ordinal()] = java.util.Arrays.stream(points).filter(p -> p.hook() == h).toArray(HookPoint[]::new);
        }
        this.flowTableSpecs = List.copyOf(specs);
        this.flowBindings = List.copyOf(bindings);
    }

    public HookPoint[] hookPoints() { return points.clone(); }

    public List<FlowTableSpec> flowTableSpecs() { return flowTableSpecs; }

    public List<Statements.FlowBinding> flowBindings() { return flowBindings; }

    /** Runs the base chains registered at {@code hook} with {@code priority}. Allocation-free. */
    public Verdict process(Hook hook, int priority, Packet p) {
        HookPoint[] hp = byHook[hook.ordinal()];
        for (int i = 0; i < hp.length; i++) {
            if (hp[i].priority() == priority) return run(hp[i].bases(), p);
        }
        return Verdict.ACCEPT;
    }

    private Verdict run(Base[] bases, Packet p) {
        int fam = p.ipVersion() == 4 ? 1 : p.ipVersion() == 6 ? 2 : 0;
        for (int i = 0; i < bases.length; i++) {
            Base b = bases[i];
            if ((b.families() & fam) == 0) continue;
            if (b.device() != null && b.device().find(p) < 0) continue;
            if (b.nat() && !natApplies(p)) continue;
            int code = runChain(b.chain(), p);
            int kind = Op.kind(code);
            if (kind == Op.DROP) return Verdict.DROP;
            if (kind == Op.STOLEN) return Verdict.STOLEN;
            if (kind != Op.ACCEPT && b.policyDrop()) return Verdict.DROP;
        }
        return Verdict.ACCEPT;
    }

    /**
     * nat chains see a connection's first packet only: new and not yet confirmed (later packets of
     * an unanswered UDP flow are still "new", as in Linux, but their NAT is already bound). Without
     * conntrack (state 0, no entry) they run too, so that a nat statement is counted and dropped
     * instead of silently skipped.
     */
    private static boolean natApplies(Packet p) {
        int s = p.ctState();
        if ((s & CtState.UNTRACKED) != 0) return false;
        if (s == 0 && p.conn() == null) return true;
        return (s & CtState.NEW) != 0 && !(p.conn() instanceof ConnEntry e && e.isConfirmed());
    }

    /** @return a verdict code, or CONT/RETURN when the chain ended without one */
    private int runChain(int chain, Packet p) {
        Op[][] rules = chains[chain].rules();
        for (int r = 0; r < rules.length; r++) {
            Op[] ops = rules[r];
            int code = Op.CONT;
            for (int k = 0; k < ops.length; k++) {
                code = ops[k].eval(p);
                if (code != Op.CONT) break;
            }
            switch (Op.kind(code)) {
                case Op.CONT, Op.BREAK -> { }
                case Op.RETURN -> { return Op.RETURN; }
                case Op.JUMP -> {
                    int v = runChain(Op.target(code), p);
                    int k = Op.kind(v);
                    if (k != Op.CONT && k != Op.RETURN) return v;
                }
                case Op.GOTO -> { return runChain(Op.target(code), p); }
                default -> { return code; }
            }
        }
        return Op.CONT;
    }
}
