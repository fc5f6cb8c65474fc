package org.flowgate.nft.lang;

import java.util.List;

import org.flowgate.api.ruleset.RulesetException;

import org.flowgate.nft.lang.Token.Kind;

/** Reading tokens for the parsers: peeking, expecting, and errors placed at a token. */
abstract class TokenReader {
    final TokenStream ts;
    private Token last;

    TokenReader(List<Token> tokens) {
        this.ts = new TokenStream(tokens);
    }

    // ---- token helpers ----

    Token peek() throws RulesetException { return ts.peek(); }


    Token next() throws RulesetException { return last = ts.next(); }

    static RulesetException err(Token t, String msg) {
        return new RulesetException(t.source(), t.line(), t.column(), t.toString(), msg);
    }

    Token word(String what) throws RulesetException {
        Token t = next();
        if (t.kind() != Kind.WORD) throw err(t, "expected " + what);
        return t;
    }

    /** A name: word or quoted string. */
    Token name(String what) throws RulesetException {
        Token t = next();
        if (t.kind() != Kind.WORD && t.kind() != Kind.STRING) throw err(t, "expected " + what);
        return t;
    }

    void expect(Kind k, String what) throws RulesetException {
        Token t = next();
        if (t.kind() != k) throw err(t, "expected " + what);
    }

    void expectWord(String w) throws RulesetException {
        Token t = next();
        if (!t.isWord(w)) throw err(t, "expected '" + w + "'");
    }

    boolean acceptWord(String w) throws RulesetException {
        if (peek().isWord(w)) { next(); return true; }
        return false;
    }

    boolean accept(Kind k) throws RulesetException {
        if (peek().kind() == k) { next(); return true; }
        return false;
    }

    void skipSeparators() throws RulesetException {
        while (peek().kind() == Kind.NEWLINE || peek().kind() == Kind.SEMICOLON) next();
    }

    void skipNewlines() throws RulesetException {
        while (peek().kind() == Kind.NEWLINE) next();
    }

    void endOfStatement() throws RulesetException {
        // "} chain x {" and "priority 0; policy drop; rule" on one line, as nft allows
        if (last != null && (last.kind() == Kind.RBRACE || last.kind() == Kind.SEMICOLON)) return;
        Token t = peek();
        if (t.kind() == Kind.NEWLINE || t.kind() == Kind.SEMICOLON) { next(); return; }
        if (t.kind() == Kind.EOF || t.kind() == Kind.RBRACE) return;
        throw err(t, "unexpected token, expected end of statement");
    }

    long number(Token t, long min, long max) throws RulesetException {
        try {
            String s = t.text();
            long v = s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
            if (v < min || v > max) throw err(t, "number out of range " + min + ".." + max);
            return v;
        } catch (NumberFormatException e) {
            throw err(t, "expected a number");
        }
    }

}
