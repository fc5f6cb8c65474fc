package org.flowgate.nft.eval;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.packet.Packet;
import org.flowgate.nft.model.Field;

/** Compiled matches. Each one breaks the rule when the packet lacks the field, negated or not (as nft's dependencies do). */
public final class Matches {
    private Matches() {}

    public static final int EQ = 0, NE = 1, LT = 2, GT = 3, LE = 4, GE = 5, ANY_BIT = 6, NO_BIT = 7;

    /** {@code field [& mask] op value}. */
    public static final class Cmp extends Op {
        private final Field field;
        private final long mask;
        private final int op;
        private final long value;

        public Cmp(Field field, long mask, int op, long value) {
            this.field = field;
            this.mask = mask;
            this.op = op;
            this.value = value;
        }

        @Override
        public int eval(Packet p) {
            long v = Fields.load(field, p);
            if (v < 0) return BREAK;
            v &= mask;
            boolean ok = switch (op) {
                case EQ -> v == value;
                case NE -> v != value;
                case LT -> v < value;
                case GT -> v > value;
                case LE -> v <= value;
                case GE -> v >= value;
                case ANY_BIT -> (v & value) != 0;
                default -> (v & value) == 0;
            };
            return ok ? CONT : BREAK;
        }
    }

    /** {@code field a-b} or {@code field != a-b}. */
    public static final class Range extends Op {
        private final Field field;
        private final long lo, hi;
        private final boolean negate;

        public Range(Field field, long lo, long hi, boolean negate) {
            this.field = field;
            this.lo = lo;
            this.hi = hi;
            this.negate = negate;
        }

        @Override
        public int eval(Packet p) {
            long v = Fields.load(field, p);
            if (v < 0) return BREAK;
            return (v >= lo && v <= hi) != negate ? CONT : BREAK;
        }
    }

    /** An IPv6 address, prefix or range. */
    public static final class Ip6Range extends Op {
        private final Field field;
        private final long loHi, loLo, hiHi, hiLo;
        private final boolean negate;

        public Ip6Range(Field field, long loHi, long loLo, long hiHi, long hiLo, boolean negate) {
            this.field = field;
            this.loHi = loHi;
            this.loLo = loLo;
            this.hiHi = hiHi;
            this.hiLo = hiLo;
            this.negate = negate;
        }

        @Override
        public int eval(Packet p) {
            if (!p.isIpv6()) return BREAK;
            long h = Fields.hi(field, p), l = Fields.lo(field, p);
            boolean in = Ip6Lookup.cmp(h, l, loHi, loLo) >= 0 && Ip6Lookup.cmp(h, l, hiHi, hiLo) <= 0;
            return in != negate ? CONT : BREAK;
        }
    }

    /** Membership in a set (anonymous or named) of any key type. */
    public static final class InSet extends Op {
        private final Lookup lookup;
        private final boolean negate;

        public InSet(Lookup lookup, boolean negate) {
            this.lookup = lookup;
            this.negate = negate;
        }

        @Override
        public int eval(Packet p) {
            int i = lookup.find(p);
            if (i == Lookup.ABSENT) return BREAK;
            return (i >= 0) != negate ? CONT : BREAK;
        }
    }

    /** {@code ct label N}: bit N of the connection's 128-bit label. */
    public static final class CtLabel extends Op {
        private final int bit;
        private final boolean negate;

        public CtLabel(int bit, boolean negate) {
            this.bit = bit;
            this.negate = negate;
        }

        @Override
        public int eval(Packet p) {
            if (!(p.conn() instanceof ConnEntry e)) return BREAK;
            long word = bit >= 64 ? e.labelsHi() : e.labelsLo();
            boolean set = ((word >>> (bit & 63)) & 1) != 0;
            return set != negate ? CONT : BREAK;
        }
    }
}
