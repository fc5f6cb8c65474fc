package org.flowgate.driver.ebpf;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.driver.ebpf.kernel.KernelDatapath;
import org.flowgate.offload.FlowBlock;
import org.flowgate.offload.FlowRule;
import org.junit.jupiter.api.Test;

/**
 * Not a test: the benchmark behind {@code bench/bench.sh} (runs only with {@code -Dflowgate.bench=true}).
 * One topology (prefix {@code fgbpx}), and for each flow count, side by side: the kernel forwarding
 * with conntrack + masquerade, then the driver's fast path with the same SNAT offloaded through
 * the driver (r's forwarding off, so only the fast path carries packets). Also the flow setup
 * rate into the driver (adds per second through the bpf(2) syscall).
 */
class OffloadBench {
    private static final String P = "fgbpx";
    private static final String R = P + "r", RA = P + "ra", RB = P + "rb";
    private static final Path BENCH = Path.of("bench");

    @Test
    void bench() throws Exception {
        assumeTrue(Boolean.getBoolean("flowgate.bench"), "benchmark: run bench/bench.sh");
        assumeTrue(Netns.isRoot(), "benchmark needs root");
        int seconds = Integer.getInteger("bench.seconds", 5);
        List<Integer> flowCounts = new ArrayList<>();
        for (String f : System.getProperty("bench.flows", "1,1000").split(",")) if (!f.isBlank()) flowCounts.add(Integer.parseInt(f.trim()));
        Netns.down(P);
        try {
            Netns.up(P);
            long h2Mac = Netns.mac(P + "h2", P + "b"), rbMac = Netns.mac(R, RB);
            int rounds = Integer.getInteger("bench.rounds", 3);
            for (int flows : flowCounts) {
                // interleaved rounds, medians: figures on a shared machine move from second to second
                long[] ceiling = new long[rounds], kernel = new long[rounds], ebpf = new long[rounds];
                double addsPerSecond = 0;
                long hwPackets = 0;
                for (int round = 0; round < rounds; round++) {
                    sysctl("net.ipv4.ip_forward=0");
                    ceiling[round] = pps(measure(seconds, flows), "sent_pps"); // r drops everything: the sender alone
                    sysctl("net.ipv4.ip_forward=1");
                    Netns.run(true, "ip", "netns", "exec", R, "nft", "-f", BENCH.resolve("kernel-nat.nft").toString());
                    kernel[round] = pps(measure(seconds, flows), "recv_pps");
                    Netns.run(true, "ip", "netns", "exec", R, "nft", "delete", "table", "ip", "kanchor");
                    Netns.run(false, "ip", "netns", "exec", R, "conntrack", "-F");
                    sysctl("net.ipv4.ip_forward=0");

                    EbpfOffloadDriver driver = new EbpfOffloadDriver();
                    Netns.in(R, () -> {
                        driver.start(List.of(RA, RB), 65536, KernelDatapath.Options.defaults());
                        return null;
                    });
                    try {
                        FlowBlock block = driver.bind(new FlowTableSpec("ip", "bench", "ft", 0, Set.of(RA, RB), true, false));
                        List<FlowRule> rules = new ArrayList<>();
                        for (int i = 0; i < flows; i++) {
                            int sport = flows > 1 ? 1024 + i : 1234;
                            FiveTuple match = FiveTuple.of(IpAddress.parse("10.0.1.2"), sport, IpAddress.parse("10.0.2.2"), 9, 17);
                            FiveTuple rewrite = FiveTuple.of(IpAddress.parse("10.0.2.1"), 20000 + i, IpAddress.parse("10.0.2.2"), 9, 17);
                            rules.add(new FlowRule(i + 1, i + 1, 0, RA, -1, match, 0, 0, 0, 0, true, rewrite, rbMac, h2Mac, true, RB, -1, 1500));
                        }
                        long t0 = System.nanoTime();
                        for (FlowRule r : rules) block.add(r);
                        addsPerSecond = Math.max(addsPerSecond, flows / ((System.nanoTime() - t0) / 1e9));
                        ebpf[round] = pps(measure(seconds, flows), "recv_pps");
                        hwPackets = 0;
                        for (FlowRule r : rules) hwPackets += block.stats(r).packets();
                    } finally {
                        Netns.in(R, () -> {
                            driver.stop();
                            return null;
                        });
                    }
                }
                System.out.printf("BENCH flows=%d seconds=%d rounds=%d median pps: sender ceiling (r drops) %d | kernel conntrack+masquerade %d"
                        + " | ebpf offload %d (%.2fx kernel) | runs kernel %s ebpf %s | map counters last run %d | flow setup %.0f adds/s | load %s%n",
                        flows, seconds, rounds, median(ceiling), median(kernel), median(ebpf), (double) median(ebpf) / Math.max(1, median(kernel)),
                        java.util.Arrays.toString(kernel), java.util.Arrays.toString(ebpf), hwPackets, addsPerSecond,
                        java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim());
            }
        } finally {
            Netns.down(P);
        }
    }

    private static long pps(String measured, String field) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(field + "=(\\d+)").matcher(measured);
        if (!m.find()) throw new IllegalStateException("measure.sh said: " + measured);
        return Long.parseLong(m.group(1));
    }

    private static long median(long[] v) {
        long[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }

    private static void sysctl(String kv) {
        Netns.run(true, "ip", "netns", "exec", R, "sysctl", "-qw", kv);
    }

    private static String measure(int seconds, int flows) {
        return Netns.output("bash", BENCH.resolve("measure.sh").toString(), P, Integer.toString(seconds), Integer.toString(flows)).trim();
    }
}
