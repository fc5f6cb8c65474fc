package org.flowgate.flowtable.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.flowgate.api.hook.Verdict;

/**
 * {@link FastPathBench}'s operations timed by the thread's own CPU time instead of the wall clock:
 * on a shared machine (load above the core count) a JMH thread is descheduled for much of each
 * iteration and wall-clock throughput measures the neighbours; packets per CPU-second of the
 * benchmark thread do not (cache and hyper-thread sharing still show). Prints Mpps per CPU
 * second, median of the rounds, for each flow count.
 *
 * <p>{@code router} as first argument does the same for {@link RouterBench}: classic path and
 * fast path for each flow count, and their ratio ({@code router batch}: frames handed over 32 at a
 * time, as the AF_PACKET port does); {@code v6} runs {@link FastPathBench}'s IPv6 flows.
 *
 * <p>Each operation at each flow count runs in a JVM of its own (this class re-launched with the
 * same JVM options): in one JVM the operations measured first decide what C2 inlines and how the
 * shared code's branch and type profiles look for those measured later (parse profiled by the
 * fast path, the probe loop profiled at one flow then run at a million), which made rounds of the
 * same case differ by up to 1.7x between and within runs. A child warms up for 2 CPU-seconds, then
 * measures 5 rounds of 0.4 CPU-seconds; a case's figure is the median of those rounds.
 *
 * <p>Each case runs {@code BENCH_RUNS} times (default 3, the operations interleaved) and the
 * output gives every run's figure, their median and the best: on this build VM the same code
 * measures anywhere from 12 to 22 Mpps in runs minutes apart (consecutive runs slow or fast
 * together, whichever CPU they are pinned to, rounds within a run steady, the same inlining in a
 * slow and a fast run), which points at the host rather than the JIT; the best run is the
 * closest to an unshared core.
 *
 * <p>Run: {@code bundles/flowtable/bench.sh CpuTimeBench [router [batch]|v6] [flows...]} (default 1 10000 1000000).
 * Extra JVM flags for the children go through {@code JAVA_TOOL_OPTIONS}.
 */
public final class CpuTimeBench {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    private static final String CASE = "--case", RESULT = "ROUNDS";
    private static volatile Object sink;

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals(CASE)) {
            double[] r = one(args[1], Integer.parseInt(args[2]));
            StringBuilder s = new StringBuilder(RESULT);
            for (double v : r) s.append(' ').append(v);
            System.out.println(s);
            return;
        }
        boolean router = args.length > 0 && args[0].equals("router");
        if (router) args = Arrays.copyOfRange(args, 1, args.length);
        String v6 = args.length > 0 && args[0].equals("v6") ? "6" : "";
        if (!v6.isEmpty()) args = Arrays.copyOfRange(args, 1, args.length);
        String batch = router && args.length > 0 && args[0].equals("batch") ? "Batch" : "";
        if (!batch.isEmpty()) args = Arrays.copyOfRange(args, 1, args.length);
        int[] flowCounts = args.length == 0 ? new int[] {1, 10_000, 1_000_000} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        int runs = Integer.parseInt(System.getenv().getOrDefault("BENCH_RUNS", "3"));
        for (int flows : flowCounts) {
            String a = router ? "classic" + batch : "fastPath" + v6, b = router ? "fast" + batch : "parseOnly" + v6;
            double[] ra = new double[runs], rb = new double[runs];
            for (int i = 0; i < runs; i++) { // interleaved, so a slower phase of the host hits both operations
                ra[i] = median(child(a, flows));
                rb[i] = median(child(b, flows));
            }
            if (router) {
                double[] pairs = new double[runs];
                for (int i = 0; i < runs; i++) pairs[i] = rb[i] / ra[i];
                System.out.printf("CPUTIME RouterBench" + (batch.isEmpty() ? "" : " batch") + " flows=%d classic %.2f Mpps/cpu-s %s | fast %.2f Mpps/cpu-s %s best %.2f | %.1fx (per run %s) | load %s%n",
                        flows, median(ra), Arrays.toString(round(ra)), median(rb), Arrays.toString(round(rb)), max(rb), median(rb) / median(ra),
                        Arrays.toString(round(pairs)), load());
            } else {
                System.out.printf("CPUTIME flows=%d" + (v6.isEmpty() ? "" : " IPv6") + " fastPath %.2f Mpps/cpu-s %s best %.2f | parseOnly %.2f Mpps/cpu-s %s | load %s%n", flows,
                        median(ra), Arrays.toString(round(ra)), max(ra), median(rb), Arrays.toString(round(rb)), load());
            }
        }
    }

    private static double max(double[] v) { return Arrays.stream(v).max().orElse(0); }

    /** Runs one case in a fresh JVM and returns its rounds. */
    private static double[] child(String op, int flows) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments())
            if (!a.startsWith("-XX:Flags=") && !a.startsWith("-Djdk.internal")) cmd.add(a);
        // the benchmark's operation methods always inlined into the batch loop: otherwise that
        // depends on whether C2 happened to compile them alone first ("already compiled into a big method")
        cmd.add("-XX:CompileCommand=quiet");
        for (String m : List.of("FastPathBench::fastPath", "FastPathBench::parseOnly", "RouterBench::forward"))
            cmd.add("-XX:CompileCommand=inline,org.flowgate.flowtable.bench." + m);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), CpuTimeBench.class.getName(), CASE, op, Integer.toString(flows)));
        Process pr = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        double[] rounds = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(pr.getInputStream()))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith(RESULT + " ")) rounds = Arrays.stream(line.substring(RESULT.length() + 1).split(" ")).mapToDouble(Double::parseDouble).toArray();
                else System.out.println(line); // e.g. -XX:+PrintInlining
            }
        }
        if (pr.waitFor() != 0 || rounds == null) throw new IllegalStateException(op + " flows=" + flows + " failed: exit " + pr.exitValue());
        return rounds;
    }

    private static double[] one(String op, int flows) throws Exception {
        switch (op) {
            case "fastPath", "parseOnly", "fastPath6", "parseOnly6" -> {
                FastPathBench b = new FastPathBench();
                b.flows = flows;
                b.family = op.endsWith("6") ? 6 : 4;
                b.setup();
                Batch batch = op.startsWith("fastPath") ? () -> fastPath(b) : () -> parseOnly(b);
                return rounds(batch);
            }
            case "classic", "fast", "classicBatch", "fastBatch" -> {
                RouterBench b = new RouterBench();
                b.path = op.replace("Batch", "");
                b.flows = flows;
                b.setup();
                double[] r = rounds(op.endsWith("Batch") ? () -> forwardBatch(b) : () -> forward(b));
                b.tearDown();
                return r;
            }
            default -> throw new IllegalArgumentException(op);
        }
    }

    /** 2 CPU-seconds of warm-up (C2 has compiled the batch), then 5 rounds of 0.4. */
    private static double[] rounds(Batch batch) {
        measure(batch, 2_000_000_000L);
        double[] r = new double[5];
        for (int i = 0; i < r.length; i++) r[i] = measure(batch, 400_000_000L);
        return r;
    }

    /**
     * Runs {@code batch} (9,984 operations per call: 312 port batches of 32) for {@code cpuNanos} of this thread's CPU
     * time; returns Mpps per CPU second. The operations run inside a method called thousands of
     * times, not in the loop of one long call, so C2 compiles it as a normal method (not only by
     * on-stack replacement) and every round runs the same code.
     */
    private static double measure(Batch batch, long cpuNanos) {
        long t0 = CPU.getCurrentThreadCpuTime(), ops = 0, t;
        do {
            sink = batch.run();
            ops += BATCH;
            t = CPU.getCurrentThreadCpuTime() - t0;
        } while (t < cpuNanos);
        return ops * 1e3 / t;
    }

    private static final int BATCH = 312 * RouterBench.BATCH;

    private interface Batch { Object run(); }

    private static Object fastPath(FastPathBench b) {
        for (int i = 0; i < BATCH; i++) {
            Verdict v = b.fastPath();
            if (v != Verdict.STOLEN) throw new IllegalStateException("not forwarded: " + v);
        }
        return null;
    }

    private static Object parseOnly(FastPathBench b) {
        Object last = null;
        for (int i = 0; i < BATCH; i++) last = b.parseOnly();
        return last;
    }

    private static Object forward(RouterBench b) {
        for (int i = 0; i < BATCH; i++) b.forward();
        return null;
    }

    private static Object forwardBatch(RouterBench b) {
        for (int i = 0; i < BATCH; i += RouterBench.BATCH) b.forwardBatch();
        return null;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static double[] round(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) r[i] = Math.round(v[i] * 100) / 100.0;
        return r;
    }

    private static String load() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
