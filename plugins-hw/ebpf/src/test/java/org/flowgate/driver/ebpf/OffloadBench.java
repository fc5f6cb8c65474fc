package org.flowgate.driver.ebpf;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.driver.ebpf.e2e.JavaRouter;
import org.flowgate.driver.ebpf.kernel.KernelDatapath;
import org.flowgate.offload.FlowBlock;
import org.flowgate.offload.FlowRule;
import org.flowgate.testsupport.netns.Shell;
import org.flowgate.testsupport.netns.Topology;
import org.junit.jupiter.api.Test;

/**
 * Not a test: the benchmark behind {@code bench/bench.sh} (runs only with {@code -Dflowgate.bench=true}).
 * One topology (prefix {@code fgbpx}); for each flow count, {@code bench.rounds} rounds, each of
 * which measures every row right after the others (figures on a shared machine move from second to
 * second, so rows are compared per round and medians printed):
 * <ol>
 * <li>the sender's ceiling (r drops everything),
 * <li>the kernel forwarding with conntrack + masquerade ({@code itests/netns-support/netlab/kernel-nat.nft}),
 * <li>Open vSwitch's userspace datapath with the same conntrack + SNAT ({@code itests/netns-support/netlab/ovs-up.sh};
 * skipped with a message when OVS is not installed),
 * <li>the driver alone: the same SNAT offloaded through the driver, r's forwarding off (plus the
 * flow setup rate into the driver and the tc program's CPU time per packet),
 * <li>Flowgate itself in r (AF_PACKET ports, conntrack, nft masquerade, a flowtable with
 * {@code flags offload}): Java's fast path, then with this driver added through the offload
 * manager, measured only once every flow is in state hw.
 * </ol>
 * Options (system properties): {@code bench.seconds}, {@code bench.flows}, {@code bench.rounds},
 * {@code bench.ovs=false}, {@code bench.java=false}, {@code bench.compare=OBJECT.o} (an extra
 * driver-only row with another compiled program, for A/B), {@code bench.perf=DIR}
 * ({@code perf record -a -g} during the eBPF measurements).
 */
class OffloadBench {
    private static final String P = "fgbpx";
    private static final String R = P + "r", RA = P + "ra", RB = P + "rb";
    private static final Path BENCH = Path.of("../../itests/netns-support/netlab"); // shared with the flow table bench
    private static final String[] ROWS = {"sender ceiling (r drops)", "kernel conntrack + masquerade", "OVS userspace (ct + SNAT)",
        "eBPF driver only", "eBPF driver only, bench.compare object", "eBPF driver + idle port sockets (no Java)", "Java fast path",
        "Java + eBPF offload"};
    private static final int JAVA = 6, JAVA_EBPF = 7;

    /** One flow count's samples: row -> one value per round. */
    private static final class Samples {
        final Map<String, long[]> pps = new LinkedHashMap<>();
        final Map<String, String> notes = new LinkedHashMap<>();
        final int rounds;

        Samples(int rounds) { this.rounds = rounds; }

        void put(String row, int round, long v) { pps.computeIfAbsent(row, r -> new long[rounds])[round] = v; }

        void note(String row, String text) { notes.merge(row, text, (a, b) -> a + "; " + b); }
    }

    @Test
    void bench() throws Exception {
        assumeTrue(Boolean.getBoolean("flowgate.bench"), "benchmark: run bench/bench.sh");
        assumeTrue(Shell.isRoot(), "benchmark needs root");
        int seconds = Integer.getInteger("bench.seconds", 5);
        int rounds = Integer.getInteger("bench.rounds", 3);
        List<Integer> flowCounts = new ArrayList<>();
        for (String f : System.getProperty("bench.flows", "1,1000").split(",")) if (!f.isBlank()) flowCounts.add(Integer.parseInt(f.trim()));
        boolean ovs = Boolean.parseBoolean(System.getProperty("bench.ovs", "true"))
                && Shell.run(false, "sh", "-c", "command -v ovs-vswitchd && command -v ovsdb-tool && command -v ovs-ofctl") == 0;
        if (!ovs) System.out.println("BENCH Open vSwitch column skipped: ovs-vswitchd/ovsdb-tool/ovs-ofctl not installed (apt-get install openvswitch-switch) or bench.ovs=false");
        boolean java = Boolean.parseBoolean(System.getProperty("bench.java", "true"));
        String compare = System.getProperty("bench.compare", "");
        Path compareObject = compare.isBlank() ? null : Path.of(compare).toAbsolutePath();
        Map<Integer, Samples> all = new LinkedHashMap<>();
        String startLoad = loadavg();
        try (Topology lab = Lab.up(P)) { // netlab's names: the shared scripts work on it
            for (int flows : flowCounts) {
                Samples s = new Samples(rounds);
                all.put(flows, s);
                boolean javaOnly = Boolean.getBoolean("bench.javaOnly");
                for (int round = 0; round < rounds; round++) {
                    if (javaOnly) {
                        javaRouter(s, round, seconds, flows);
                        continue;
                    }
                    sysctl("net.ipv4.ip_forward=0");
                    s.put(ROWS[0], round, pps(measure(seconds, flows), "sent_pps"));
                    sysctl("net.ipv4.ip_forward=1");
                    Shell.run(true, "ip", "netns", "exec", R, "nft", "-D", "ra=" + P + "ra", "-D", "rb=" + P + "rb", "-f", BENCH.resolve("kernel-nat.nft").toString());
                    s.put(ROWS[1], round, pps(measure(seconds, flows), "recv_pps"));
                    Shell.run(true, "ip", "netns", "exec", R, "nft", "delete", "table", "ip", "kanchor");
                    Shell.run(false, "ip", "netns", "exec", R, "conntrack", "-F");
                    sysctl("net.ipv4.ip_forward=0");
                    if (ovs) s.put(ROWS[2], round, ovs(seconds, flows));
                    driverOnly(s, ROWS[3], round, seconds, flows, null, false);
                    if (compareObject != null) driverOnly(s, ROWS[4], round, seconds, flows, compareObject, false);
                    driverOnly(s, ROWS[5], round, seconds, flows, null, true);
                    if (java) javaRouter(s, round, seconds, flows);
                }
                System.out.println("BENCH flows=" + flows + " " + summary(s));
            }
        }
        System.out.println(table(all, seconds, rounds, startLoad));
    }

    /**
     * The driver's fast path alone: the SNAT rules added straight into a block, r's forwarding off.
     * With {@code sockets}, r's ports also carry AF_PACKET sockets as the Java router opens them
     * (TPACKET_V3 rings, PACKET_IGNORE_OUTGOING; the driver puts its socket filter on them) but no
     * Java reads them: the kernel's cost of the packet taps, apart from the Java router's presence.
     */
    private static void driverOnly(Samples s, String row, int round, int seconds, int flows, Path object, boolean sockets) throws Exception {
        long h2Mac = Topology.mac(P + "h2", P + "b"), rbMac = Topology.mac(R, RB);
        List<org.flowgate.io.afpacket.socket.PacketSocket> taps = new ArrayList<>();
        if (sockets) {
            for (String dev : new String[] {RA, RB}) {
                taps.add(Shell.inNamespace(R, () -> org.flowgate.io.afpacket.socket.PacketSocket.open(dev, new org.flowgate.io.afpacket.socket.PacketSocket.Options(
                        new org.flowgate.io.afpacket.ring.RingGeometry(1 << 20, 16, 2048), new org.flowgate.io.afpacket.ring.RingGeometry(1 << 18, 8, 2048), 1, false, true))));
            }
        }
        EbpfOffloadDriver driver = new EbpfOffloadDriver();
        Shell.inNamespace(R, () -> {
            driver.start(List.of(RA, RB), 65536, KernelDatapath.Options.defaults(), object);
            return null;
        });
        try {
            FlowBlock block = driver.bind(new FlowTableSpec("ip", "bench", "ft", 0, Set.of(RA, RB), true, false));
            List<FlowRule> rules = new ArrayList<>();
            for (int i = 0; i < flows; i++) {
                FiveTuple match = FiveTuple.of(IpAddress.parse("10.0.1.2"), sport(flows, i), IpAddress.parse("10.0.2.2"), 9, 17);
                FiveTuple rewrite = FiveTuple.of(IpAddress.parse("10.0.2.1"), 20000 + i, IpAddress.parse("10.0.2.2"), 9, 17);
                rules.add(new FlowRule(i + 1, i + 1, 0, RA, -1, match, 0, 0, 0, 0, true, rewrite, rbMac, h2Mac, true, RB, -1, 1500));
            }
            long t0 = System.nanoTime();
            for (FlowRule r : rules) block.add(r);
            long addNanos = System.nanoTime() - t0;
            s.put(row, round, pps(profiled(row.startsWith("eBPF driver only,") ? "ebpf-compare-" + flows : "ebpf-" + flows,
                    () -> measure(seconds, flows)), "recv_pps"));
            long mapPackets = 0;
            for (FlowRule r : rules) mapPackets += block.stats(r).packets();
            double[] ns = programNanos(driver, flows, KernelDatapath.TC_PROG, KernelDatapath.SOCKET_PROG);
            s.note(row, String.format("r%d: %d flows added in %.1f ms (%.0f adds/s), map counters %d, tc program %.0f ns/packet%s",
                    round + 1, flows, addNanos / 1e6, flows / (addNanos / 1e9), mapPackets, ns[0],
                    sockets ? String.format(" + socket filter %.0f ns/packet (on %d sockets)", ns[1], driver.datapath().socketsFiltered()) : ""));
        } finally {
            Shell.inNamespace(R, () -> {
                driver.stop();
                return null;
            });
            for (org.flowgate.io.afpacket.socket.PacketSocket t : taps) t.close();
        }
    }

    /**
     * The same traffic through Flowgate itself in r (r's kernel gives up its addresses and
     * forwarding, as netlab's userspace-prep.sh does): Java's fast path, then Java with this driver.
     * Each flow is made established first (a datagram from h2 back to the masqueraded port), as a
     * flow table needs a reply before it takes a flow; the bench waits until the flow table holds
     * every flow, and after adding the driver until every flow is in state hw. A row whose flows
     * are not all there is reported as such, not as a figure.
     */
    private static void javaRouter(Samples s, int round, int seconds, int flows) throws Exception {
        for (String dev : new String[] {RA, RB}) Shell.run(true, "ip", "-n", R, "addr", "flush", "dev", dev);
        JavaRouter router = Shell.inNamespace(R, () -> new JavaRouter(RA, "10.0.1.1/24", RB, "10.0.2.1/24"));
        EbpfOffloadDriver driver = new EbpfOffloadDriver();
        boolean driverUp = false;
        try {
            int inTable = 0;
            for (int attempt = 0; attempt < 3 && inTable < flows; attempt++) {
                measure(1, flows); // conntrack entries (and neighbours) for every flow
                primeReplies(flows);
                measure(1, flows); // the flow table takes the now established flows
                inTable = waitFor(() -> router.flowTable().count(), flows, 10_000);
            }
            if (inTable < flows) {
                s.note(ROWS[JAVA], "r" + (round + 1) + ": only " + inTable + " of " + flows + " flows in the flow table: no figure");
                return;
            }
            long hits0 = router.flowTable().stats().hits();
            long cpu0 = jvmCpuNanos();
            s.put(ROWS[JAVA], round, pps(measure(seconds, flows), "recv_pps"));
            s.note(ROWS[JAVA], String.format("r%d: %d flows, %d fast-path hits, JVM CPU %.0f ms", round + 1, inTable,
                    router.flowTable().stats().hits() - hits0, (jvmCpuNanos() - cpu0) / 1e6));

            Shell.inNamespace(R, () -> {
                driver.start(List.of(RA, RB), 65536, KernelDatapath.Options.defaults());
                return null;
            });
            driverUp = true;
            long t0 = System.nanoTime();
            router.addDriver(driver);
            int inHw = waitFor(() -> (int) router.flowsInHardware("ebpf"), inTable, 30_000);
            double setupMillis = (System.nanoTime() - t0) / 1e6;
            if (inHw < inTable) {
                s.note(ROWS[JAVA_EBPF], "r" + (round + 1) + ": only " + inHw + " of " + inTable + " flows reached state hw in 30 s: no figure");
                return;
            }
            long hits1 = router.flowTable().stats().hits();
            long cpu1 = jvmCpuNanos();
            Map<String, Long> threads1 = threadCpuNanos();
            s.put(ROWS[JAVA_EBPF], round, pps(profiled("java-ebpf-" + flows, () -> measure(seconds, flows)), "recv_pps"));
            double jvmMillis = (jvmCpuNanos() - cpu1) / 1e6;
            String busiest = busiestThreads(threads1, threadCpuNanos());
            long javaHits = router.flowTable().stats().hits() - hits1;
            double[] ns = programNanos(driver, flows, KernelDatapath.TC_PROG, KernelDatapath.SOCKET_PROG);
            s.note(ROWS[JAVA_EBPF], String.format("r%d: %d flows in hw %.0f ms after adding the driver (%.0f flows/s through the offload manager),"
                    + " %d Java fast-path hits meanwhile, JVM CPU %.0f ms (%s), tc program %.0f + socket filter %.0f ns/packet",
                    round + 1, inHw, setupMillis, inHw / (setupMillis / 1e3), javaHits, jvmMillis, busiest, ns[0], ns[1]));
        } finally {
            if (driverUp) {
                router.removeDriver(driver);
                Shell.inNamespace(R, () -> {
                    driver.stop();
                    return null;
                });
            }
            router.close();
            Shell.run(true, "ip", "-n", R, "addr", "add", "10.0.1.1/24", "dev", RA);
            Shell.run(true, "ip", "-n", R, "addr", "add", "10.0.2.1/24", "dev", RB);
        }
    }

    /** A datagram from h2:9 to every masqueraded port: conntrack sees each flow's reply. */
    private static void primeReplies(int flows) {
        StringBuilder ports = new StringBuilder();
        for (int i = 0; i < flows; i++) ports.append(sport(flows, i)).append(i + 1 < flows ? "," : "");
        Shell.run(true, "ip", "netns", "exec", P + "h2", "python3", "-c", """
                import socket
                s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
                s.bind(('10.0.2.2',9))
                for p in [%s]: s.sendto(b'x'*18,('10.0.2.1',p))
                """.formatted(ports));
    }

    private static int sport(int flows, int i) {
        return flows > 1 ? 1024 + i : 1234;
    }

    /** Polls until {@code value} reaches {@code target} or {@code millis} pass; returns the last value. */
    private static int waitFor(java.util.function.IntSupplier value, int target, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        int v;
        while ((v = value.getAsInt()) < target && System.currentTimeMillis() < deadline) Thread.sleep(20);
        return v;
    }

    /**
     * Open vSwitch's userspace datapath as r (netlab/ovs-up.sh: conntrack zone 1, SNAT to 10.0.2.1
     * for connections from ra, established both ways, TTL and MACs), then ovs-down.sh gives r's
     * kernel its addresses back. A one-second warm-up first: OVS's upcalls install its megaflows.
     */
    private static long ovs(int seconds, int flows) {
        try {
            Shell.run(true, "bash", BENCH.resolve("ovs-up.sh").toString(), P);
            measure(1, flows);
            return pps(measure(seconds, flows), "recv_pps");
        } finally {
            Shell.run(false, "bash", BENCH.resolve("ovs-down.sh").toString(), P);
        }
    }

    /**
     * CPU time per run (ns) of the driver's programs, from the kernel's BPF run statistics
     * ({@code kernel.bpf_stats_enabled}) over a separate two-second measurement: they cost a
     * little per run, so they are off during the pps measurements.
     */
    private static double[] programNanos(EbpfOffloadDriver driver, int flows, String... progs) {
        String[] pins = new String[progs.length];
        for (int i = 0; i < progs.length; i++) pins[i] = driver.datapath().pinDir().resolve("progs").resolve(progs[i]).toString();
        Shell.run(true, "sysctl", "-qw", "kernel.bpf_stats_enabled=1");
        try {
            long[][] a = new long[progs.length][];
            for (int i = 0; i < progs.length; i++) a[i] = runStats(pins[i]);
            measure(2, flows);
            double[] ns = new double[progs.length];
            for (int i = 0; i < progs.length; i++) {
                long[] b = runStats(pins[i]);
                ns[i] = b[0] == a[i][0] ? 0 : (double) (b[1] - a[i][1]) / (b[0] - a[i][0]);
            }
            return ns;
        } finally {
            Shell.run(true, "sysctl", "-qw", "kernel.bpf_stats_enabled=0");
        }
    }

    /** run_cnt, run_time_ns of a pinned program. */
    private static long[] runStats(String pin) {
        String json = Shell.read("bpftool", "-j", "prog", "show", "pinned", pin);
        Matcher n = Pattern.compile("\"run_cnt\":(\\d+)").matcher(json);
        Matcher t = Pattern.compile("\"run_time_ns\":(\\d+)").matcher(json);
        return new long[] {n.find() ? Long.parseLong(n.group(1)) : 0, t.find() ? Long.parseLong(t.group(1)) : 0};
    }

    /** With {@code -Dbench.perf=DIR}: {@code perf record -a -g} into DIR/label.data during the measurement (for investigation). */
    private static String profiled(String label, java.util.function.Supplier<String> measurement) throws Exception {
        String dir = System.getProperty("bench.perf");
        if (dir == null || dir.isBlank()) return measurement.get();
        Process perf = new ProcessBuilder("perf", "record", "-a", "-g", "-q", "-o", Path.of(dir, label + ".data").toString(), "--", "sleep",
                Integer.toString(Math.max(1, Integer.getInteger("bench.seconds", 5) - 2))).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            return measurement.get();
        } finally {
            perf.waitFor();
        }
    }

    private static String summary(Samples s) {
        StringBuilder b = new StringBuilder("median pps:");
        long kernel = s.pps.containsKey(ROWS[1]) ? median(s.pps.get(ROWS[1])) : 0;
        for (Map.Entry<String, long[]> e : s.pps.entrySet()) {
            long m = median(e.getValue());
            b.append(" | ").append(e.getKey()).append(' ').append(m);
            if (kernel > 0 && !e.getKey().equals(ROWS[0])) b.append(String.format(" (%.2fx kernel)", (double) m / kernel));
            b.append(' ').append(Arrays.toString(e.getValue()));
        }
        for (Map.Entry<String, String> e : s.notes.entrySet()) b.append("\nBENCH   ").append(e.getKey()).append(": ").append(e.getValue());
        return b.toString();
    }

    /** The README table: one line per flow count and row, medians with the rounds in brackets. */
    private static String table(Map<Integer, Samples> all, int seconds, int rounds, String startLoad) throws Exception {
        StringBuilder b = new StringBuilder();
        b.append(String.format("BENCH TABLE 64-byte UDP through r, pps received at h2, %d s per run, median of %d interleaved rounds; load average %s at start, %s at end%n",
                seconds, rounds, startLoad, loadavg()));
        b.append("BENCH | flows | row | median pps | x kernel | rounds |\n");
        b.append("BENCH |---|---|---|---|---|\n");
        for (Map.Entry<Integer, Samples> f : all.entrySet()) {
            Samples s = f.getValue();
            long kernel = s.pps.containsKey(ROWS[1]) ? median(s.pps.get(ROWS[1])) : 0;
            for (String row : ROWS) {
                long[] v = s.pps.get(row);
                if (v == null) {
                    if (s.notes.containsKey(row)) b.append(String.format("BENCH | %d | %s | no figure | | %s |%n", f.getKey(), row, s.notes.get(row)));
                    continue;
                }
                long m = median(v);
                b.append(String.format("BENCH | %d | %s | %d | %s | %s |%n", f.getKey(), row, m,
                        kernel > 0 && !row.equals(ROWS[0]) ? String.format("%.2fx", (double) m / kernel) : "",
                        Arrays.toString(v).replace("[", "").replace("]", "")));
            }
        }
        return b.toString().trim();
    }

    /** CPU time of each Java thread by name (threads of the same name summed). */
    private static Map<String, Long> threadCpuNanos() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<String, Long> m = new java.util.HashMap<>();
        for (long id : mx.getAllThreadIds()) {
            java.lang.management.ThreadInfo ti = mx.getThreadInfo(id);
            long t = mx.getThreadCpuTime(id);
            if (ti != null && t > 0) m.merge(ti.getThreadName(), t, Long::sum);
        }
        return m;
    }

    /** The three Java threads that used the most CPU between two samples ("name ms"); the JIT and GC are not Java threads. */
    private static String busiestThreads(Map<String, Long> before, Map<String, Long> after) {
        return after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(3)
                .map(e -> e.getKey() + " " + e.getValue() / 1_000_000 + " ms").collect(java.util.stream.Collectors.joining(", "));
    }

    /** CPU time of this JVM (all its threads: the router's, the JIT's, the GC's). */
    private static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static String loadavg() throws Exception {
        String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    private static long pps(String measured, String field) {
        Matcher m = Pattern.compile(field + "=(\\d+)").matcher(measured);
        if (!m.find()) throw new IllegalStateException("measure.sh said: " + measured);
        return Long.parseLong(m.group(1));
    }

    /** Median of the rounds that produced a figure (a round without one leaves 0). */
    private static long median(long[] v) {
        long[] s = Arrays.stream(v).filter(x -> x > 0).sorted().toArray();
        return s.length == 0 ? 0 : s[s.length / 2];
    }

    private static void sysctl(String kv) {
        Shell.run(true, "ip", "netns", "exec", R, "sysctl", "-qw", kv);
    }

    private static String measure(int seconds, int flows) {
        return Shell.read("bash", BENCH.resolve("measure.sh").toString(), P, Integer.toString(seconds), Integer.toString(flows)).trim();
    }
}
