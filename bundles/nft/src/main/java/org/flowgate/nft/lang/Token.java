package org.flowgate.nft.lang;

/** One lexical token with where it came from, for error messages. */
public record Token(Kind kind, String text, String source, int line, int column) {
    public enum Kind {
        WORD, STRING, VARIABLE, SETREF, NEWLINE, SEMICOLON, LBRACE, RBRACE, LPAREN, RPAREN, COMMA,
        ASSIGN, EQ, NE, LT, GT, LE, GE, AMP, PIPE, EOF
    }

    public boolean is(String word) { return (kind == Kind.WORD || kind == Kind.STRING) && text.equals(word); }

    public boolean isWord(String word) { return kind == Kind.WORD && text.equals(word); }

    /** Ends a rule or a declaration. */
    public boolean isEnd() { return kind == Kind.NEWLINE || kind == Kind.SEMICOLON || kind == Kind.RBRACE || kind == Kind.EOF; }

    public Pos pos() { return new Pos(source, line, column, text); }

    @Override
    public String toString() { return kind == Kind.NEWLINE ? "newline" : kind == Kind.EOF ? "end of input" : text; }
}
