package org.flowgate.nft.model;

import java.util.List;

import org.flowgate.nft.lang.Pos;

/** A rule: immutable, identified by its handle; stateful statements keep their state across reloads. */
public record Rule(long handle, List<Expr> exprs, String comment, Pos pos) {
    public Rule {
        exprs = List.copyOf(exprs);
    }
}
