package org.flowgate.nft.lang;

import java.util.List;

import org.flowgate.nft.model.Chain;
import org.flowgate.nft.model.Concat;
import org.flowgate.nft.model.Counter;
import org.flowgate.nft.model.DataType;
import org.flowgate.nft.model.Elem;
import org.flowgate.nft.model.Expr;
import org.flowgate.nft.model.Expr.Match;
import org.flowgate.nft.model.FlowtableDef;
import org.flowgate.nft.model.Rule;
import org.flowgate.nft.model.SetDef;
import org.flowgate.nft.model.Stmt;
import org.flowgate.nft.model.Table;
import org.flowgate.nft.model.Val;

/** Prints the model back in nft syntax, as {@code nft list ruleset} does; the output parses again. */
public final class Printer {
    private final StringBuilder out;
    private final boolean handles;

    public Printer(StringBuilder out, boolean handles) {
        this.out = out;
        this.handles = handles;
    }

    private void handle(long h) {
        if (handles) out.append(" # handle ").append(h);
    }

    public void wrap(Table t, Runnable body) {
        out.append("table ").append(t.family).append(' ').append(word(t.name)).append(" {");
        handle(t.handle);
        out.append('\n');
        body.run();
        out.append("}\n");
    }

    public void table(Table t) {
        wrap(t, () -> {
            boolean first = true;
            if (t.comment != null) { out.append("\tcomment ").append(DataType.quote(t.comment)).append('\n'); }
            for (var e : t.counters.entrySet()) { if (!first) out.append('\n'); first = false; counterObject(e.getKey(), e.getValue()); }
            for (SetDef s : t.sets.values()) { if (!first) out.append('\n'); first = false; set(s); }
            for (FlowtableDef f : t.flowtables.values()) { if (!first) out.append('\n'); first = false; flowtable(f); }
            for (Chain c : t.chains.values()) { if (!first) out.append('\n'); first = false; chain(t, c); }
        });
    }

    public void counterObject(String name, Counter c) {
        out.append("\tcounter ").append(word(name)).append(" {\n\t\tpackets ").append(c.packets())
                .append(" bytes ").append(c.bytes()).append("\n\t}\n");
    }

    public void flowtable(FlowtableDef f) {
        out.append("\tflowtable ").append(word(f.name)).append(" {");
        handle(f.handle);
        out.append("\n\t\thook ingress priority ").append(priority(f.priority)).append('\n');
        out.append("\t\tdevices = { ");
        for (int i = 0; i < f.devices.size(); i++) out.append(i == 0 ? "" : ", ").append(word(f.devices.get(i)));
        out.append(" }\n");
        if (f.offload) out.append("\t\tflags offload\n");
        if (f.counter) out.append("\t\tcounter\n");
        out.append("\t}\n");
    }

    public void set(SetDef s) {
        out.append('\t').append(s.isMap ? "map " : "set ").append(word(s.name)).append(" {");
        handle(s.handle);
        out.append("\n\t\ttype ").append(s.keyType == DataType.CONCAT ? Concat.typeName(s.concat) : s.keyType.nftName());
        if (s.isMap) out.append(" : ").append(s.dataType.nftName());
        out.append('\n');
        if (!s.flags.isEmpty()) out.append("\t\tflags ").append(String.join(",", s.flags)).append('\n');
        if (s.comment != null) out.append("\t\tcomment ").append(DataType.quote(s.comment)).append('\n');
        if (!s.elements.isEmpty()) {
            out.append("\t\telements = ");
            if (s.keyType == DataType.CONCAT) concatElements(s.concat, s.dataType, s.elements);
            else elements(s.keyType, s.dataType, s.elements);
            out.append('\n');
        }
        out.append("\t}\n");
    }

    public void chainHeader(Table t, Chain c) {
        out.append("\tchain ").append(word(c.name)).append(" {");
        handle(c.handle);
        out.append('\n');
        if (c.isBase()) {
            out.append("\t\ttype ").append(c.type).append(" hook ").append(c.hook.label());
            if (c.device != null) out.append(" device ").append(DataType.quote(c.device));
            out.append(" priority ").append(priority(c.priority)).append("; policy ")
                    .append(c.policyDrop ? "drop" : "accept").append(";\n");
        }
        if (c.comment != null) out.append("\t\tcomment ").append(DataType.quote(c.comment)).append('\n');
    }

    public void chain(Table t, Chain c) {
        chainHeader(t, c);
        for (Rule r : c.rules) {
            out.append("\t\t");
            rule(r);
            handle(r.handle());
            out.append('\n');
        }
        out.append("\t}\n");
    }

    static String priority(int p) {
        for (int i = 0; i < Parser.PRIORITY_VALUES.length; i++) if (Parser.PRIORITY_VALUES[i] == p) return Parser.PRIORITY_NAMES[i];
        return Integer.toString(p);
    }

    private static String word(String s) {
        return s.matches("[A-Za-z_][A-Za-z0-9_.\\-]*") ? s : DataType.quote(s);
    }

    public void rule(Rule r) {
        List<Expr> es = r.exprs();
        for (int i = 0; i < es.size(); i++) {
            if (i > 0) out.append(' ');
            expr(es.get(i));
        }
        if (r.comment() != null) out.append(" comment ").append(DataType.quote(r.comment()));
    }

    private void expr(Expr e) {
        switch (e) {
            case Match m -> {
                DataType type = m.field().type();
                out.append(m.field().nftName());
                if (m.mask() != -1) out.append(" & ").append(maskText(type, m.mask()));
                if (!m.op().text.isEmpty()) out.append(' ').append(m.op().text);
                out.append(' ');
                rhs(type, null, m.rhs());
            }
            case Expr.ConcatMatch m -> {
                List<DataType> parts = new java.util.ArrayList<>();
                for (int i = 0; i < m.fields().size(); i++) {
                    out.append(i > 0 ? " . " : "").append(m.fields().get(i).nftName());
                    parts.add(m.fields().get(i).type());
                }
                out.append(m.negate() ? " != " : " ");
                switch (m.rhs()) {
                    case Expr.SetRef r -> out.append('@').append(r.name());
                    case Expr.AnonSet a -> concatElements(parts, null, a.elems());
                    case Expr.Value v -> out.append(Concat.format(parts, v.elem().from()));
                }
            }
            case Stmt.VerdictStmt v -> verdict(v);
            case Stmt.CounterStmt c -> out.append("counter packets ").append(c.counter().packets()).append(" bytes ").append(c.counter().bytes());
            case Stmt.NamedCounterStmt c -> out.append("counter name ").append(DataType.quote(c.name()));
            case Stmt.LogStmt l -> {
                out.append("log");
                if (l.prefix() != null) out.append(" prefix ").append(DataType.quote(l.prefix()));
                if (l.level() != null) out.append(" level ").append(l.level());
            }
            case Stmt.LimitStmt l -> {
                out.append("limit rate ");
                if (l.over()) out.append("over ");
                out.append(l.rate()).append(l.bytes() ? " bytes/" : "/").append(l.unit());
                out.append(" burst ").append(l.burst()).append(l.bytes() ? " bytes" : " packets");
            }
            case Stmt.RejectStmt r -> {
                out.append("reject");
                if (r.with() != null) out.append(" with ").append(r.with()).append(' ').append(r.typeName());
            }
            case Stmt.NatStmt n -> nat(n);
            case Stmt.SetField s -> {
                out.append(s.target().nftName()).append(" set ");
                switch (s.value()) {
                    case Stmt.Const c -> out.append(s.target().type().format(c.value()));
                    case Stmt.FieldSource f -> out.append(f.field().nftName());
                    case Stmt.MapSource ms -> {
                        out.append(ms.key().nftName()).append(" map ");
                        rhs(ms.key().type(), s.target().type(), ms.map());
                    }
                }
            }
            case Stmt.Notrack n -> out.append("notrack");
            case Stmt.FlowStmt f -> {
                out.append(f.legacySyntax() ? "flow offload" : "flow add");
                if (f.flowtable() != null) out.append(" @").append(f.flowtable());
            }
            case Stmt.VmapStmt v -> {
                out.append(v.key().nftName()).append(" vmap ");
                rhs(v.key().type(), DataType.VERDICT, v.map());
            }
        }
    }

    private static String maskText(DataType type, long mask) {
        if (!type.isBitmask()) return type.format(Val.of(mask));
        String s = type.format(Val.of(mask));
        return s.contains(",") ? "(" + s.replace(",", " | ") + ")" : s;
    }

    private void verdict(Stmt.VerdictStmt v) {
        out.append(v.kind().name().toLowerCase(java.util.Locale.ROOT));
        if (v.chain() != null) out.append(' ').append(word(v.chain()));
    }

    private void rhs(DataType key, DataType data, Expr.Rhs rhs) {
        switch (rhs) {
            case Expr.Value v -> elem(key, v.elem());
            case Expr.SetRef s -> out.append('@').append(s.name());
            case Expr.AnonSet a -> elements(key, data, a.elems());
        }
    }

    private void elements(DataType key, DataType data, List<Elem> elems) {
        out.append("{ ");
        for (int i = 0; i < elems.size(); i++) {
            if (i > 0) out.append(", ");
            Elem e = elems.get(i);
            elem(key, e);
            if (e.data() != null) {
                out.append(" : ");
                if (e.data() instanceof Stmt.VerdictStmt v) verdict(v);
                else out.append(data.format((Val) e.data()));
            }
        }
        out.append(" }");
    }

    private void concatElements(List<DataType> parts, DataType data, List<Elem> elems) {
        out.append("{ ");
        for (int i = 0; i < elems.size(); i++) {
            if (i > 0) out.append(", ");
            Elem e = elems.get(i);
            out.append(Concat.format(parts, e.from()));
            if (e.data() != null) {
                out.append(" : ");
                if (e.data() instanceof Stmt.VerdictStmt v) verdict(v);
                else out.append(data.format((Val) e.data()));
            }
        }
        out.append(" }");
    }

    private void elem(DataType type, Elem e) {
        out.append(type.format(e.from()));
        if (e.prefix() >= 0) out.append('/').append(e.prefix());
        else if (!e.from().equals(e.to())) out.append('-').append(type.format(e.to()));
    }

    private void nat(Stmt.NatStmt n) {
        out.append(n.kind().name().toLowerCase(java.util.Locale.ROOT));
        if (n.addrMin() != null || n.portMin() != 0) {
            out.append(" to ");
            boolean v6 = n.addrType() == DataType.IPV6_ADDR;
            if (n.addrMin() != null) {
                if (v6 && n.portMin() != 0) out.append('[');
                out.append(n.addrType().format(n.addrMin()));
                if (!n.addrMin().equals(n.addrMax())) out.append('-').append(n.addrType().format(n.addrMax()));
                if (v6 && n.portMin() != 0) out.append(']');
            }
            if (n.portMin() != 0) {
                out.append(':').append(n.portMin());
                if (n.portMax() != n.portMin()) out.append('-').append(n.portMax());
            }
        }
        if (!n.flags().isEmpty()) out.append(' ').append(String.join(",", n.flags()));
    }
}
