package org.flowgate.nft.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.flowgate.api.flowtable.FlowTableService;
import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.ruleset.Ruleset;
import org.flowgate.api.ruleset.RulesetException;
import org.flowgate.nft.compile.Compiler;
import org.flowgate.nft.eval.CompiledRuleset;
import org.flowgate.nft.eval.Services;
import org.flowgate.nft.eval.Statements;
import org.flowgate.nft.lang.Parser;
import org.flowgate.nft.lang.Printer;
import org.flowgate.nft.model.Model;
import org.flowgate.nft.model.Table;

/**
 * The ruleset as a sequence of transactions: each change is parsed onto a copy of the
 * configuration, compiled whole, and only then swapped in with one reference write. Writers are
 * serialized; packet threads read {@link #current()} once per hook point.
 */
public final class NftEngine implements Ruleset {
    /** A (hook, priority) point where a compiled ruleset has base chains. */
    public record HookKey(Hook hook, int priority) {}

    /** Keeps the packet path's hook registrations in step with the ruleset. */
    public interface HookRegistrar {
        /** Called before a swap with every point the new ruleset uses: register the missing ones. */
        void ensure(Set<HookKey> points);

        /** Called after a swap: unregister points not in {@code points}. */
        void retainOnly(Set<HookKey> points);
    }

    private final Services services = new Services();
    private final Object writeLock = new Object();
    private volatile CompiledRuleset current = CompiledRuleset.EMPTY;
    private Model model = new Model();
    private volatile FlowTableService flowTables;
    private volatile HookRegistrar registrar;

    public Services services() { return services; }

    public CompiledRuleset current() { return current; }

    /** Evaluates the base chains at a hook point; what a registered PacketHook calls. */
    public Verdict process(Hook hook, int priority, Packet p) { return current.process(hook, priority, p); }

    public void setRegistrar(HookRegistrar r) {
        synchronized (writeLock) {
            registrar = r;
            if (r != null) {
                Set<HookKey> keys = keys(current);
                r.ensure(keys);
                r.retainOnly(keys);
            }
        }
    }

    /** Binds or unbinds (null) the flow table service; flow statements of the running ruleset follow. */
    public void setFlowTableService(FlowTableService fts) {
        synchronized (writeLock) {
            flowTables = fts;
            bindFlowTables(current);
        }
    }

    @Override
    public void load(String text, String source) throws RulesetException {
        transaction(text, source, true);
    }

    @Override
    public String execute(String text, String source) throws RulesetException {
        return transaction(text, source, false);
    }

    @Override
    public String list() {
        synchronized (writeLock) {
            StringBuilder sb = new StringBuilder();
            Printer p = new Printer(sb, false);
            for (Table t : model.tables.values()) p.table(t);
            return sb.toString();
        }
    }

    /** Parses and compiles without applying: {@code nft -c}. */
    public void check(String text, String source) throws RulesetException {
        synchronized (writeLock) {
            Model m = model.copy();
            Parser.apply(text, source, m, new StringBuilder(), NftEngine::include, true, new ArrayList<>());
            Compiler.compile(m, services);
        }
    }

    private String transaction(String text, String source, boolean replace) throws RulesetException {
        synchronized (writeLock) {
            Model m = replace ? new Model() : model.copy();
            StringBuilder out = new StringBuilder();
            List<Runnable> afterCommit = new ArrayList<>();
            Parser.apply(text, source, m, out, NftEngine::include, true, afterCommit);
            CompiledRuleset next = Compiler.compile(m, services);
            Set<HookKey> keys = keys(next);
            HookRegistrar r = registrar;
            if (r != null) r.ensure(keys);
            bindFlowTables(next);
            current = next;
            model = m;
            afterCommit.forEach(Runnable::run);
            if (r != null) r.retainOnly(keys);
            return out.toString();
        }
    }

    private void bindFlowTables(CompiledRuleset rs) {
        FlowTableService fts = flowTables;
        if (fts != null) fts.configure(rs.flowTableSpecs());
        for (Statements.FlowBinding b : rs.flowBindings()) {
            b.flowTable = fts == null ? null : fts.table(b.family, b.table, b.name);
        }
    }

    private static Set<HookKey> keys(CompiledRuleset rs) {
        Set<HookKey> keys = new LinkedHashSet<>();
        for (CompiledRuleset.HookPoint p : rs.hookPoints()) keys.add(new HookKey(p.hook(), p.priority()));
        return keys;
    }

    /**
     * {@code include "x"}: relative to the including file's directory, as nft resolves it; a name
     * with {@code *?[} is a glob over one directory, matched files included in name order.
     */
    static List<String[]> include(String path, String from) throws IOException {
        Path p = Path.of(path);
        if (!p.isAbsolute()) {
            Path parent = from == null ? null : Path.of(from).toAbsolutePath().getParent();
            if (parent != null) p = parent.resolve(p);
        }
        String name = p.getFileName() == null ? "" : p.getFileName().toString();
        List<String[]> out = new ArrayList<>();
        if (name.indexOf('*') < 0 && name.indexOf('?') < 0 && name.indexOf('[') < 0) {
            out.add(new String[] {p.toString(), Files.readString(p)});
            return out;
        }
        List<Path> matches = new ArrayList<>();
        try (var dir = Files.newDirectoryStream(p.getParent(), name)) {
            for (Path m : dir) if (Files.isRegularFile(m)) matches.add(m);
        }
        matches.sort(null);
        for (Path m : matches) out.add(new String[] {m.toString(), Files.readString(m)});
        return out;
    }

    /** The counters of what statements could not do, for the shell. */
    public String stats() {
        return "nat without conntrack (dropped): " + services.natWithoutConntrack.packets() + "\n"
                + "nat range exhausted (dropped): " + services.natExhausted.packets() + "\n"
                + "reject reply not sent (dropped only): " + services.rejectNotSent.packets() + "\n"
                + "flow offload without flow table service: " + services.flowWithoutTable.packets() + "\n";
    }
}
