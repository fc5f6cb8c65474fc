package org.flowgate.nft.model;

import java.util.List;

import org.flowgate.nft.lang.Pos;

/** One element of a rule: a match or a statement. */
public sealed interface Expr permits Expr.Match, Expr.ConcatMatch, Stmt {

    enum Op {
        IMPLICIT(""), EQ("=="), NE("!="), LT("<"), GT(">"), LE("<="), GE(">=");

        public final String text;

        Op(String text) { this.text = text; }
    }

    /** The right-hand side of a match. */
    sealed interface Rhs permits Value, AnonSet, SetRef {}

    /** A constant, range or prefix. */
    record Value(Elem elem) implements Rhs {}

    /** {@code { a, b, c-d }}. */
    record AnonSet(List<Elem> elems) implements Rhs {}

    /** {@code @name}. */
    record SetRef(String name, Pos pos) implements Rhs {}

    /** {@code f1 . f2 [!=] { v1 . v2, ... }} or {@code @set}: exact elements, values packed by {@link Concat}. */
    record ConcatMatch(List<Field> fields, boolean negate, Rhs rhs) implements Expr {}

    /** {@code <field> [& mask] [op] <rhs>}; mask is -1 when absent. */
    record Match(Field field, long mask, Op op, Rhs rhs) implements Expr {}
}
