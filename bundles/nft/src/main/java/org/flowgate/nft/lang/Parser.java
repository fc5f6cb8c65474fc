package org.flowgate.nft.lang;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.ruleset.RulesetException;
import org.flowgate.nft.lang.Token.Kind;
import org.flowgate.nft.model.Chain;
import org.flowgate.nft.model.Concat;
import org.flowgate.nft.model.Counter;
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

/**
 * Recursive-descent parser for nft input ({@code nft -f} files and single command lines). It
 * applies each command to the {@link Model} it is given — a private copy of the running ruleset —
 * so the caller can validate the result and swap it in, or throw it away on the first error.
 */
public final class Parser extends RuleParser {
    /** Reads an included file; {@code from} is the source that names it. */
    public interface Includer {
        /** @return {resolved source name, text} per file, in include order (a glob may match several or none) */
        List<String[]> read(String path, String from) throws java.io.IOException;
    }

    private static final Set<String> FAMILIES = Set.of("ip", "ip6", "inet");
    private static final Set<String> OTHER_FAMILIES = Set.of("arp", "bridge", "netdev");

    private final Model model;
    private final StringBuilder out;
    private final Includer includer;
    private final boolean handles;
    private final List<Runnable> afterCommit;

    private Parser(List<Token> tokens, Model model, StringBuilder out, Includer includer, boolean handles, List<Runnable> afterCommit) {
        super(tokens);
        this.model = model;
        this.out = out;
        this.includer = includer;
        this.handles = handles;
        this.afterCommit = afterCommit;
    }

    /**
     * Parses {@code text} and applies it to {@code model}; list commands print into {@code out};
     * changes to state shared with the running ruleset (counter resets) go to {@code afterCommit}.
     */
    public static void apply(String text, String source, Model model, StringBuilder out, Includer includer, boolean handles,
            List<Runnable> afterCommit) throws RulesetException {
        new Parser(Lexer.lex(text, source), model, out, includer, handles, afterCommit).commands();
    }

    // ---- commands ----

    private void commands() throws RulesetException {
        while (true) {
            skipSeparators();
            Token t = peek();
            if (t.kind() == Kind.EOF) return;
            command();
            endOfStatement();
        }
    }

    private void command() throws RulesetException {
        Token t = word("a command");
        switch (t.text()) {
            case "include" -> include();
            case "define", "redefine" -> define();
            case "undefine" -> ts.defines.remove(word("a variable name").text());
            case "table" -> tableBlock(false);
            case "add" -> add(false);
            case "create" -> add(true);
            case "insert" -> { expectWord("rule"); addRule(true); }
            case "delete", "destroy" -> delete(t.text().equals("destroy"));
            case "flush" -> flush();
            case "list" -> list();
            case "reset" -> reset();
            default -> throw err(t, "unknown command");
        }
    }

    private void include() throws RulesetException {
        Token path = next();
        if (path.kind() != Kind.STRING) throw err(path, "expected a quoted file name");
        if (includer == null) throw err(path, "include is not available here");
        List<String[]> files;
        try {
            files = includer.read(path.text(), path.source());
        } catch (java.io.IOException e) {
            throw err(path, "cannot read include file: " + e.getMessage());
        }
        endOfStatement();
        // spliced last file first: the stream is a stack
        for (int i = files.size() - 1; i >= 0; i--) {
            // the caller ends the include statement: give it a separator before the included tokens
            List<Token> tokens = new ArrayList<>();
            tokens.add(new Token(Kind.NEWLINE, "\n", path.source(), path.line(), path.column()));
            tokens.addAll(Lexer.lex(files.get(i)[1], files.get(i)[0]));
            ts.splice(tokens, path);
        }
        if (files.isEmpty()) ts.splice(List.of(new Token(Kind.NEWLINE, "\n", path.source(), path.line(), path.column())), path);
    }

    private void define() throws RulesetException {
        Token n = word("a variable name");
        expect(Kind.ASSIGN, "'='");
        List<Token> value = new ArrayList<>();
        int depth = 0;
        while (true) {
            Token t = peek();
            if (t.kind() == Kind.EOF) break;
            if (depth == 0 && (t.kind() == Kind.NEWLINE || t.kind() == Kind.SEMICOLON)) break;
            next();
            if (t.kind() == Kind.LBRACE) depth++;
            if (t.kind() == Kind.RBRACE) depth--;
            value.add(t);
        }
        if (value.isEmpty()) throw err(n, "variable without a value");
        ts.defines.put(n.text(), value);
    }

    private String family() throws RulesetException {
        Token t = peek();
        if (t.kind() == Kind.WORD && FAMILIES.contains(t.text())) { next(); return t.text(); }
        if (t.kind() == Kind.WORD && OTHER_FAMILIES.contains(t.text())) throw err(t, "unsupported family (ip, ip6 and inet are)");
        return "ip";
    }

    private Table existingTable() throws RulesetException {
        String fam = family();
        Token n = name("a table name");
        Table t = model.table(fam, n.text());
        if (t == null) throw err(n, "No such file or directory: table " + fam + " " + n.text());
        return t;
    }

    private Table tableBlock(boolean create) throws RulesetException {
        String fam = family();
        Token n = name("a table name");
        Table t = model.table(fam, n.text());
        if (t == null) {
            t = new Table(fam, n.text(), ++model.tableHandles);
            model.tables.put(t.key(), t);
        } else if (create) {
            throw err(n, "File exists: table " + t.key());
        }
        if (accept(Kind.LBRACE)) tableBody(t);
        return t;
    }

    private void tableBody(Table t) throws RulesetException {
        while (true) {
            skipSeparators();
            Token k = next();
            if (k.kind() == Kind.RBRACE) return;
            if (k.kind() != Kind.WORD) throw err(k, "expected chain, set, map, flowtable, counter or '}'");
            switch (k.text()) {
                case "chain" -> chain(t, name("a chain name"), false);
                case "set" -> set(t, name("a set name"), false, false);
                case "map" -> set(t, name("a map name"), true, false);
                case "flowtable" -> flowtable(t, name("a flowtable name"), false);
                case "counter" -> counterObject(t, name("a counter name"), false);
                case "comment" -> t.comment = name("a comment").text();
                case "flags" -> word("table flags");
                case "include" -> include();
                default -> throw err(k, "unexpected token in table, expected chain, set, map, flowtable or counter");
            }
            endOfStatement();
        }
    }

    private void add(boolean create) throws RulesetException {
        Token what = word("table, chain, rule, set, map, element, counter or flowtable");
        switch (what.text()) {
            case "table" -> tableBlock(create);
            case "chain" -> { Table t = existingTable(); chain(t, name("a chain name"), create); }
            case "rule" -> addRule(false);
            case "set" -> { Table t = existingTable(); set(t, name("a set name"), false, create); }
            case "map" -> { Table t = existingTable(); set(t, name("a map name"), true, create); }
            case "element" -> elementCommand(true);
            case "counter" -> { Table t = existingTable(); counterObject(t, name("a counter name"), create); }
            case "flowtable" -> { Table t = existingTable(); flowtable(t, name("a flowtable name"), create); }
            default -> throw err(what, "cannot add this");
        }
    }

    private void chain(Table t, Token n, boolean create) throws RulesetException {
        Chain c = t.chains.get(n.text());
        if (c == null) {
            c = new Chain(n.text(), t.newHandle(), n.pos());
            t.chains.put(c.name, c);
        } else if (create) {
            throw err(n, "File exists: chain " + n.text());
        }
        if (!accept(Kind.LBRACE)) return;
        while (true) {
            skipSeparators();
            Token k = peek();
            if (k.kind() == Kind.RBRACE) { next(); return; }
            if (k.kind() == Kind.EOF) throw err(k, "expected '}' to close chain " + c.name);
            if (k.isWord("type")) { next(); baseChain(t, c); }
            else if (k.isWord("policy")) { next(); policy(c); }
            else if (k.isWord("comment")) { next(); c.comment = name("a comment").text(); }
            else c.rules.add(rule(t));
            endOfStatement();
        }
    }

    private void baseChain(Table t, Chain c) throws RulesetException {
        Token type = word("filter, nat or route");
        if (!Set.of("filter", "nat", "route").contains(type.text())) throw err(type, "unknown chain type");
        expectWord("hook");
        Token h = word("a hook");
        Hook hook;
        try {
            hook = Hook.parse(h.text());
        } catch (IllegalArgumentException e) {
            throw err(h, "unknown hook");
        }
        switch (type.text()) {
            case "nat" -> {
                if (hook == Hook.INGRESS || hook == Hook.FORWARD) throw err(h, "nat chains cannot use this hook");
            }
            case "route" -> {
                if (hook != Hook.OUTPUT) throw err(h, "route chains use the output hook");
            }
            default -> { }
        }
        String device = null;
        if (acceptWord("device")) {
            device = name("a device name").text();
            if (hook != Hook.INGRESS) throw err(h, "device is only for the ingress hook");
        }
        expectWord("priority");
        int prio = priority();
        if (c.isBase() && (c.hook != hook || !c.type.equals(type.text()))) throw err(type, "chain exists with a different type or hook");
        if (!c.isBase() && !c.rules.isEmpty()) throw err(type, "cannot turn a regular chain into a base chain");
        c.type = type.text();
        c.hook = hook;
        c.device = device;
        c.priority = prio;
        if (peek().kind() == Kind.SEMICOLON) next();
        if (acceptWord("policy")) policy(c);
    }

    private void policy(Chain c) throws RulesetException {
        Token p = word("accept or drop");
        if (!c.isBase()) throw err(p, "policy is only for base chains");
        if (p.text().equals("accept")) c.policyDrop = false;
        else if (p.text().equals("drop")) c.policyDrop = true;
        else throw err(p, "policy must be accept or drop");
    }

    public static final String[] PRIORITY_NAMES = {"raw", "mangle", "dstnat", "filter", "security", "srcnat"};
    public static final int[] PRIORITY_VALUES = {-300, -150, -100, 0, 50, 100};

    private int priority() throws RulesetException {
        Token t = name("a priority");
        String s = t.text();
        int base;
        String rest = "";
        int named = -1;
        for (int i = 0; i < PRIORITY_NAMES.length; i++) {
            if (s.startsWith(PRIORITY_NAMES[i])) { named = i; rest = s.substring(PRIORITY_NAMES[i].length()); }
        }
        if (named >= 0) {
            base = PRIORITY_VALUES[named];
            if (rest.isEmpty() && (peek().isWord("+") || peek().isWord("-"))) rest = next().text() + word("a number").text();
            if (rest.isEmpty()) return base;
            if (!rest.startsWith("+") && !rest.startsWith("-")) throw err(t, "bad priority");
            try {
                return base + Integer.parseInt(rest.startsWith("+") ? rest.substring(1) : rest);
            } catch (NumberFormatException e) {
                throw err(t, "bad priority");
            }
        }
        return (int) number(t, Integer.MIN_VALUE + 1, Integer.MAX_VALUE - 1);
    }

    private void counterObject(Table t, Token n, boolean create) throws RulesetException {
        if (t.counters.containsKey(n.text()) && create) throw err(n, "File exists: counter " + n.text());
        long packets = 0, bytes = 0;
        if (accept(Kind.LBRACE)) {
            while (true) {
                skipSeparators();
                Token k = next();
                if (k.kind() == Kind.RBRACE) break;
                if (k.isWord("packets")) packets = number(word("a number"), 0, Long.MAX_VALUE);
                else if (k.isWord("bytes")) bytes = number(word("a number"), 0, Long.MAX_VALUE);
                else if (k.isWord("comment")) name("a comment");
                else throw err(k, "expected packets, bytes or '}'");
            }
        }
        if (!t.counters.containsKey(n.text())) t.counters.put(n.text(), new Counter(packets, bytes));
    }

    private void flowtable(Table t, Token n, boolean create) throws RulesetException {
        FlowtableDef f = t.flowtables.get(n.text());
        if (f != null && create) throw err(n, "File exists: flowtable " + n.text());
        if (f == null) {
            f = new FlowtableDef(n.text(), t.newHandle());
            t.flowtables.put(f.name, f);
        }
        if (!accept(Kind.LBRACE)) return;
        while (true) {
            skipSeparators();
            Token k = next();
            if (k.kind() == Kind.RBRACE) return;
            switch (k.text()) {
                case "hook" -> {
                    Token h = word("ingress");
                    if (!h.text().equals("ingress")) throw err(h, "flowtables use the ingress hook");
                    expectWord("priority");
                    f.priority = priority();
                }
                case "devices" -> {
                    expect(Kind.ASSIGN, "'='");
                    f.devices.clear();
                    if (accept(Kind.LBRACE)) {
                        while (true) {
                            skipNewlines();
                            Token d = next();
                            if (d.kind() == Kind.RBRACE) break;
                            if (d.kind() == Kind.COMMA) continue;
                            if (d.kind() != Kind.WORD && d.kind() != Kind.STRING) throw err(d, "expected a device name");
                            if (!f.devices.contains(d.text())) f.devices.add(d.text());
                        }
                    } else {
                        f.devices.add(name("a device name").text());
                    }
                }
                case "flags" -> {
                    Token fl = word("offload");
                    if (!fl.text().equals("offload")) throw err(fl, "unknown flowtable flag");
                    f.offload = true;
                }
                case "counter" -> f.counter = true;
                default -> throw err(k, "expected hook, devices, flags, counter or '}'");
            }
            endOfStatement();
        }
    }

    private void set(Table t, Token n, boolean isMap, boolean create) throws RulesetException {
        SetDef s = t.sets.get(n.text());
        if (s != null && (create || s.isMap != isMap)) throw err(n, "File exists: set " + n.text());
        boolean fresh = s == null;
        if (fresh) s = new SetDef(n.text(), t.newHandle(), isMap, n.pos());
        expect(Kind.LBRACE, "'{'");
        while (true) {
            skipSeparators();
            Token k = next();
            if (k.kind() == Kind.RBRACE) break;
            switch (k.text()) {
                case "type" -> {
                    Token ty = word("a data type");
                    DataType kt = DataType.byNftName(ty.text());
                    if (kt == null || kt == DataType.VERDICT || kt == DataType.CONCAT) throw err(ty, "unknown or unsupported set key type");
                    List<DataType> parts = new ArrayList<>(List.of(kt));
                    while (acceptWord(".")) {
                        Token more = word("a data type");
                        DataType mt = DataType.byNftName(more.text());
                        if (mt == null || mt == DataType.VERDICT || mt == DataType.CONCAT) throw err(more, "unknown or unsupported set key type");
                        parts.add(mt);
                    }
                    if (parts.size() > 1) {
                        if (Concat.width(parts) < 0) throw err(ty, "concatenations of up to 64 bits of numbers and IPv4 addresses are supported");
                        kt = DataType.CONCAT;
                    }
                    if (!fresh && (s.keyType != kt || kt == DataType.CONCAT && !parts.equals(s.concat))) throw err(ty, "set exists with a different type");
                    s.keyType = kt;
                    s.concat = kt == DataType.CONCAT ? List.copyOf(parts) : null;
                    if (isMap) {
                        Token colon = next();
                        if (!colon.isWord(":")) throw err(colon, "expected ':' and the map's data type");
                        Token dt = word("a data type");
                        DataType d = DataType.byNftName(dt.text());
                        if (d == null || d == DataType.IFNAME) throw err(dt, "unknown or unsupported map data type");
                        s.dataType = d;
                    }
                }
                case "typeof" -> {
                    Token first = word("an expression");
                    Field f = fieldExpr(first);
                    s.keyType = f.type();
                    if (peek().isWord(".")) {
                        List<DataType> parts = new ArrayList<>(List.of(f.type()));
                        while (acceptWord(".")) parts.add(fieldExpr(word("an expression")).type());
                        if (Concat.width(parts) < 0) throw err(first, "concatenations of up to 64 bits of numbers and IPv4 addresses are supported");
                        s.keyType = DataType.CONCAT;
                        s.concat = List.copyOf(parts);
                    }
                    if (isMap) {
                        Token colon = next();
                        if (!colon.isWord(":")) throw err(colon, "expected ':'");
                        Token dt = word("a data type or expression");
                        if (dt.text().equals("verdict")) s.dataType = DataType.VERDICT;
                        else s.dataType = fieldExpr(dt).type();
                    }
                }
                case "flags" -> {
                    do {
                        Token fl = word("a set flag");
                        if (!Set.of("interval", "constant", "timeout", "dynamic").contains(fl.text())) throw err(fl, "unknown set flag");
                        if (fl.text().equals("timeout") || fl.text().equals("dynamic")) throw err(fl, "set flag not supported yet");
                        s.flags.add(fl.text());
                    } while (accept(Kind.COMMA));
                }
                case "elements" -> {
                    expect(Kind.ASSIGN, "'='");
                    if (s.keyType == null) throw err(k, "set needs a type before its elements");
                    addElements(s, setElements(s));
                }
                case "comment" -> s.comment = name("a comment").text();
                case "size" -> number(word("a number"), 1, Integer.MAX_VALUE);
                case "policy" -> word("performance or memory");
                case "auto-merge" -> { }
                default -> throw err(k, "expected type, flags, elements or '}'");
            }
            endOfStatement();
        }
        if (s.keyType == null) throw err(n, "set has no type");
        if (isMap && s.dataType == null) throw err(n, "map has no data type");
        if (fresh) t.sets.put(s.name, s);
    }

    private void elementCommand(boolean add) throws RulesetException {
        Table t = existingTable();
        Token n = name("a set name");
        SetDef s = t.sets.get(n.text());
        if (s == null) throw err(n, "No such file or directory: set " + n.text());
        if (s.flags.contains("constant")) throw err(n, "set is constant");
        List<Elem> es = setElements(s);
        if (add) {
            addElements(s, es);
        } else {
            for (Elem e : es) {
                boolean removed = false;
                for (Iterator<Elem> it = s.elements.iterator(); it.hasNext();) {
                    Elem x = it.next();
                    if (x.from().equals(e.from()) && x.to().equals(e.to())) { it.remove(); removed = true; break; }
                }
                if (!removed) throw err(n, "No such file or directory: element not in set " + n.text());
            }
        }
    }

    private List<Elem> setElements(SetDef s) throws RulesetException {
        if (s.keyType == DataType.CONCAT) {
            expect(Kind.LBRACE, "'{'");
            return concatList(s.concat, s.isMap ? s.dataType : null);
        }
        return elements(s.keyType, s.isMap ? s.dataType : null, s.interval());
    }

    /** add element is idempotent for an existing key, as in nft. */
    private static void addElements(SetDef s, List<Elem> es) {
        outer:
        for (Elem e : es) {
            for (Elem x : s.elements) if (x.from().equals(e.from()) && x.to().equals(e.to())) continue outer;
            s.elements.add(e);
        }
    }

    // ---- rules ----

    private void addRule(boolean insert) throws RulesetException {
        Table t = existingTable();
        Token cn = name("a chain name");
        Chain c = t.chains.get(cn.text());
        if (c == null) throw err(cn, "No such file or directory: chain " + cn.text());
        int index = insert ? 0 : c.rules.size();
        if (peek().isWord("position") || peek().isWord("handle")) {
            next();
            Token h = word("a rule handle");
            long handle = number(h, 1, Long.MAX_VALUE);
            int at = indexOfHandle(c, handle);
            if (at < 0) throw err(h, "No such file or directory: rule handle " + handle);
            index = insert ? at : at + 1;
        }
        c.rules.add(index, rule(t));
    }

    private static int indexOfHandle(Chain c, long handle) {
        for (int i = 0; i < c.rules.size(); i++) if (c.rules.get(i).handle() == handle) return i;
        return -1;
    }

    // ---- delete, flush, list ----

    private void delete(boolean destroy) throws RulesetException {
        Token what = word("table, chain, rule, set, map, element, counter or flowtable");
        switch (what.text()) {
            case "table" -> {
                String fam = family();
                Token n = name("a table name");
                if (model.tables.remove(fam + " " + n.text()) == null && !destroy) throw err(n, "No such file or directory: table " + n.text());
            }
            case "chain" -> {
                Table t = existingTable();
                Token n = name("a chain name");
                Chain c = t.chains.get(n.text());
                if (c == null) { if (!destroy) throw err(n, "No such file or directory: chain " + n.text()); return; }
                if (!c.rules.isEmpty()) throw err(n, "Device or resource busy: chain has rules");
                if (isJumpTarget(t, c.name)) throw err(n, "Device or resource busy: chain is a jump target");
                t.chains.remove(c.name);
            }
            case "rule" -> {
                Table t = existingTable();
                Token n = name("a chain name");
                Chain c = t.chains.get(n.text());
                if (c == null) throw err(n, "No such file or directory: chain " + n.text());
                expectWord("handle");
                Token h = word("a rule handle");
                int i = indexOfHandle(c, number(h, 1, Long.MAX_VALUE));
                if (i < 0) { if (!destroy) throw err(h, "No such file or directory: rule handle " + h.text()); return; }
                c.rules.remove(i);
            }
            case "set", "map" -> {
                Table t = existingTable();
                Token n = name("a set name");
                if (!t.sets.containsKey(n.text())) { if (!destroy) throw err(n, "No such file or directory: set " + n.text()); return; }
                if (isSetUsed(t, n.text())) throw err(n, "Device or resource busy: set is used by a rule");
                t.sets.remove(n.text());
            }
            case "element" -> elementCommand(false);
            case "counter" -> {
                Table t = existingTable();
                Token n = name("a counter name");
                if (t.counters.remove(n.text()) == null && !destroy) throw err(n, "No such file or directory: counter " + n.text());
            }
            case "flowtable" -> {
                Table t = existingTable();
                Token n = name("a flowtable name");
                if (t.flowtables.remove(n.text()) == null && !destroy) throw err(n, "No such file or directory: flowtable " + n.text());
            }
            default -> throw err(what, "cannot delete this");
        }
    }

    private static boolean isJumpTarget(Table t, String chain) {
        for (Chain c : t.chains.values()) for (Rule r : c.rules) for (Expr e : r.exprs()) {
            if (e instanceof Stmt.VerdictStmt v && chain.equals(v.chain())) return true;
        }
        return false;
    }

    private static boolean isSetUsed(Table t, String set) {
        for (Chain c : t.chains.values()) for (Rule r : c.rules) for (Expr e : r.exprs()) {
            if (e instanceof Match m && m.rhs() instanceof Expr.SetRef s && s.name().equals(set)) return true;
            if (e instanceof Expr.ConcatMatch m && m.rhs() instanceof Expr.SetRef s && s.name().equals(set)) return true;
            if (e instanceof Stmt.VmapStmt v && v.map() instanceof Expr.SetRef s && s.name().equals(set)) return true;
            if (e instanceof Stmt.SetField f && f.value() instanceof Stmt.MapSource ms && ms.map() instanceof Expr.SetRef s && s.name().equals(set)) return true;
        }
        return false;
    }

    private void flush() throws RulesetException {
        Token what = word("ruleset, table, chain, set or map");
        switch (what.text()) {
            case "ruleset" -> {
                String fam = peek().kind() == Kind.WORD && FAMILIES.contains(peek().text()) ? next().text() : null;
                model.tables.values().removeIf(t -> fam == null || t.family.equals(fam));
            }
            case "table" -> existingTable().chains.values().forEach(c -> c.rules.clear());
            case "chain" -> {
                Table t = existingTable();
                Token n = name("a chain name");
                Chain c = t.chains.get(n.text());
                if (c == null) throw err(n, "No such file or directory: chain " + n.text());
                c.rules.clear();
            }
            case "set", "map" -> {
                Table t = existingTable();
                Token n = name("a set name");
                SetDef s = t.sets.get(n.text());
                if (s == null) throw err(n, "No such file or directory: set " + n.text());
                s.elements.clear();
            }
            default -> throw err(what, "cannot flush this");
        }
    }

    private void reset() throws RulesetException {
        Token what = word("counters");
        if (!what.text().equals("counters") && !what.text().equals("rules")) throw err(what, "expected counters or rules");
        List<Counter> counters = new ArrayList<>();
        for (Table t : model.tables.values()) {
            counters.addAll(t.counters.values());
            for (Chain c : t.chains.values()) for (Rule r : c.rules) for (Expr e : r.exprs())
                if (e instanceof Stmt.CounterStmt cs) counters.add(cs.counter());
        }
        afterCommit.add(() -> counters.forEach(Counter::reset));
    }

    private void list() throws RulesetException {
        Token what = word("ruleset, tables, table, chain, set, map, flowtable or counters");
        Printer p = new Printer(out, handles);
        switch (what.text()) {
            case "ruleset" -> {
                String fam = peek().kind() == Kind.WORD && FAMILIES.contains(peek().text()) ? next().text() : null;
                for (Table t : model.tables.values()) if (fam == null || t.family.equals(fam)) p.table(t);
            }
            case "tables" -> { for (Table t : model.tables.values()) out.append("table ").append(t.key()).append('\n'); }
            case "table" -> p.table(existingTable());
            case "chain" -> {
                Table t = existingTable();
                Token n = name("a chain name");
                Chain c = t.chains.get(n.text());
                if (c == null) throw err(n, "No such file or directory: chain " + n.text());
                p.wrap(t, () -> p.chain(t, c));
            }
            case "set", "map" -> {
                Table t = existingTable();
                Token n = name("a set name");
                SetDef s = t.sets.get(n.text());
                if (s == null) throw err(n, "No such file or directory: set " + n.text());
                p.wrap(t, () -> p.set(s));
            }
            case "flowtable" -> {
                Table t = existingTable();
                Token n = name("a flowtable name");
                FlowtableDef f = t.flowtables.get(n.text());
                if (f == null) throw err(n, "No such file or directory: flowtable " + n.text());
                p.wrap(t, () -> p.flowtable(f));
            }
            case "flowtables", "sets", "chains", "counters" -> {
                for (Table t : model.tables.values()) p.wrap(t, () -> {
                    switch (what.text()) {
                        case "flowtables" -> t.flowtables.values().forEach(p::flowtable);
                        case "sets" -> t.sets.values().forEach(p::set);
                        case "chains" -> t.chains.values().forEach(c -> p.chainHeader(t, c));
                        default -> t.counters.forEach(p::counterObject);
                    }
                });
            }
            default -> throw err(what, "cannot list this");
        }
    }
}
