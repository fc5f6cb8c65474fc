package org.flowgate.flowtable.service;

/** The configuration values of {@link FlowTableConfig}, as plain data. */
public record Settings(int timeoutSeconds, int gcIntervalMillis, int gcBudget, int expectedFlows) {
    public static final Settings DEFAULTS = new Settings(30, 10, 16384, 4096);

    public Settings {
        if (timeoutSeconds < 1 || gcIntervalMillis < 1 || gcBudget < 1 || expectedFlows < 1) throw new IllegalArgumentException("flow table settings must be positive");
    }

    static Settings of(FlowTableConfig c) {
        return new Settings(c.timeout(), c.gc_interval_ms(), Math.max(64, c.gc_budget()), Math.max(16, c.expected_flows()));
    }
}
