package org.flowgate.nft.lang;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.flowgate.api.ruleset.RulesetException;
import org.flowgate.nft.lang.Token.Kind;

/** Tokens of the main source, with included files and {@code $variables} spliced in where they occur. */
final class TokenStream {
    private static final int MAX_NESTING = 16;

    private static final class Cursor {
        final List<Token> tokens;
        final int end;
        int index;

        Cursor(List<Token> tokens, int end) {
            this.tokens = tokens;
            this.end = end;
        }
    }

    private final Deque<Cursor> stack = new ArrayDeque<>();
    final Map<String, List<Token>> defines = new HashMap<>();

    TokenStream(List<Token> main) {
        stack.push(new Cursor(main, main.size()));
    }

    /** Splices tokens (a define's value or an included file without its EOF) before the current one. */
    void splice(List<Token> tokens, Token at) throws RulesetException {
        if (stack.size() > MAX_NESTING) throw at.pos().error("too many nested includes or variables");
        int end = tokens.size();
        if (end > 0 && tokens.get(end - 1).kind() == Kind.EOF) end--;
        stack.push(new Cursor(tokens, end));
    }

    Token peek() throws RulesetException {
        while (true) {
            Cursor c = stack.peek();
            if (c.index >= c.end && stack.size() > 1) {
                stack.pop();
                continue;
            }
            Token t = c.tokens.get(Math.min(c.index, c.tokens.size() - 1));
            if (t.kind() != Kind.VARIABLE) return t;
            c.index++;
            List<Token> value = defines.get(t.text());
            if (value == null) throw t.pos().error("unknown variable $" + t.text());
            splice(value, t);
        }
    }

    Token next() throws RulesetException {
        Token t = peek();
        Cursor c = stack.peek();
        if (c.index < c.end) c.index++;
        return t;
    }
}
