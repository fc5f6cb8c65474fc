package org.flowgate.nft.lang;

import org.flowgate.api.ruleset.RulesetException;

/** A place in a ruleset source, kept on model objects whose errors show up after parsing. */
public record Pos(String source, int line, int column, String token) {
    public static final Pos NONE = new Pos("<none>", 0, 0, null);

    public RulesetException error(String message) {
        return new RulesetException(source, line, column, token, message);
    }
}
