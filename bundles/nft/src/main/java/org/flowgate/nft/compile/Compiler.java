package org.flowgate.nft.compile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import org.flowgate.api.conntrack.NatRange;
import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.api.hook.Hook;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.ruleset.RulesetException;
import org.flowgate.nft.eval.CompiledRuleset;
import org.flowgate.nft.eval.CompiledRuleset.Base;
import org.flowgate.nft.eval.CompiledRuleset.CChain;
import org.flowgate.nft.eval.CompiledRuleset.HookPoint;
import org.flowgate.nft.eval.Ip6Lookup;
import org.flowgate.nft.eval.Lookup;
import org.flowgate.nft.eval.LongLookup;
import org.flowgate.nft.eval.Matches;
import org.flowgate.nft.eval.NameLookup;
import org.flowgate.nft.eval.Op;
import org.flowgate.nft.eval.Reject;
import org.flowgate.nft.eval.Services;
import org.flowgate.nft.eval.Statements;
import org.flowgate.nft.lang.Pos;
import org.flowgate.nft.model.Chain;
import org.flowgate.nft.model.DataType;
import org.flowgate.nft.model.Elem;
import org.flowgate.nft.model.Expr;
import org.flowgate.nft.model.Expr.Match;
import org.flowgate.nft.model.Field;
import org.flowgate.nft.model.FlowtableDef;
import org.flowgate.nft.model.Model;
import org.flowgate.nft.model.Rule;
import org.flowgate.nft.model.SetDef;
import org.flowgate.nft.model.Stmt;
import org.flowgate.nft.model.Table;
import org.flowgate.nft.model.Val;

/**
 * Turns a validated {@link Model} into a {@link CompiledRuleset}: resolves chain, set, counter
 * and flow table references, builds sorted lookup arrays for sets and maps, checks jump loops and
 * depth, and groups base chains by hook and priority. Reports errors at the referring token.
 */
public final class Compiler {
    /** As the kernel's NFT_JUMP_STACK_SIZE. */
    public static final int MAX_JUMP_DEPTH = 16;
    /** Bare {@code flow offload} without a flowtable of its table uses this implicit one (all devices). */
    public static final String IMPLICIT_FLOWTABLE = "flow-offload";

    private final Model model;
    private final Services services;
    private final Map<Chain, Integer> chainIndex = new HashMap<>();
    private final List<Chain> chainList = new ArrayList<>();
    private final List<Table> chainTable = new ArrayList<>();
    private final Map<String, Statements.FlowBinding> bindings = new LinkedHashMap<>();
    private final Map<String, FlowTableSpec> specs = new LinkedHashMap<>();

    private record Compiled(Lookup lookup, Object[] data) {}

    private Compiler(Model model, Services services) {
        this.model = model;
        this.services = services;
    }

    public static CompiledRuleset compile(Model model, Services services) throws RulesetException {
        return new Compiler(model, services).run();
    }

    private CompiledRuleset run() throws RulesetException {
        for (Table t : model.tables.values()) {
            for (FlowtableDef f : t.flowtables.values()) {
                specs.put(t.key() + " " + f.name, new FlowTableSpec(t.family, t.name, f.name, f.priority,
                        new LinkedHashSet<>(f.devices), f.offload, f.counter));
            }
            for (Chain c : t.chains.values()) {
                chainIndex.put(c, chainList.size());
                chainList.add(c);
                chainTable.add(t);
            }
        }
        CChain[] chains = new CChain[chainList.size()];
        for (int i = 0; i < chains.length; i++) {
            Chain c = chainList.get(i);
            Table t = chainTable.get(i);
            Op[][] rules = new Op[c.rules.size()][];
            for (int r = 0; r < rules.length; r++) rules[r] = rule(t, c, c.rules.get(r));
            chains[i] = new CChain(t.name, c.name, rules);
        }
        checkLoops();
        return new CompiledRuleset(chains, hookPoints(), new ArrayList<>(specs.values()), new ArrayList<>(bindings.values()));
    }

    private HookPoint[] hookPoints() {
        Map<String, List<Base>> groups = new LinkedHashMap<>();
        List<Chain> bases = new ArrayList<>();
        for (Chain c : chainList) if (c.isBase()) bases.add(c);
        bases.sort(Comparator.comparing((Chain c) -> c.hook).thenComparingInt(c -> c.priority));
        for (Chain c : bases) {
            int i = chainIndex.get(c);
            Table t = chainTable.get(i);
            int fam = switch (t.family) { case "ip" -> 1; case "ip6" -> 2; default -> 3; };
            Lookup dev = c.device == null ? null : new NameLookup(Field.META_IIFNAME, new String[] {c.device});
            groups.computeIfAbsent(c.hook.name() + " " + c.priority, k -> new ArrayList<>())
                    .add(new Base(i, fam, dev, "nat".equals(c.type), c.policyDrop));
        }
        List<HookPoint> out = new ArrayList<>();
        for (Map.Entry<String, List<Base>> e : groups.entrySet()) {
            String[] k = e.getKey().split(" ");
            out.add(new HookPoint(Hook.valueOf(k[0]), Integer.parseInt(k[1]), e.getValue().toArray(Base[]::new)));
        }
        return out.toArray(HookPoint[]::new);
    }

    // ---- jump graph ----

    private void checkLoops() throws RulesetException {
        int[] state = new int[chainList.size()]; // 0 new, 1 on stack, 2 done
        int[] depth = new int[chainList.size()];
        for (int i = 0; i < chainList.size(); i++) if (chainList.get(i).isBase()) visit(i, state, depth);
        for (int i = 0; i < chainList.size(); i++) if (state[i] == 0) visit(i, state, depth);
    }

    /** @return the deepest jump chain below {@code i} */
    private int visit(int i, int[] state, int[] depth) throws RulesetException {
        if (state[i] == 2) return depth[i];
        state[i] = 1;
        int max = 0;
        Chain c = chainList.get(i);
        Table t = chainTable.get(i);
        for (Rule r : c.rules) {
            for (Stmt.VerdictStmt v : verdicts(t, r)) {
                if (v.chain() == null) continue;
                Chain target = t.chains.get(v.chain());
                int ti = chainIndex.get(target);
                if (state[ti] == 1) throw v.pos().error("jump loop: chain " + v.chain() + " leads back to itself");
                int d = visit(ti, state, depth) + 1;
                if (d > MAX_JUMP_DEPTH) throw v.pos().error("too many nested jumps (more than " + MAX_JUMP_DEPTH + ")");
                max = Math.max(max, d);
            }
        }
        state[i] = 2;
        depth[i] = max;
        return max;
    }

    private static List<Stmt.VerdictStmt> verdicts(Table t, Rule r) {
        List<Stmt.VerdictStmt> out = new ArrayList<>();
        for (Expr e : r.exprs()) {
            if (e instanceof Stmt.VerdictStmt v) out.add(v);
            if (e instanceof Stmt.VmapStmt vm) {
                List<Elem> elems = List.of();
                if (vm.map() instanceof Expr.AnonSet a) elems = a.elems();
                else if (vm.map() instanceof Expr.SetRef ref && t.sets.containsKey(ref.name())) elems = t.sets.get(ref.name()).elements;
                for (Elem el : elems) if (el.data() instanceof Stmt.VerdictStmt v) out.add(v);
            }
        }
        return out;
    }

    // ---- rules ----

    private Op[] rule(Table t, Chain c, Rule r) throws RulesetException {
        List<Op> ops = new ArrayList<>();
        for (Expr e : r.exprs()) {
            switch (e) {
                case Match m -> ops.add(match(t, m, r.pos()));
                case Expr.ConcatMatch m -> ops.add(concat(t, m, r.pos()));
                case Stmt s -> stmt(t, c, s, r.pos(), ops);
            }
        }
        return ops.toArray(Op[]::new);
    }

    private Op match(Table t, Match m, Pos pos) throws RulesetException {
        Field f = m.field();
        DataType type = f.type();
        boolean negate = m.op() == Expr.Op.NE;
        if (m.rhs() instanceof Expr.SetRef || m.rhs() instanceof Expr.AnonSet) {
            if (m.mask() != -1) throw pos.error("a masked match cannot use a set");
            return new Matches.InSet(lookup(t, f, m.rhs(), null, pos).lookup(), negate);
        }
        Elem e = ((Expr.Value) m.rhs()).elem();
        if (type == DataType.IFNAME) return new Matches.InSet(new NameLookup(f, new String[] {e.from().str()}), negate);
        if (f == Field.CT_LABEL) return new Matches.CtLabel((int) e.from().lo(), negate);
        if (type == DataType.IPV6_ADDR) {
            return new Matches.Ip6Range(f, e.from().hi(), e.from().lo(), e.to().hi(), e.to().lo(), negate);
        }
        if (!e.isSingle()) return new Matches.Range(f, e.from().lo(), e.to().lo(), negate);
        long mask = m.mask() == -1 ? 0xFFFF_FFFFL : m.mask();
        long v = e.from().lo();
        int op = switch (m.op()) {
            case IMPLICIT -> type.isBitmask() && m.mask() == -1 ? Matches.ANY_BIT : Matches.EQ;
            case EQ -> Matches.EQ;
            case NE -> type.isBitmask() && m.mask() == -1 ? Matches.NO_BIT : Matches.NE;
            case LT -> Matches.LT;
            case GT -> Matches.GT;
            case LE -> Matches.LE;
            case GE -> Matches.GE;
        };
        return new Matches.Cmp(f, mask, op, v);
    }

    private Op concat(Table t, Expr.ConcatMatch m, Pos pos) throws RulesetException {
        List<DataType> parts = new ArrayList<>();
        for (Field f : m.fields()) parts.add(f.type());
        List<Elem> elems;
        switch (m.rhs()) {
            case Expr.SetRef ref -> {
                SetDef s = t.sets.get(ref.name());
                if (s == null) throw ref.pos().error("No such file or directory: set " + ref.name() + " in table " + t.key());
                if (s.keyType != DataType.CONCAT || !s.concat.equals(parts))
                    throw ref.pos().error("set " + ref.name() + " does not hold " + org.flowgate.nft.model.Concat.typeName(parts));
                if (s.isMap) throw ref.pos().error(ref.name() + " is a map, not a set");
                elems = s.elements;
            }
            case Expr.AnonSet a -> elems = a.elems();
            case Expr.Value v -> elems = List.of(v.elem());
        }
        long[] keys = new long[elems.size()];
        for (int i = 0; i < keys.length; i++) keys[i] = elems.get(i).from().lo();
        long[] sorted = java.util.Arrays.stream(keys).boxed().sorted(Long::compareUnsigned).distinct().mapToLong(Long::longValue).toArray();
        int[] index = new int[sorted.length];
        Field[] fields = m.fields().toArray(Field[]::new);
        int[] bits = new int[fields.length];
        for (int i = 0; i < bits.length; i++) bits[i] = fields[i].type().concatBits();
        Lookup l = new org.flowgate.nft.eval.ConcatLookup(fields, bits, new LongLookup(null, sorted, sorted.clone(), index));
        return new Matches.InSet(l, m.negate());
    }

    /** A lookup over a named or anonymous set/map of {@code key}'s type; {@code data} the expected map data type. */
    private Compiled lookup(Table t, Field key, Expr.Rhs rhs, DataType data, Pos pos) throws RulesetException {
        if (key == Field.CT_LABEL) throw pos.error("ct label cannot be looked up in a set");
        if (rhs instanceof Expr.SetRef ref) {
            SetDef s = t.sets.get(ref.name());
            if (s == null) throw ref.pos().error("No such file or directory: set " + ref.name() + " in table " + t.key());
            if (s.keyType != key.type()) throw ref.pos().error("set " + ref.name() + " holds " + s.keyType.nftName() + ", not " + key.type().nftName());
            if (data == null && s.isMap) throw ref.pos().error(ref.name() + " is a map, not a set");
            if (data != null && (!s.isMap || !compatible(s.dataType, data))) throw ref.pos().error(ref.name() + " is not a map to " + data.nftName());
            return build(key, s.elements, s.isMap, s.pos);
        }
        return build(key, ((Expr.AnonSet) rhs).elems(), data != null, pos);
    }

    private static boolean compatible(DataType have, DataType want) {
        return have == want || (have == DataType.INTEGER || have == DataType.MARK) && (want == DataType.INTEGER || want == DataType.MARK);
    }

    private Compiled build(Field key, List<Elem> elems, boolean map, Pos pos) throws RulesetException {
        int n = elems.size();
        Object[] data = new Object[n];
        for (int i = 0; i < n; i++) data[i] = elems.get(i).data();
        if (key.type() == DataType.IFNAME) {
            String[] names = new String[n];
            for (int i = 0; i < n; i++) names[i] = elems.get(i).from().str();
            return new Compiled(new NameLookup(key, names), data);
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> elems.get(a).from().compareTo(elems.get(b).from()));
        List<Val[]> ranges = new ArrayList<>();
        List<Integer> index = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            Elem e = elems.get(order[k]);
            if (!ranges.isEmpty()) {
                Val[] last = ranges.get(ranges.size() - 1);
                if (e.from().compareTo(last[1]) <= 0) {
                    if (map) throw pos.error("conflicting intervals in map: " + key.type().format(e.from()));
                    if (e.to().compareTo(last[1]) > 0) last[1] = e.to();
                    continue;
                }
            }
            ranges.add(new Val[] {e.from(), e.to()});
            index.add(order[k]);
        }
        int m = ranges.size();
        int[] idx = new int[m];
        for (int i = 0; i < m; i++) idx[i] = index.get(i);
        if (key.type() == DataType.IPV6_ADDR) {
            long[] a = new long[m], b = new long[m], c = new long[m], d = new long[m];
            for (int i = 0; i < m; i++) {
                a[i] = ranges.get(i)[0].hi(); b[i] = ranges.get(i)[0].lo();
                c[i] = ranges.get(i)[1].hi(); d[i] = ranges.get(i)[1].lo();
            }
            return new Compiled(new Ip6Lookup(key, a, b, c, d, idx), data);
        }
        long[] lo = new long[m], hi = new long[m];
        for (int i = 0; i < m; i++) { lo[i] = ranges.get(i)[0].lo(); hi[i] = ranges.get(i)[1].lo(); }
        return new Compiled(new LongLookup(key, lo, hi, idx), data);
    }

    // ---- statements ----

    private void stmt(Table t, Chain c, Stmt s, Pos pos, List<Op> ops) throws RulesetException {
        switch (s) {
            case Stmt.VerdictStmt v -> ops.add(new Statements.VerdictOp(verdictCode(t, v)));
            case Stmt.CounterStmt cs -> ops.add(new Statements.CounterOp(cs.counter()));
            case Stmt.NamedCounterStmt nc -> {
                var counter = t.counters.get(nc.name());
                if (counter == null) throw nc.pos().error("No such file or directory: counter " + nc.name());
                ops.add(new Statements.CounterOp(counter));
            }
            case Stmt.LogStmt l -> ops.add(new Statements.LogOp(l.prefix(), l.level()));
            case Stmt.LimitStmt l -> ops.add(new Statements.LimitOp(l.bucket(), l.over(), l.bytes()));
            case Stmt.RejectStmt r -> reject(t, r, pos, ops);
            case Stmt.NatStmt n -> ops.add(nat(t, c, n));
            case Stmt.SetField sf -> ops.add(new Statements.SetFieldOp(sf.target(), source(t, sf, pos)));
            case Stmt.Notrack n -> {
                if (c.isBase() && c.hook != Hook.PREROUTING && c.hook != Hook.OUTPUT)
                    throw pos.error("notrack belongs in a prerouting or output chain (before conntrack)");
                ops.add(new Statements.NotrackOp());
            }
            case Stmt.FlowStmt f -> ops.add(flow(t, c, f));
            case Stmt.VmapStmt vm -> {
                Compiled cm = lookup(t, vm.key(), vm.map(), DataType.VERDICT, pos);
                int[] codes = new int[cm.data().length];
                for (int i = 0; i < codes.length; i++) codes[i] = verdictCode(t, (Stmt.VerdictStmt) cm.data()[i]);
                ops.add(new Statements.VmapOp(cm.lookup(), codes));
            }
        }
    }

    private int verdictCode(Table t, Stmt.VerdictStmt v) throws RulesetException {
        return switch (v.kind()) {
            case ACCEPT -> Op.ACCEPT;
            case DROP -> Op.DROP;
            case CONTINUE -> Op.CONT;
            case RETURN -> Op.RETURN;
            case JUMP, GOTO -> {
                Chain target = t.chains.get(v.chain());
                if (target == null) throw v.pos().error("No such file or directory: chain " + v.chain() + " in table " + t.key());
                if (target.isBase()) throw v.pos().error("cannot jump to base chain " + v.chain());
                int i = chainIndex.get(target);
                yield v.kind() == Stmt.VerdictKind.JUMP ? Op.jump(i) : Op.gotoChain(i);
            }
        };
    }

    private static final Map<String, Integer> ICMP_CODES = Map.of("net-unreachable", 0, "host-unreachable", 1,
            "prot-unreachable", 2, "port-unreachable", 3, "frag-needed", 4, "net-prohibited", 9, "host-prohibited", 10,
            "admin-prohibited", 13);
    private static final Map<String, Integer> ICMPV6_CODES = Map.of("no-route", 0, "admin-prohibited", 1,
            "addr-unreachable", 3, "port-unreachable", 4, "policy-fail", 5, "reject-route", 6);
    private static final Map<String, int[]> ICMPX_CODES = Map.of("port-unreachable", new int[] {3, 4},
            "admin-prohibited", new int[] {13, 1}, "no-route", new int[] {0, 0}, "host-unreachable", new int[] {1, 3});

    private void reject(Table t, Stmt.RejectStmt r, Pos pos, List<Op> ops) throws RulesetException {
        Services s = services;
        if (r.with() == null) {
            ops.add(new Statements.RejectOp(s, Reject.ICMP_DEFAULT, 3, 4));
            return;
        }
        switch (r.with()) {
            case "tcp" -> {
                ops.add(new Matches.Cmp(Field.META_L4PROTO, 0xFFFF_FFFFL, Matches.EQ, 6));
                ops.add(new Statements.RejectOp(s, Reject.TCP_RESET, 0, 0));
            }
            case "icmp" -> {
                if (t.family.equals("ip6")) throw pos.error("reject with icmp in an ip6 table");
                ops.add(new Matches.Cmp(Field.META_NFPROTO, 0xFFFF_FFFFL, Matches.EQ, 2));
                ops.add(new Statements.RejectOp(s, Reject.ICMP, ICMP_CODES.get(r.typeName()), 0));
            }
            case "icmpv6" -> {
                if (t.family.equals("ip")) throw pos.error("reject with icmpv6 in an ip table");
                ops.add(new Matches.Cmp(Field.META_NFPROTO, 0xFFFF_FFFFL, Matches.EQ, 10));
                ops.add(new Statements.RejectOp(s, Reject.ICMP, 0, ICMPV6_CODES.get(r.typeName())));
            }
            default -> {
                int[] codes = ICMPX_CODES.get(r.typeName());
                ops.add(new Statements.RejectOp(s, Reject.ICMP, codes[0], codes[1]));
            }
        }
    }

    private Op nat(Table t, Chain c, Stmt.NatStmt n) throws RulesetException {
        if (c.isBase()) {
            if (!"nat".equals(c.type)) throw n.pos().error("nat statements belong in a chain of type nat");
            boolean ok = switch (n.kind()) {
                case MASQUERADE -> c.hook == Hook.POSTROUTING;
                case SNAT -> c.hook == Hook.POSTROUTING || c.hook == Hook.INPUT;
                case DNAT -> c.hook == Hook.PREROUTING || c.hook == Hook.OUTPUT;
            };
            if (!ok) throw n.pos().error(n.kind().name().toLowerCase(java.util.Locale.ROOT) + " is not allowed at hook " + c.hook.label());
        }
        NatRange.Kind kind = NatRange.Kind.valueOf(n.kind().name());
        IpAddress min = null, max = null;
        if (n.addrMin() != null) {
            min = n.addrType() == DataType.IPV4_ADDR ? IpAddress.v4((int) n.addrMin().lo()) : IpAddress.v6(n.addrMin().hi(), n.addrMin().lo());
            max = n.addrType() == DataType.IPV4_ADDR ? IpAddress.v4((int) n.addrMax().lo()) : IpAddress.v6(n.addrMax().hi(), n.addrMax().lo());
        }
        boolean random = n.flags().contains("random") || n.flags().contains("fully-random");
        try {
            return new Statements.NatOp(services, new NatRange(kind, min, max, n.portMin(), n.portMax(), random));
        } catch (IllegalArgumentException e) {
            throw n.pos().error(e.getMessage());
        }
    }

    private Statements.Source source(Table t, Stmt.SetField sf, Pos pos) throws RulesetException {
        return switch (sf.value()) {
            case Stmt.Const k -> new Statements.ConstSource(k.value().lo());
            case Stmt.FieldSource f -> new Statements.FieldSource(f.field());
            case Stmt.MapSource ms -> {
                Compiled cm = lookup(t, ms.key(), ms.map(), sf.target().type(), pos);
                long[] values = new long[cm.data().length];
                for (int i = 0; i < values.length; i++) values[i] = ((Val) cm.data()[i]).lo();
                yield new Statements.MapSource(cm.lookup(), values);
            }
        };
    }

    private Op flow(Table t, Chain c, Stmt.FlowStmt f) throws RulesetException {
        if (c.isBase() && c.hook != Hook.FORWARD) throw f.pos().error("flow offload belongs in a forward chain");
        String name = f.flowtable();
        if (name == null) {
            if (t.flowtables.size() == 1) name = t.flowtables.keySet().iterator().next();
            else {
                name = IMPLICIT_FLOWTABLE;
                specs.putIfAbsent(t.key() + " " + name, new FlowTableSpec(t.family, t.name, name, 0, java.util.Set.of(), false, false));
            }
        } else if (!t.flowtables.containsKey(name)) {
            throw f.pos().error("No such file or directory: flowtable " + name + " in table " + t.key());
        }
        String key = t.key() + " " + name;
        Statements.FlowBinding b = bindings.computeIfAbsent(key, k -> new Statements.FlowBinding(t.family, t.name, k.substring(t.key().length() + 1)));
        return new Statements.FlowOp(b, services);
    }
}
