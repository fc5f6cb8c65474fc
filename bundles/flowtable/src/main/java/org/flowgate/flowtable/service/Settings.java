package org.flowgate.flowtable.service;

/** The configuration values of {@link FlowTableConfig}, as plain data. */
public record Settings(int timeoutSeconds, int gcIntervalMillis, int gcBudget, int expectedFlows, int gcPassMillis) {
    public static final Settings DEFAULTS = new Settings(30, 10, 16384, 4096, 1000);
    private static final int MIN_STEP = 64;

    public Settings {
        if (timeoutSeconds < 1 || gcIntervalMillis < 1 || gcBudget < 1 || expectedFlows < 1 || gcPassMillis < 1) throw new IllegalArgumentException("flow table settings must be positive");
    }

    public Settings(int timeoutSeconds, int gcIntervalMillis, int gcBudget, int expectedFlows) {
        this(timeoutSeconds, gcIntervalMillis, gcBudget, expectedFlows, 1000);
    }

    /**
     * Slots one worker step examines in a table of {@code slots}: enough for a full pass every
     * {@link #gcPassMillis()} (Linux's flow table GC runs once a second), at most {@link #gcBudget()}
     * so a step stays short, at least a few cache lines' worth.
     */
    public int stepBudget(int slots) {
        long perStep = ((long) slots * gcIntervalMillis + gcPassMillis - 1) / gcPassMillis;
        return (int) Math.max(Math.min(MIN_STEP, gcBudget), Math.min(gcBudget, perStep));
    }

    static Settings of(FlowTableConfig c) {
        return new Settings(c.timeout(), c.gc_interval_ms(), Math.max(MIN_STEP, c.gc_budget()), Math.max(16, c.expected_flows()),
                c.gc_pass_ms());
    }
}
