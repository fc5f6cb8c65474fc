package org.flowgate.nft.command;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.flowgate.api.ruleset.RulesetException;
import org.flowgate.nft.hook.NftComponent;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands, scope {@code nft}. {@code nft} takes the nft command line: {@code nft -f file},
 * {@code nft list ruleset}, {@code nft add rule ip t c tcp dport 22 accept}, {@code nft delete rule
 * ip t c handle 4}. Gogo reads braces and semicolons itself: quote such commands,
 * {@code nft "add element ip t s { 10.0.0.1 }"}.
 */
@Component(service = NftCommand.class, property = {"osgi.command.scope=nft", "osgi.command.function=nft",
        "osgi.command.function=load", "osgi.command.function=list", "osgi.command.function=flush",
        "osgi.command.function=stats"})
public class NftCommand {
    private static final String CMDLINE = "<cmdline>";

    @Reference
    NftComponent ruleset;

    /** {@code nft [-c] -f <file>} or {@code nft <command>}. */
    public String nft(String... args) {
        boolean check = false;
        String file = null;
        int i = 0;
        while (i < args.length && args[i].startsWith("-") && args[i].length() > 1) {
            switch (args[i]) {
                case "-c", "--check" -> check = true;
                case "-f", "--file" -> {
                    if (i + 1 >= args.length) return "nft: -f needs a file";
                    file = args[++i];
                }
                case "-a", "--handle" -> { } // handles are always shown
                default -> { return "nft: unknown option " + args[i]; }
            }
            i++;
        }
        String text;
        String source;
        if (file != null) {
            try {
                text = Files.readString(Path.of(file));
            } catch (IOException e) {
                return "Error: cannot read " + file + ": " + e.getMessage();
            }
            source = file;
        } else {
            text = String.join(" ", java.util.Arrays.copyOfRange(args, i, args.length));
            source = CMDLINE;
            if (text.isBlank()) return "usage: nft [-c] -f <file> | nft <command>";
        }
        try {
            if (check) {
                ruleset.engine().check(text, source);
                return "";
            }
            return ruleset.execute(text, source);
        } catch (RulesetException e) {
            return describe(e, source.equals(CMDLINE) ? text : null);
        }
    }

    /** {@code nft:load <file>}: replaces the running ruleset with the file, as one transaction. */
    public String load(String file) {
        try {
            ruleset.load(Files.readString(Path.of(file)), file);
            return "";
        } catch (IOException e) {
            return "Error: cannot read " + file + ": " + e.getMessage();
        } catch (RulesetException e) {
            return describe(e, null);
        }
    }

    /** {@code nft:list}: the running ruleset with counters. */
    public String list() { return ruleset.list(); }

    /** {@code nft:flush}: an empty ruleset. */
    public String flush() {
        try {
            return ruleset.execute("flush ruleset", CMDLINE);
        } catch (RulesetException e) {
            return describe(e, null);
        }
    }

    /** {@code nft:stats}: what statements could not do (missing services, exhausted nat ranges). */
    public String stats() { return ruleset.engine().stats(); }

    /** The error as nft prints it: the message, the source line, a caret under the token. */
    static String describe(RulesetException e, String cmdline) {
        StringBuilder sb = new StringBuilder("Error: ").append(e.getMessage()).append('\n');
        String line = null;
        try {
            String text = cmdline != null ? cmdline : Files.readString(Path.of(e.source()));
            String[] lines = text.split("\n", -1);
            if (e.line() >= 1 && e.line() <= lines.length) line = lines[e.line() - 1];
        } catch (IOException | RuntimeException ignored) {
            // no source text to show
        }
        if (line != null) {
            sb.append(line).append('\n');
            int width = e.token() == null || e.token().isEmpty() ? 1 : e.token().length();
            sb.append(" ".repeat(Math.max(0, e.column() - 1))).append("^".repeat(width)).append('\n');
        }
        return sb.toString();
    }
}
