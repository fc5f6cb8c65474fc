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
 * the driver (r's forwarding off, so only the fast path carries packets), and Open vSwitch's
 * userspace datapath with the same conntrack + SNAT ({@code bench/ovs-up.sh}; the column is
 * skipped with a message when OVS is not installed). Also the flow setup rate into the driver
 * (adds per second through the bpf(2) syscall).
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
            boolean ovs = Netns.run(false, "sh", "-c", "command -v ovs-vswitchd && command -v ovsdb-tool && command -v ovs-ofctl") == 0;
            if (!ovs) System.out.println("BENCH Open vSwitch column skipped: ovs-vswitchd/ovsdb-tool/ovs-ofctl not installed (apt-get install openvswitch-switch)");
            for (int flows : flowCounts) {
                // interleaved rounds, medians: figures on a shared machine move from second to second
                long[] ceiling = new long[rounds], kernel = new long[rounds], ebpf = new long[rounds], ovsUser = new long[rounds];
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
                    if (ovs) ovsUser[round] = ovs(seconds, flows);

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
                if (Boolean.parseBoolean(System.getProperty("bench.java", "true"))) javaRouter(seconds, flows);
                System.out.printf("BENCH flows=%d seconds=%d rounds=%d median pps: sender ceiling (r drops) %d | kernel conntrack+masquerade %d"
                        + " | ebpf offload %d (%.2fx kernel) | ovs userspace %s | runs kernel %s ebpf %s ovs %s | map counters last run %d | flow setup %.0f adds/s | load %s%n",
                        flows, seconds, rounds, median(ceiling), median(kernel), median(ebpf), (double) median(ebpf) / Math.max(1, median(kernel)),
                        ovs ? Long.toString(median(ovsUser)) : "skipped", java.util.Arrays.toString(kernel), java.util.Arrays.toString(ebpf),
                        ovs ? java.util.Arrays.toString(ovsUser) : "-", hwPackets, addsPerSecond,
                        java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim());
            }
        } finally {
            Netns.down(P);
        }
    }

    /**
     * The same traffic through Flowgate itself in r (r's kernel gives up its addresses and
     * forwarding, as netlab's userspace-prep.sh does): Java's fast path, then Java with this driver.
     * Each flow is made established first (a datagram from h2 back to the masqueraded port), as a
     * flow table needs a reply before it takes a flow.
     */
    private static void javaRouter(int seconds, int flows) throws Exception {
        for (String dev : new String[] {RA, RB}) Netns.run(true, "ip", "-n", R, "addr", "flush", "dev", dev);
        org.flowgate.driver.ebpf.e2e.JavaRouter router = Netns.in(R, () -> new org.flowgate.driver.ebpf.e2e.JavaRouter(RA, "10.0.1.1/24", RB, "10.0.2.1/24"));
        EbpfOffloadDriver driver = new EbpfOffloadDriver();
        boolean driverUp = false;
        try {
            measure(1, flows); // conntrack entries (and neighbours) for every flow
            StringBuilder ports = new StringBuilder();
            for (int i = 0; i < flows; i++) ports.append(flows > 1 ? 1024 + i : 1234).append(i + 1 < flows ? "," : "");
            Netns.run(true, "ip", "netns", "exec", P + "h2", "python3", "-c", """
                    import socket
                    s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
                    s.bind(('10.0.2.2',9))
                    for p in [%s]: s.sendto(b'x'*18,('10.0.2.1',p))
                    """.formatted(ports));
            measure(1, flows); // the flow table takes the now established flows
            long settle = System.currentTimeMillis() + 10_000; // flow table events are applied by its worker
            while (router.flowTable().count() < flows && System.currentTimeMillis() < settle) Thread.sleep(50);
            long flowsInTable = router.flowTable().count();
            long hits0 = router.flowTable().stats().hits();
            long javaPps = pps(measure(seconds, flows), "recv_pps");
            long hits = router.flowTable().stats().hits() - hits0;

            Netns.in(R, () -> {
                driver.start(List.of(RA, RB), 65536, KernelDatapath.Options.defaults());
                return null;
            });
            driverUp = true;
            router.addDriver(driver);
            long deadline = System.currentTimeMillis() + 30_000;
            while (router.flowsInHardware("ebpf") < flowsInTable && System.currentTimeMillis() < deadline) Thread.sleep(50);
            Thread.sleep(200);
            long inHw = router.flowsInHardware("ebpf");
            long hits1 = router.flowTable().stats().hits();
            long javaEbpf = pps(measure(seconds, flows), "recv_pps");
            long hitsWithDriver = router.flowTable().stats().hits() - hits1;
            System.out.printf("BENCH flows=%d seconds=%d java router: fast path %d pps (flow table %d flows, %d fast-path hits)"
                    + " | java + ebpf offload %d pps (%d flows in hw, %d Java fast-path hits meanwhile) | load %s%n",
                    flows, seconds, javaPps, flowsInTable, hits, javaEbpf, inHw, hitsWithDriver,
                    java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim());
        } finally {
            if (driverUp) {
                router.removeDriver(driver);
                Netns.in(R, () -> {
                    driver.stop();
                    return null;
                });
            }
            router.close();
            Netns.run(true, "ip", "-n", R, "addr", "add", "10.0.1.1/24", "dev", RA);
            Netns.run(true, "ip", "-n", R, "addr", "add", "10.0.2.1/24", "dev", RB);
        }
    }

    /**
     * Open vSwitch's userspace datapath as r (bench/ovs-up.sh: conntrack zone 1, SNAT to 10.0.2.1
     * for connections from ra, established both ways, TTL and MACs), then ovs-down.sh gives r's
     * kernel its addresses back. A one-second warm-up first: OVS's upcalls install its megaflows.
     */
    private static long ovs(int seconds, int flows) {
        try {
            Netns.run(true, "bash", BENCH.resolve("ovs-up.sh").toString(), P);
            measure(1, flows);
            return pps(measure(seconds, flows), "recv_pps");
        } finally {
            Netns.run(false, "bash", BENCH.resolve("ovs-down.sh").toString(), P);
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
