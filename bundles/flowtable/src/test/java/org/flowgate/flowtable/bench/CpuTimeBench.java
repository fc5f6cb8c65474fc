package org.flowgate.flowtable.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

import org.flowgate.api.hook.Verdict;

/**
 * {@link FastPathBench}'s operations timed by the thread's own CPU time instead of the wall clock:
 * on a shared machine (load above the core count) a JMH thread is descheduled for much of each
 * iteration and wall-clock throughput measures the neighbours; packets per CPU-second of the
 * benchmark thread do not (cache and hyper-thread sharing still show). Prints Mpps per CPU
 * second, median of the rounds, for each flow count.
 *
 * <p>{@code router} as first argument does the same for {@link RouterBench}: classic path and
 * fast path, one after the other for each flow count, and their ratio.
 *
 * <p>Run: {@code bundles/flowtable/bench.sh CpuTimeBench [router] [flows...]} (default 1 10000 1000000).
 */
public final class CpuTimeBench {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    private static volatile Object sink;

    public static void main(String[] args) throws Exception {
        boolean router = args.length > 0 && args[0].equals("router");
        if (router) args = Arrays.copyOfRange(args, 1, args.length);
        int[] flowCounts = args.length == 0 ? new int[] {1, 10_000, 1_000_000} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        if (router) {
            for (int flows : flowCounts) router(flows);
            return;
        }
        for (int flows : flowCounts) {
            FastPathBench b = new FastPathBench();
            b.flows = flows;
            b.setup();
            double[] fast = run(b, true), parse = run(b, false);
            System.out.printf("CPUTIME flows=%d fastPath %.2f Mpps/cpu-s %s | parseOnly %.2f Mpps/cpu-s %s | load %s%n", flows, median(fast),
                    Arrays.toString(round(fast)), median(parse), Arrays.toString(round(parse)), load());
        }
    }

    private static void router(int flows) throws Exception {
        double[][] r = new double[2][];
        String[] paths = {"classic", "fast"};
        for (int k = 0; k < 2; k++) {
            RouterBench b = new RouterBench();
            b.path = paths[k];
            b.flows = flows;
            b.setup();
            measure(b::forward, 2_000_000_000L);
            r[k] = new double[5];
            for (int i = 0; i < r[k].length; i++) r[k][i] = measure(b::forward, 400_000_000L);
            b.tearDown();
        }
        System.out.printf("CPUTIME RouterBench flows=%d classic %.2f Mpps/cpu-s %s | fast %.2f Mpps/cpu-s %s | %.1fx | load %s%n", flows,
                median(r[0]), Arrays.toString(round(r[0])), median(r[1]), Arrays.toString(round(r[1])), median(r[1]) / median(r[0]), load());
    }

    private static double measure(Runnable op, long cpuNanos) {
        long t0 = CPU.getCurrentThreadCpuTime(), ops = 0, t;
        do {
            for (int i = 0; i < 10_000; i++) op.run();
            ops += 10_000;
            t = CPU.getCurrentThreadCpuTime() - t0;
        } while (t < cpuNanos);
        return ops * 1e3 / t;
    }

    private static double[] run(FastPathBench b, boolean fast) {
        measure(b, fast, 2_000_000_000L); // warm-up: C2 has compiled the loop
        double[] r = new double[5];
        for (int i = 0; i < r.length; i++) r[i] = measure(b, fast, 400_000_000L);
        return r;
    }

    /** Runs the operation for {@code cpuNanos} of this thread's CPU time; returns Mpps per CPU second. */
    private static double measure(FastPathBench b, boolean fast, long cpuNanos) {
        long t0 = CPU.getCurrentThreadCpuTime(), ops = 0, t;
        Object last = null;
        do {
            for (int i = 0; i < 10_000; i++) {
                if (fast) {
                    Verdict v = b.fastPath();
                    if (v != Verdict.STOLEN) throw new IllegalStateException("not forwarded: " + v);
                } else {
                    last = b.parseOnly();
                }
            }
            ops += 10_000;
            t = CPU.getCurrentThreadCpuTime() - t0;
        } while (t < cpuNanos);
        sink = last;
        return ops * 1e3 / t;
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
