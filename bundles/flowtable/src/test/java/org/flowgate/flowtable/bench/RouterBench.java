package org.flowgate.flowtable.bench;

import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.Port;
import org.flowgate.api.netdev.PortReceiver;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.conntrack.core.Conntrack;
import org.flowgate.flowtable.service.FlowTableManager;
import org.flowgate.flowtable.service.Settings;
import org.flowgate.flowtable.support.Frames;
import org.flowgate.testsupport.router.TestRouter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Classic path vs fast path in the same router, side by side: {@code bundles/packet}'s path with
 * conntrack, the nft ruleset (a forward-chain rule and masquerade on v1) and routing, against the
 * same router whose ruleset adds the flows to a flow table ({@code flow add @ft}) so they are
 * forwarded at ingress. Virtual ports: a frame is handed to the router's receiver on v0 and the
 * forwarded frame is counted by v1's {@code send}. 64-byte frames (60 without FCS) of UDP flows
 * h1 10.0.1.2 -> h2 10.0.2.2, established (a reply seen) during setup. One operation = one frame.
 *
 * <p>Run: {@code bundles/flowtable/bench.sh RouterBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xmx6g", "-XX:+UseParallelGC", "-XX:+UseTransparentHugePages" })
public class RouterBench {
    static final int FRAME = 60;
    static final long R0 = 0x02_00_00_00_00_01L, R1 = 0x02_00_00_00_01_01L, H1 = 0x02_00_00_00_00_02L, H2 = 0x02_00_00_00_01_02L;

    @Param({ "classic", "fast" })
    public String path;

    @Param({ "1", "10000", "1000000" })
    public int flows;

    private TestRouter router;
    private Conntrack ct;
    private FlowTableManager flowTables;
    private BenchPort v0, v1;
    private byte[] frames;
    private final Packet packet = new Packet();
    private int next, stride, ringFrames;

    /** A port whose receiver the benchmark calls directly and whose sends are only counted. */
    static final class BenchPort implements Port {
        final String name;
        final long mac;
        PortReceiver receiver;
        long sent;

        BenchPort(String name, long mac) { this.name = name; this.mac = mac; }

        @Override public String name() { return name; }
        @Override public MacAddress mac() { return new MacAddress(mac); }
        @Override public int mtu() { return 1500; }
        @Override public boolean isLinkUp() { return true; }
        @Override public void start(PortReceiver r) { receiver = r; }
        @Override public void stop() { receiver = null; }
        @Override public boolean send(Packet p) { sent++; return true; }
        @Override public void flush() {}
    }

    @Setup(Level.Trial)
    public void setup() throws Exception {
        boolean fast = path.equals("fast");
        int buckets = Integer.highestOneBit(Math.max(1024, flows)) * 2;
        router = TestRouter.builder()
                .conntrack(buckets, flows * 2 + 1024)
                .port(v0 = new BenchPort("v0", R0), v1 = new BenchPort("v1", R1))
                .address("v0", "10.0.1.1/24").address("v1", "10.0.2.1/24")
                .neighbour(IpAddress.parse("10.0.1.2"), "v0", new MacAddress(H1))
                .neighbour(IpAddress.parse("10.0.2.2"), "v1", new MacAddress(H2))
                .flowTables(new TestRouter.FlowTables<>(r -> new FlowTableManager(r.conntrack(), r.router().routes(), r.router().neighbours(),
                        r.router().devices(), new Settings(30, 10, 16384, Math.max(16, flows)), (hook, props) -> r.addHook(hook, props)::run),
                        FlowTableManager::start, FlowTableManager::stop, FlowTableManager::addListener))
                .ruleset("table inet x {\n"
                        + (fast ? " flowtable ft { hook ingress priority 0; devices = { v0, v1 }; counter; }\n" : "")
                        + " chain y { type filter hook forward priority 0; policy accept;\n"
                        + "  meta l4proto udp " + (fast ? "flow add @ft " : "") + "counter\n }\n}\n"
                        + "table ip nat { chain postrouting { type nat hook postrouting priority srcnat; policy accept;\n"
                        + "  oifname \"v1\" masquerade\n } }\n", "bench.nft")
                .build();
        ct = router.conntrack();
        flowTables = router.flowTables(FlowTableManager.class);

        frames = new byte[flows * FRAME];
        Packet p = packet;
        for (int i = 0; i < flows; i++) {
            byte[] out = frame(R0, H1, "10.0.1.2", sport(i), "10.0.2.2", dport(i));
            System.arraycopy(out, 0, frames, i * FRAME, FRAME);
            inject(v0, p, out);
            var e = ct.find(0, FiveTuple.of(IpAddress.parse("10.0.1.2"), sport(i), IpAddress.parse("10.0.2.2"), dport(i), Frames.UDP));
            if (e == null) throw new IllegalStateException("flow " + i + " not tracked");
            inject(v1, p, frame(R1, H2, "10.0.2.2", dport(i), "10.0.2.1", e.reply().dstPort));
            inject(v0, p, out); // established now: the ruleset offers it
        }
        if (fast && flowTables.table("inet", "x", "ft").count() != flows)
            throw new IllegalStateException(flowTables.table("inet", "x", "ft").count() + " flows offloaded, wanted " + flows);
        if (v1.sent != 2L * flows || v0.sent != flows) throw new IllegalStateException("forwarded " + v1.sent + "/" + v0.sent);
        stride = flows == 1 ? 0 : 1_000_003 % flows == 0 ? 1 : 1_000_003;
        frames = FastPathBench.ring(frames, flows, stride);
        ringFrames = frames.length / FRAME;
    }

    private static int sport(int i) { return 1024 + i % 60000; }

    private static int dport(int i) { return 5001 + i / 60000; }

    private static byte[] frame(long dst, long src, String from, int sport, String to, int dport) {
        Frames f = Frames.tcp(dst, src, from, sport, to, dport).udp();
        f.payload = FRAME - 14 - 20 - 8;
        return f.build();
    }

    private static void inject(BenchPort port, Packet p, byte[] frame) {
        p.setFrame(frame, 0, frame.length);
        port.receiver.receive(p);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        long expected = 2L * flows;
        if (v1.sent <= expected) throw new IllegalStateException("nothing forwarded during the run");
        router.close();
    }

    @Benchmark
    public void forward() {
        int i = next;
        next = i + 1 == ringFrames ? 0 : i + 1;
        Packet p = packet;
        p.setFrame(frames, i * FRAME, FRAME);
        v0.receiver.receive(p);
    }

    /** Frames an AF_PACKET port hands over at once (a ring block's, up to its batch). */
    static final int BATCH = 32;
    private final Packet[] batch = Stream.generate(Packet::new).limit(BATCH).toArray(Packet[]::new);

    /**
     * {@link #BATCH} frames handed over together, as the AF_PACKET port does
     * ({@code PortReceiver.receive(Packet[], int)}): one operation = {@link #BATCH} frames.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void forwardBatch() {
        for (int k = 0; k < BATCH; k++) {
            int i = next;
            next = i + 1 == ringFrames ? 0 : i + 1;
            batch[k].setFrame(frames, i * FRAME, FRAME);
        }
        v0.receiver.receive(batch, BATCH);
    }
}
