package org.flowgate.nft.lang;

import java.util.ArrayList;
import java.util.List;

import org.flowgate.api.ruleset.RulesetException;
import org.flowgate.nft.lang.Token.Kind;

/**
 * Splits nft source into tokens. Addresses, prefixes, ranges and names stay one {@code WORD}
 * ({@code 10.0.0.0/8}, {@code fe80::1}, {@code 1024-65535}, {@code eth0}); the parser interprets a
 * word by the data type it expects. Newlines are tokens: they end rules as in nft.
 */
public final class Lexer {
    private final String text;
    private final String source;
    private int i;
    private int line = 1;
    private int lineStart;

    private Lexer(String text, String source) {
        this.text = text;
        this.source = source;
    }

    public static List<Token> lex(String text, String source) throws RulesetException {
        return new Lexer(text, source).run();
    }

    private static boolean wordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == ':' || c == '/' || c == '-' || c == '*'
                || c == '+' || c == '%' || c == '[' || c == ']';
    }

    private List<Token> run() throws RulesetException {
        List<Token> out = new ArrayList<>();
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            int col = i - lineStart + 1;
            if (c == '\n') {
                out.add(new Token(Kind.NEWLINE, "\n", source, line, col));
                i++;
                line++;
                lineStart = i;
            } else if (c == '\\' && i + 1 < n && (text.charAt(i + 1) == '\n' || text.charAt(i + 1) == '\r')) {
                i++; // line continuation
                if (text.charAt(i) == '\r') i++;
                if (i < n && text.charAt(i) == '\n') i++;
                line++;
                lineStart = i;
            } else if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#') {
                while (i < n && text.charAt(i) != '\n') i++;
            } else if (c == '"') {
                StringBuilder sb = new StringBuilder();
                i++;
                while (true) {
                    if (i >= n || text.charAt(i) == '\n') throw new RulesetException(source, line, col, "\"", "unterminated string");
                    char d = text.charAt(i++);
                    if (d == '"') break;
                    if (d == '\\' && i < n) d = text.charAt(i++);
                    sb.append(d);
                }
                out.add(new Token(Kind.STRING, sb.toString(), source, line, col));
            } else if ((c == '$' || c == '@') && i + 1 < n && wordChar(text.charAt(i + 1))) {
                int s = ++i;
                while (i < n && wordChar(text.charAt(i))) i++;
                out.add(new Token(c == '$' ? Kind.VARIABLE : Kind.SETREF, text.substring(s, i), source, line, col));
            } else if (wordChar(c)) {
                int s = i;
                while (i < n && wordChar(text.charAt(i))) i++;
                out.add(new Token(Kind.WORD, text.substring(s, i), source, line, col));
            } else {
                String two = i + 1 < n ? text.substring(i, i + 2) : "";
                Kind k;
                int len = 1;
                switch (two) {
                    case "==" -> { k = Kind.EQ; len = 2; }
                    case "!=" -> { k = Kind.NE; len = 2; }
                    case "<=" -> { k = Kind.LE; len = 2; }
                    case ">=" -> { k = Kind.GE; len = 2; }
                    default -> k = switch (c) {
                        case '{' -> Kind.LBRACE;
                        case '}' -> Kind.RBRACE;
                        case '(' -> Kind.LPAREN;
                        case ')' -> Kind.RPAREN;
                        case ';' -> Kind.SEMICOLON;
                        case ',' -> Kind.COMMA;
                        case '=' -> Kind.ASSIGN;
                        case '<' -> Kind.LT;
                        case '>' -> Kind.GT;
                        case '&' -> Kind.AMP;
                        case '|' -> Kind.PIPE;
                        default -> throw new RulesetException(source, line, col, String.valueOf(c), "unexpected character");
                    };
                }
                out.add(new Token(k, text.substring(i, i + len), source, line, col));
                i += len;
            }
        }
        out.add(new Token(Kind.EOF, "", source, line, i - lineStart + 1));
        return out;
    }
}
