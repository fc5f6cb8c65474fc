package org.flowgate.nft.eval;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.conntrack.CtState;
import org.flowgate.api.conntrack.NatRange;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.packet.Packet;
import org.flowgate.nft.model.Counter;
import org.flowgate.nft.model.Field;
import org.flowgate.nft.model.TokenBucket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Compiled statements. */
public final class Statements {
    private Statements() {}

    /** Bytes as nft counts them: the IP packet for IP, the frame otherwise. */
    static int length(Packet p) { return p.ipVersion() != 0 ? p.ipLength() : p.length(); }

    public static final class CounterOp extends Op {
        private final Counter counter;

        public CounterOp(Counter counter) { this.counter = counter; }

        @Override
        public int eval(Packet p) {
            counter.add(length(p));
            return CONT;
        }
    }

    public static final class VerdictOp extends Op {
        private final int code;

        public VerdictOp(int code) { this.code = code; }

        @Override
        public int eval(Packet p) { return code; }
    }

    /** {@code key vmap {...}}: the verdict of the matching element, or the next rule when none matches. */
    public static final class VmapOp extends Op {
        private final Lookup lookup;
        private final int[] codes;

        public VmapOp(Lookup lookup, int[] codes) {
            this.lookup = lookup;
            this.codes = codes;
        }

        @Override
        public int eval(Packet p) {
            int i = lookup.find(p);
            return i >= 0 ? codes[i] : BREAK;
        }
    }

    public static final class LogOp extends Op {
        private static final Logger LOG = LoggerFactory.getLogger("org.flowgate.nft.log");
        private final String prefix;
        private final String level;

        public LogOp(String prefix, String level) {
            this.prefix = prefix == null ? "" : prefix;
            this.level = level == null ? "warn" : level;
        }

        @Override
        public int eval(Packet p) {
            // logging formats text: it allocates, as the kernel's log target costs a printk
            switch (level) {
                case "debug" -> { if (LOG.isDebugEnabled()) LOG.debug("{}{}", prefix, Describe.packet(p)); }
                case "info", "notice" -> { if (LOG.isInfoEnabled()) LOG.info("{}{}", prefix, Describe.packet(p)); }
                case "warn" -> { if (LOG.isWarnEnabled()) LOG.warn("{}{}", prefix, Describe.packet(p)); }
                default -> { if (LOG.isErrorEnabled()) LOG.error("{}{}", prefix, Describe.packet(p)); }
            }
            return CONT;
        }
    }

    /** {@code limit rate [over] ...}: continues while under the rate (or, with over, while over it). */
    public static final class LimitOp extends Op {
        private final TokenBucket bucket;
        private final boolean over;
        private final boolean bytes;

        public LimitOp(TokenBucket bucket, boolean over, boolean bytes) {
            this.bucket = bucket;
            this.over = over;
            this.bytes = bytes;
        }

        @Override
        public int eval(Packet p) {
            boolean conform = bucket.take(System.nanoTime(), bytes ? length(p) : 1);
            return conform != over ? CONT : BREAK;
        }
    }

    /** reject: answer with an ICMP error or a TCP reset through {@code LocalOutput}, then drop. */
    public static final class RejectOp extends Op {
        private final Services services;
        private final int kind;
        private final int code4;
        private final int code6;

        public RejectOp(Services services, int kind, int code4, int code6) {
            this.services = services;
            this.kind = kind;
            this.code4 = code4;
            this.code6 = code6;
        }

        @Override
        public int eval(Packet p) {
            if (!Reject.send(services, p, kind, code4, code6)) services.rejectNotSent.add(length(p));
            return DROP;
        }
    }

    /** snat/dnat/masquerade: binds NAT for the connection; terminal like the kernel's (accepts). */
    public static final class NatOp extends Op {
        private final Services services;
        private final NatRange range;

        public NatOp(Services services, NatRange range) {
            this.services = services;
            this.range = range;
        }

        @Override
        public int eval(Packet p) {
            ConnTracker ct = services.connTracker;
            if (ct == null) {
                services.natWithoutConntrack.add(length(p));
                return DROP;
            }
            if (!ct.bindNat(p, range)) {
                services.natExhausted.add(length(p));
                return DROP;
            }
            return ACCEPT;
        }
    }

    /** Where a {@code set} statement takes its value. */
    public abstract static class Source {
        /** The value, or -1 when there is none (the rule breaks). */
        public abstract long get(Packet p);
    }

    public static final class ConstSource extends Source {
        private final long v;

        public ConstSource(long v) { this.v = v; }

        @Override
        public long get(Packet p) { return v; }
    }

    public static final class FieldSource extends Source {
        private final Field f;

        public FieldSource(Field f) { this.f = f; }

        @Override
        public long get(Packet p) { return Fields.load(f, p); }
    }

    public static final class MapSource extends Source {
        private final Lookup lookup;
        private final long[] values;

        public MapSource(Lookup lookup, long[] values) {
            this.lookup = lookup;
            this.values = values;
        }

        @Override
        public long get(Packet p) {
            int i = lookup.find(p);
            return i >= 0 ? values[i] : -1;
        }
    }

    /** meta mark / ct mark / ct zone / ct label set. */
    public static final class SetFieldOp extends Op {
        private final Field target;
        private final Source source;

        public SetFieldOp(Field target, Source source) {
            this.target = target;
            this.source = source;
        }

        @Override
        public int eval(Packet p) {
            long v = source.get(p);
            if (v < 0) return BREAK;
            switch (target) {
                case META_MARK -> p.setMark((int) v);
                case CT_ZONE -> p.setCtZone((int) v);
                case CT_MARK -> { if (p.conn() instanceof ConnEntry e) e.setMark((int) v); }
                case CT_LABEL -> {
                    if (p.conn() instanceof ConnEntry e) {
                        long hi = e.labelsHi(), lo = e.labelsLo();
                        if (v >= 64) hi |= 1L << (v - 64); else lo |= 1L << v;
                        e.setLabels(hi, lo);
                    }
                }
                default -> { }
            }
            return CONT;
        }
    }

    public static final class NotrackOp extends Op {
        @Override
        public int eval(Packet p) {
            p.setCtState(CtState.UNTRACKED);
            return CONT;
        }
    }

    /** The flow table a {@code flow add @ft} statement feeds; rebound when the service comes or goes. */
    public static final class FlowBinding {
        public final String family, table, name;
        public volatile FlowTable flowTable;

        public FlowBinding(String family, String table, String name) {
            this.family = family;
            this.table = table;
            this.name = name;
        }
    }

    public static final class FlowOp extends Op {
        private final FlowBinding binding;
        private final Services services;

        public FlowOp(FlowBinding binding, Services services) {
            this.binding = binding;
            this.services = services;
        }

        @Override
        public int eval(Packet p) {
            FlowTable t = binding.flowTable;
            if (t == null) services.flowWithoutTable.add(length(p));
            else t.offer(p);
            return CONT;
        }
    }
}
