package org.flowgate.offload.manager.core;

/** The manager's tunables (see {@link OffloadConfig}). */
public record Settings(int queueSize, int threads, int batchSize, long statsIntervalMillis, long retryIntervalMillis,
        long slowCallMillis) {
    public static final Settings DEFAULTS = new Settings(8192, 2, 64, 1000, 5000, 200);

    public Settings {
        if (queueSize < 1 || threads < 1 || batchSize < 1 || statsIntervalMillis < 1 || retryIntervalMillis < 0 || slowCallMillis < 1)
            throw new IllegalArgumentException("invalid offload settings");
    }

    public static Settings of(OffloadConfig c) {
        return new Settings(c.queue_size(), c.threads(), c.batch_size(), c.stats_interval_ms(), c.retry_interval_ms(), c.slow_call_ms());
    }
}
