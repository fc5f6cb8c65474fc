package org.flowgate.nft.model;

/**
 * A set or map element: a value, a range {@code from-to} or a prefix (then {@code prefix >= 0} and
 * {@code to} is the last address of it). {@code data} is the mapped value of a map ({@link Val}) or
 * verdict map ({@link Stmt.VerdictStmt}), null in a set.
 */
public record Elem(Val from, Val to, int prefix, Object data) {
    public static Elem single(Val v) { return new Elem(v, v, -1, null); }

    public boolean isSingle() { return prefix < 0 && from.equals(to); }

    public Elem withData(Object d) { return new Elem(from, to, prefix, d); }
}
