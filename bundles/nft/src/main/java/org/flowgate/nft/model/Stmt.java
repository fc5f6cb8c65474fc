package org.flowgate.nft.model;

import java.util.List;

import org.flowgate.nft.lang.Pos;

/** Rule statements. Stateful ones (counter, limit) carry their state object, shared across reloads of the same rule. */
public sealed interface Stmt extends Expr {

    enum VerdictKind { ACCEPT, DROP, CONTINUE, RETURN, JUMP, GOTO }

    record VerdictStmt(VerdictKind kind, String chain, Pos pos) implements Stmt {}

    /** {@code counter [packets N bytes M]}. */
    record CounterStmt(Counter counter) implements Stmt {}

    /** {@code counter name "x"}. */
    record NamedCounterStmt(String name, Pos pos) implements Stmt {}

    record LogStmt(String prefix, String level) implements Stmt {}

    /** {@code limit rate [over] N/unit [burst B packets|bytes]}. */
    record LimitStmt(boolean over, long rate, String unit, boolean bytes, long burst, TokenBucket bucket) implements Stmt {}

    /** {@code reject [with icmp|icmpv6|icmpx type X | with tcp reset]}; type -1 = default. */
    record RejectStmt(String with, int type, String typeName) implements Stmt {}

    enum NatKind { SNAT, DNAT, MASQUERADE }

    /** {@code snat|dnat [ip|ip6] to addr[-addr][:port[-port]] [flags]}, {@code masquerade [to :port[-port]] [flags]}. */
    record NatStmt(NatKind kind, DataType addrType, Val addrMin, Val addrMax, int portMin, int portMax,
            List<String> flags, Pos pos) implements Stmt {}

    /** What a {@code set} statement writes: a constant, another field, or a lookup ({@code field map ...}). */
    sealed interface Source permits Const, FieldSource, MapSource {}

    record Const(Val value) implements Source {}

    record FieldSource(Field field) implements Source {}

    record MapSource(Field key, Expr.Rhs map) implements Source {}

    /** {@code meta mark set X}, {@code ct mark set X}, {@code ct zone set X}, {@code ct label set X}. */
    record SetField(Field target, Source value) implements Stmt {}

    record Notrack() implements Stmt {}

    /** {@code flow add @ft} / {@code flow offload @ft}; table null for the bare legacy {@code flow offload}. */
    record FlowStmt(String flowtable, boolean legacySyntax, Pos pos) implements Stmt {}

    /** {@code <field> vmap { k : verdict, ... }} or {@code vmap @m}. */
    record VmapStmt(Field key, Expr.Rhs map) implements Stmt {}
}
