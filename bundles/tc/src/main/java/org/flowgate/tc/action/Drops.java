package org.flowgate.tc.action;

import java.util.concurrent.atomic.LongAdder;

/** Counted reasons for which tc drops a packet, as {@code tc -s} and the hook counters show them. */
public final class Drops {
    public static final int ACTION_DROP = 0, NO_CONNTRACK = 1, CT_DROP = 2, NAT_FAILED = 3, NO_DEVICE = 4,
            TX_FAILED = 5, GOTO_LOOP = 6, MALFORMED = 7, UNSUPPORTED = 8, MIRRED_NEST = 9;
    private static final String[] LABELS = {"action-drop", "no-conntrack", "conntrack-drop", "nat-failed", "no-device",
            "tx-failed", "goto-loop", "malformed", "unsupported", "mirred-nest-limit"};

    private final LongAdder[] counts = new LongAdder[LABELS.length];

    public Drops() { for (int i = 0; i < counts.length; i++) counts[i] = new LongAdder(); }

    public void count(int reason) { counts[reason < 0 ? ACTION_DROP : reason].increment(); }

    public java.util.Map<String, Long> snapshot() {
        java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < LABELS.length; i++) m.put(LABELS[i], counts[i].sum());
        return m;
    }
}
