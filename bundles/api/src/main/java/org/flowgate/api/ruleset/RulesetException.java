package org.flowgate.api.ruleset;

/** A ruleset rejected whole: where and why. */
public class RulesetException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String source;
    private final int line;
    private final int column;
    private final String token;

    public RulesetException(String source, int line, int column, String token, String message) {
        super(source + ":" + line + ":" + column + ": " + message + (token == null ? "" : " (at '" + token + "')"));
        this.source = source;
        this.line = line;
        this.column = column;
        this.token = token;
    }

    public String source() { return source; }

    public int line() { return line; }

    public int column() { return column; }

    public String token() { return token; }
}
