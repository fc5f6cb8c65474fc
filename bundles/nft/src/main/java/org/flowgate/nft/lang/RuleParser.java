package org.flowgate.nft.lang;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.flowgate.api.ruleset.RulesetException;

import org.flowgate.nft.lang.Token.Kind;
import org.flowgate.nft.model.Concat;
import org.flowgate.nft.model.Counter;
import org.flowgate.nft.model.DataType;
import org.flowgate.nft.model.Elem;
import org.flowgate.nft.model.Expr;
import org.flowgate.nft.model.Expr.Match;
import org.flowgate.nft.model.Expr.Op;
import org.flowgate.nft.model.Field;
import org.flowgate.nft.model.Rule;
import org.flowgate.nft.model.Stmt;
import org.flowgate.nft.model.Table;
import org.flowgate.nft.model.TokenBucket;
import org.flowgate.nft.model.Val;

/**
 * Rules: matches, statements and the constants, ranges, prefixes, sets and maps they take. Reads
 * values by the data type the field or set expects.
 */
abstract class RuleParser extends TokenReader {
    RuleParser(List<Token> tokens) {
        super(tokens);
    }

    Rule rule(Table t) throws RulesetException {
        Token first = peek();
        List<Expr> exprs = new ArrayList<>();
        String comment = null;
        boolean terminal = false;
        while (!peek().isEnd()) {
            Token k = next();
            if (k.kind() != Kind.WORD) throw err(k, "unexpected token in rule");
            if (terminal && !k.isWord("comment")) throw err(k, "statement after a verdict");
            if (k.isWord("comment")) { comment = name("a comment").text(); continue; }
            Expr e = expr(k, t);
            if (e instanceof Stmt.VerdictStmt || e instanceof Stmt.VmapStmt) terminal = true;
            exprs.add(e);
        }
        if (exprs.isEmpty()) throw err(peek(), "empty rule");
        return new Rule(t.newHandle(), exprs, comment, first.pos());
    }

    Expr expr(Token k, Table t) throws RulesetException {
        switch (k.text()) {
            case "accept" -> { return new Stmt.VerdictStmt(Stmt.VerdictKind.ACCEPT, null, k.pos()); }
            case "drop" -> { return new Stmt.VerdictStmt(Stmt.VerdictKind.DROP, null, k.pos()); }
            case "continue" -> { return new Stmt.VerdictStmt(Stmt.VerdictKind.CONTINUE, null, k.pos()); }
            case "return" -> { return new Stmt.VerdictStmt(Stmt.VerdictKind.RETURN, null, k.pos()); }
            case "jump", "goto" -> {
                Token c = name("a chain name");
                return new Stmt.VerdictStmt(k.text().equals("jump") ? Stmt.VerdictKind.JUMP : Stmt.VerdictKind.GOTO, c.text(), c.pos());
            }
            case "counter" -> { return counter(); }
            case "log" -> { return log(); }
            case "limit" -> { return limit(); }
            case "reject" -> { return reject(); }
            case "masquerade" -> { return nat(Stmt.NatKind.MASQUERADE, k, t); }
            case "snat" -> { return nat(Stmt.NatKind.SNAT, k, t); }
            case "dnat" -> { return nat(Stmt.NatKind.DNAT, k, t); }
            case "notrack" -> { return new Stmt.Notrack(); }
            case "flow" -> { return flow(k); }
            case "mark" -> {
                if (acceptWord("set")) return new Stmt.SetField(Field.META_MARK, source(Field.META_MARK));
                return match(Field.META_MARK);
            }
            default -> {
                Field f = fieldExpr(k);
                if (peek().isWord(".")) return concatMatch(k, f);
                if (peek().isWord("set")) {
                    Token s = next();
                    if (f != Field.META_MARK && f != Field.CT_MARK && f != Field.CT_ZONE && f != Field.CT_LABEL)
                        throw err(s, "cannot set " + f.nftName());
                    return new Stmt.SetField(f, source(f));
                }
                if (peek().isWord("vmap")) {
                    next();
                    return new Stmt.VmapStmt(f, mapRhs(f.type(), DataType.VERDICT));
                }
                return match(f);
            }
        }
    }

    /** Reads a field name: {@code ip saddr}, {@code meta mark}, {@code iifname}, ... */
    Field fieldExpr(Token k) throws RulesetException {
        String w = k.text();
        if (Field.isShorthand(w)) return Field.of(w, null);
        if (!Set.of("ip", "ip6", "tcp", "udp", "th", "icmp", "icmpv6", "ct", "meta").contains(w))
            throw err(k, "unknown expression or statement");
        Token s = word("a " + w + " field");
        Field f = Field.of(w, s.text());
        if (f == null) throw err(s, "unknown " + w + " field");
        return f;
    }

    Match match(Field f) throws RulesetException {
        DataType type = f.type();
        long mask = -1;
        if (accept(Kind.AMP)) {
            if (!type.isBitmask() && type != DataType.MARK && type != DataType.INTEGER) throw err(peek(), "mask needs a bitmask or integer field");
            boolean paren = accept(Kind.LPAREN);
            mask = flagList(type);
            if (paren) expect(Kind.RPAREN, "')'");
        }
        Op op = Op.IMPLICIT;
        switch (peek().kind()) {
            case EQ -> { next(); op = type.isBitmask() || mask != -1 ? Op.EQ : Op.IMPLICIT; }
            case NE -> { next(); op = Op.NE; }
            case LT -> { next(); op = Op.LT; }
            case GT -> { next(); op = Op.GT; }
            case LE -> { next(); op = Op.LE; }
            case GE -> { next(); op = Op.GE; }
            default -> { }
        }
        Token v = peek();
        boolean ordered = op == Op.LT || op == Op.GT || op == Op.LE || op == Op.GE;
        if (ordered && (type.isBitmask() || type == DataType.IFNAME)) throw err(v, "ordering needs a numeric type");
        if (v.kind() == Kind.LBRACE) {
            if (ordered) throw err(v, "cannot compare with a set");
            next();
            return new Match(f, mask, op, new Expr.AnonSet(elementList(type, null, type != DataType.IFNAME)));
        }
        if (v.kind() == Kind.SETREF) {
            if (ordered) throw err(v, "cannot compare with a set");
            next();
            return new Match(f, mask, op, new Expr.SetRef(v.text(), v.pos()));
        }
        if (type.isBitmask()) {
            long value = flagList(type);
            if (mask == -1 && peek().isWord("/")) { // nft 1.0 style: tcp flags syn / fin,syn,rst,ack
                next();
                mask = flagList(type);
                if (op == Op.IMPLICIT) op = Op.EQ;
            }
            return new Match(f, mask, op, new Expr.Value(Elem.single(Val.of(value))));
        }
        Elem e = element(type, !ordered);
        return new Match(f, mask, op, new Expr.Value(e));
    }

    /** {@code a,b,c} or {@code a | b} of a bitmask (or a single integer). */
    long flagList(DataType type) throws RulesetException {
        long bits = 0;
        do {
            Token t = name("a value");
            Val v = type.parse(t.text());
            if (v == null) throw err(t, "expected " + type.nftName());
            bits |= v.lo();
        } while (type.isBitmask() && (accept(Kind.COMMA) || accept(Kind.PIPE)));
        return bits;
    }

    /** One constant, range {@code a-b} or prefix {@code a/n} of {@code type}. */
    Elem element(DataType type, boolean ranges) throws RulesetException {
        Token t = next();
        if (t.kind() != Kind.WORD && t.kind() != Kind.STRING) throw err(t, "expected " + type.nftName());
        return elementOf(t, t.text(), type, ranges);
    }

    Elem elementOf(Token t, String s, DataType type, boolean ranges) throws RulesetException {
        if (type == DataType.IFNAME) {
            Val v = type.parse(s);
            if (v == null) throw err(t, "bad interface name");
            return Elem.single(v);
        }
        Val v = type.parse(s);
        if (v != null) {
            if (ranges && peek().isWord("-")) {
                next();
                Token e = name("the end of the range");
                Val to = type.parse(e.text());
                if (to == null) throw err(e, "expected " + type.nftName());
                return range(e, v, to);
            }
            return Elem.single(v);
        }
        int slash = s.indexOf('/');
        if (type.isAddress() && slash > 0 && ranges) {
            Val a = type.parse(s.substring(0, slash));
            if (a == null) throw err(t, "expected " + type.nftName());
            int len;
            try {
                len = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException ex) {
                throw err(t, "bad prefix length");
            }
            Val end = type.prefixEnd(a, len);
            if (end == null) throw err(t, "bad prefix: length out of range or host bits set");
            return new Elem(a, end, len, null);
        }
        if (ranges) {
            for (int i = s.indexOf('-'); i > 0; i = s.indexOf('-', i + 1)) {
                Val from = type.parse(s.substring(0, i));
                Val to = type.parse(s.substring(i + 1));
                if (from != null && to != null) return range(t, from, to);
            }
        }
        if (!ranges && (s.indexOf('/') > 0 || s.indexOf('-') > 0)) throw err(t, "ranges and prefixes need a set with flags interval");
        throw err(t, "expected " + type.nftName());
    }

    static Elem range(Token t, Val from, Val to) throws RulesetException {
        if (from.compareTo(to) > 0) throw err(t, "range is backwards");
        return new Elem(from, to, -1, null);
    }

    /** {@code = { a, b : x, ... }} after '{' was seen or not. */
    List<Elem> elements(DataType key, DataType data, boolean ranges) throws RulesetException {
        expect(Kind.LBRACE, "'{'");
        return elementList(key, data, ranges);
    }

    /** Elements up to and including '}'. */
    List<Elem> elementList(DataType key, DataType data, boolean ranges) throws RulesetException {
        List<Elem> out = new ArrayList<>();
        while (true) {
            skipNewlines();
            Token t = peek();
            if (t.kind() == Kind.RBRACE) { next(); break; }
            if (t.kind() == Kind.COMMA) { next(); continue; }
            Token v = next();
            if (v.kind() != Kind.WORD && v.kind() != Kind.STRING) throw err(v, "expected " + key.nftName());
            String s = v.text();
            boolean colonAttached = data != null && s.endsWith(":") && key != DataType.IPV6_ADDR;
            if (colonAttached) s = s.substring(0, s.length() - 1);
            Elem e;
            if (key.isBitmask()) {
                Val x = key.parse(s);
                if (x == null) throw err(v, "expected " + key.nftName());
                e = Elem.single(x);
            } else {
                e = elementOf(v, s, key, ranges);
            }
            if (data != null) {
                if (!colonAttached) {
                    Token c = next();
                    if (!c.isWord(":")) throw err(c, "expected ':' and a value");
                }
                e = e.withData(data == DataType.VERDICT ? verdict() : mapValue(data));
            }
            out.add(e);
        }
        return out;
    }

    Stmt.VerdictStmt verdict() throws RulesetException {
        Token v = word("a verdict");
        return switch (v.text()) {
            case "accept", "drop", "continue", "return", "jump", "goto" -> (Stmt.VerdictStmt) expr(v, null);
            default -> throw err(v, "expected a verdict");
        };
    }

    Val mapValue(DataType data) throws RulesetException {
        Token v = name(data.nftName());
        Val x = data.parse(v.text());
        if (x == null) throw err(v, "expected " + data.nftName());
        return x;
    }

    Expr.Rhs mapRhs(DataType key, DataType data) throws RulesetException {
        Token t = next();
        if (t.kind() == Kind.SETREF) return new Expr.SetRef(t.text(), t.pos());
        if (t.kind() != Kind.LBRACE) throw err(t, "expected '{' or @map");
        return new Expr.AnonSet(elementList(key, data, true));
    }

    Stmt.Source source(Field target) throws RulesetException {
        Token t = peek();
        if (t.kind() == Kind.WORD && (Field.isShorthand(t.text())
                || Set.of("ip", "ip6", "tcp", "udp", "th", "icmp", "icmpv6", "ct", "meta").contains(t.text()))) {
            next();
            Field f = fieldExpr(t);
            if (acceptWord("map")) return new Stmt.MapSource(f, mapRhs(f.type(), target.type()));
            if (f.type() == DataType.IPV6_ADDR || f.type() == DataType.IFNAME) throw err(t, "cannot set " + target.nftName() + " from this");
            return new Stmt.FieldSource(f);
        }
        return new Stmt.Const(mapValue(target.type()));
    }

    Stmt counter() throws RulesetException {
        if (acceptWord("name")) {
            Token n = name("a counter name");
            return new Stmt.NamedCounterStmt(n.text(), n.pos());
        }
        long packets = 0, bytes = 0;
        if (acceptWord("packets")) {
            packets = number(word("a number"), 0, Long.MAX_VALUE);
            expectWord("bytes");
            bytes = number(word("a number"), 0, Long.MAX_VALUE);
        }
        return new Stmt.CounterStmt(new Counter(packets, bytes));
    }

    Stmt log() throws RulesetException {
        String prefix = null, level = null;
        while (true) {
            if (acceptWord("prefix")) prefix = name("a prefix").text();
            else if (acceptWord("level")) {
                Token l = word("a log level");
                if (!Set.of("emerg", "alert", "crit", "err", "warn", "notice", "info", "debug").contains(l.text()))
                    throw err(l, "unknown log level");
                level = l.text();
            } else break;
        }
        return new Stmt.LogStmt(prefix, level);
    }

    Stmt limit() throws RulesetException {
        expectWord("rate");
        boolean over = acceptWord("over");
        Token n = word("a rate");
        String s = n.text();
        String numText = s, unitText = null;
        int slash = s.indexOf('/');
        if (slash >= 0) { numText = s.substring(0, slash); unitText = s.substring(slash + 1); }
        long rate = number(new Token(Kind.WORD, numText, n.source(), n.line(), n.column()), 1, Long.MAX_VALUE);
        long byteScale = 0;
        if (unitText == null) {
            Token u = word("a unit");
            String us = u.text();
            if (us.equals("/")) us = word("a time unit").text();
            else if (us.startsWith("/")) us = us.substring(1);
            else {
                int sl = us.indexOf('/');
                String bu = sl < 0 ? us : us.substring(0, sl);
                byteScale = switch (bu) {
                    case "bytes" -> 1;
                    case "kbytes" -> 1024;
                    case "mbytes" -> 1024 * 1024;
                    default -> throw err(u, "expected bytes, kbytes or mbytes");
                };
                us = sl < 0 ? word("a time unit").text() : us.substring(sl + 1);
                if (us.startsWith("/")) us = us.substring(1);
                else if (us.isEmpty() || sl < 0 && us.equals("/")) us = word("a time unit").text();
            }
            unitText = us;
        }
        long per = switch (unitText) {
            case "second" -> 1;
            case "minute" -> 60;
            case "hour" -> 3600;
            case "day" -> 86400;
            case "week" -> 604800;
            default -> throw err(n, "unknown time unit '" + unitText + "'");
        };
        long units = byteScale == 0 ? rate : rate * byteScale;
        long burst = byteScale == 0 ? 5 : 0;
        if (acceptWord("burst")) {
            burst = number(word("a number"), 0, Integer.MAX_VALUE);
            Token bu = word("packets or bytes");
            if (bu.text().equals("packets")) {
                if (byteScale != 0) throw err(bu, "burst of a byte rate is in bytes");
            } else if (bu.text().equals("bytes") || bu.text().equals("kbytes") || bu.text().equals("mbytes")) {
                if (byteScale == 0) throw err(bu, "burst of a packet rate is in packets");
                burst *= bu.text().equals("kbytes") ? 1024 : bu.text().equals("mbytes") ? 1024 * 1024 : 1;
            } else throw err(bu, "expected packets or bytes");
        }
        return new Stmt.LimitStmt(over, units, unitText, byteScale != 0, burst, new TokenBucket((double) units / per, burst, byteScale != 0));
    }

    static final Set<String> ICMP_CODES = Set.of("net-unreachable", "host-unreachable", "prot-unreachable",
            "port-unreachable", "net-prohibited", "host-prohibited", "admin-prohibited", "frag-needed");
    static final Set<String> ICMPV6_CODES = Set.of("no-route", "admin-prohibited", "addr-unreachable",
            "port-unreachable", "policy-fail", "reject-route");
    static final Set<String> ICMPX_CODES = Set.of("port-unreachable", "admin-prohibited", "no-route", "host-unreachable");

    Stmt reject() throws RulesetException {
        if (!acceptWord("with")) return new Stmt.RejectStmt(null, -1, null);
        Token w = word("icmp, icmpv6, icmpx or tcp");
        switch (w.text()) {
            case "tcp" -> {
                expectWord("reset");
                return new Stmt.RejectStmt("tcp", -1, "reset");
            }
            case "icmp", "icmpv6", "icmpx" -> {
                acceptWord("type");
                Token c = word("a reject code");
                Set<String> ok = w.text().equals("icmp") ? ICMP_CODES : w.text().equals("icmpv6") ? ICMPV6_CODES : ICMPX_CODES;
                if (!ok.contains(c.text())) throw err(c, "unknown " + w.text() + " reject code");
                return new Stmt.RejectStmt(w.text(), 0, c.text());
            }
            default -> throw err(w, "expected icmp, icmpv6, icmpx or tcp");
        }
    }

    Stmt nat(Stmt.NatKind kind, Token k, Table t) throws RulesetException {
        DataType at = null;
        if (kind != Stmt.NatKind.MASQUERADE) {
            if (acceptWord("ip")) at = DataType.IPV4_ADDR;
            else if (acceptWord("ip6")) at = DataType.IPV6_ADDR;
        }
        Val amin = null, amax = null;
        int pmin = 0, pmax = 0;
        if (acceptWord("to")) {
            Token v = name("a nat target");
            String s = v.text();
            String ports = null;
            String addr = s;
            if (s.startsWith(":")) { addr = ""; ports = s.substring(1); }
            else if (s.startsWith("[")) {
                int close = s.indexOf(']');
                if (close < 0) throw err(v, "expected ']'");
                addr = s.substring(1, close);
                if (close + 1 < s.length()) {
                    if (s.charAt(close + 1) != ':') throw err(v, "expected ':' and a port");
                    ports = s.substring(close + 2);
                }
            } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
                addr = s.substring(0, s.indexOf(':'));
                ports = s.substring(s.indexOf(':') + 1);
            }
            if (!addr.isEmpty()) {
                if (kind == Stmt.NatKind.MASQUERADE) throw err(v, "masquerade takes only ports");
                if (at == null) at = addr.indexOf(':') >= 0 ? DataType.IPV6_ADDR : DataType.IPV4_ADDR;
                Elem e = elementOf(v, addr, at, true);
                if (e.prefix() >= 0) throw err(v, "nat takes an address or a range, not a prefix");
                amin = e.from();
                amax = e.to();
            }
            if (ports != null) {
                Elem p = elementOf(v, ports, DataType.INET_SERVICE, true);
                pmin = (int) p.from().lo();
                pmax = (int) p.to().lo();
                if (pmin == 0) throw err(v, "port 0 in a nat range");
            }
            if (amin == null && ports == null) throw err(v, "expected an address or :port");
        } else if (kind != Stmt.NatKind.MASQUERADE) {
            throw err(peek(), "expected 'to'");
        }
        if (t != null && at != null && (t.family.equals("ip") && at != DataType.IPV4_ADDR || t.family.equals("ip6") && at != DataType.IPV6_ADDR))
            throw err(k, "address family does not match the table");
        List<String> flags = new ArrayList<>();
        while (peek().kind() == Kind.WORD && Set.of("random", "fully-random", "persistent").contains(peek().text())) {
            flags.add(next().text());
            accept(Kind.COMMA);
        }
        return new Stmt.NatStmt(kind, at, amin, amax, pmin, pmax, flags, k.pos());
    }

    Stmt flow(Token k) throws RulesetException {
        Token w = word("offload or add");
        if (w.text().equals("add")) {
            Token r = next();
            if (r.kind() != Kind.SETREF) throw err(r, "expected @flowtable");
            return new Stmt.FlowStmt(r.text(), false, r.pos());
        }
        if (!w.text().equals("offload")) throw err(w, "expected offload or add");
        if (peek().kind() == Kind.SETREF) {
            Token r = next();
            return new Stmt.FlowStmt(r.text(), true, r.pos());
        }
        return new Stmt.FlowStmt(null, true, k.pos());
    }

    /** Elements {@code a . b [: data]} up to and including '}'. */
    List<Elem> concatList(List<DataType> parts, DataType data) throws RulesetException {
        List<Elem> out = new ArrayList<>();
        while (true) {
            skipNewlines();
            Token t = peek();
            if (t.kind() == Kind.RBRACE) { next(); break; }
            if (t.kind() == Kind.COMMA) { next(); continue; }
            out.add(concatElement(parts, data));
        }
        return out;
    }

    Elem concatElement(List<DataType> parts, DataType data) throws RulesetException {
        long[] values = new long[parts.size()];
        boolean colonAttached = false;
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) {
                Token dot = next();
                if (!dot.isWord(".")) throw err(dot, "expected '.' and the next part of " + Concat.typeName(parts));
            }
            Token v = next();
            if (v.kind() != Kind.WORD && v.kind() != Kind.STRING) throw err(v, "expected " + parts.get(i).nftName());
            String text = v.text();
            if (i == parts.size() - 1 && data != null && text.endsWith(":")) { colonAttached = true; text = text.substring(0, text.length() - 1); }
            Val x = parts.get(i).parse(text);
            if (x == null) throw err(v, "expected " + parts.get(i).nftName());
            values[i] = x.lo();
        }
        Elem e = Elem.single(Val.of(Concat.pack(parts, values)));
        if (data != null) {
            if (!colonAttached) {
                Token c = next();
                if (!c.isWord(":")) throw err(c, "expected ':' and a value");
            }
            e = e.withData(data == DataType.VERDICT ? verdict() : mapValue(data));
        }
        return e;
    }

    /** {@code f1 . f2 [!=] { ... } | @set | v1 . v2}. */
    Expr concatMatch(Token at, Field first) throws RulesetException {
        List<Field> fields = new ArrayList<>(List.of(first));
        while (acceptWord(".")) fields.add(fieldExpr(word("an expression")));
        List<DataType> parts = new ArrayList<>();
        for (Field f : fields) parts.add(f.type());
        if (Concat.width(parts) < 0) throw err(at, "concatenations of up to 64 bits of numbers and IPv4 addresses are supported");
        boolean negate = false;
        if (accept(Kind.NE)) negate = true;
        else accept(Kind.EQ);
        Token v = peek();
        if (v.isWord("vmap") || v.isWord("map")) throw err(v, "maps keyed by a concatenation are not supported yet");
        if (v.kind() == Kind.LBRACE) {
            next();
            return new Expr.ConcatMatch(fields, negate, new Expr.AnonSet(concatList(parts, null)));
        }
        if (v.kind() == Kind.SETREF) {
            next();
            return new Expr.ConcatMatch(fields, negate, new Expr.SetRef(v.text(), v.pos()));
        }
        return new Expr.ConcatMatch(fields, negate, new Expr.Value(concatElement(parts, null)));
    }

}
