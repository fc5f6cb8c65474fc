package org.flowgate.flowtable.bench;

import java.util.concurrent.TimeUnit;

import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.flowtable.support.FakeConn;
import org.flowgate.flowtable.support.Frames;
import org.flowgate.flowtable.support.TestWorld;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The software fast path on one core: 64-byte frames (60 bytes without FCS: Ethernet, IPv4, UDP,
 * 18 bytes of payload) of 1, 10k or 1M masqueraded flows, each arriving on lan and forwarded to wan.
 * One operation is what the packet path does for a frame up to and including the ingress hook:
 * copy it into the port's buffer, parse it, run the fast path (lookup, NAT with checksums, TTL,
 * MACs, transmit to a device that only counts). Flows are visited in a scrambled order (frames in
 * ring order, see {@link #ring}) so the 1M
 * case pays its cache misses. {@code parseOnly} is the part of the cost that is not the flow table.
 *
 * <p>Run: {@code bundles/flowtable/bench.sh} (or {@code java -cp <test classpath>
 * org.flowgate.flowtable.bench.FastPathBench [jmh options]}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xmx4g", "-XX:+UseParallelGC", "-XX:+UseTransparentHugePages" })
public class FastPathBench {
    static final int FRAME = 60;

    @Param({ "1", "10000", "1000000" })
    public int flows;

    /** 4, or 6: the same flows over IPv6 (fd00:1::2 -> 2001:db8:9::/112, SNAT to 2001:db8:2::1), 64-byte frames. */
    @Param({ "4" })
    public int family = 4;

    private int frame;

    private TestWorld world;
    private byte[] frames;
    private final Packet packet = new Packet();
    private int next, stride, ringFrames;

    @Setup(Level.Trial)
    public void setup() {
        world = new TestWorld(true);
        world.wan.keepFrames = false;
        world.lan.keepFrames = false;
        frame = family == 6 ? FRAME6 : FRAME;
        frames = new byte[flows * frame];
        for (int i = 0; i < flows; i++) {
            Frames f = flow(i, family);
            FakeConn c = conn(i, family);
            world.table.offer(world.forwarded(f, c, FlowEntry.ORIGINAL, world.lan, world.wan));
            System.arraycopy(f.build(), 0, frames, i * frame, frame);
        }
        if (world.table.count() != flows) throw new IllegalStateException(world.table.count() + " flows, wanted " + flows);
        stride = flows == 1 ? 0 : largePrimeNotDividing(flows);
        frames = ring(frames, flows, stride, frame);
        ringFrames = frames.length / frame;
    }

    static final int FRAME6 = 64;

    /**
     * Flow i of a family: client (10.0.1.2 / fd00:1::2):(1024 + i % 60000) -> server (198.51.(i / 60000).7 /
     * 2001:db8:9::(7 + i / 60000)):80 over UDP, source NATed to 192.0.2.1 / 2001:db8:2::1, in a 60 / 64-byte frame.
     */
    static Frames flow(int i, int family) {
        Frames f = Frames.tcp(TestWorld.LAN_MAC, TestWorld.H1_MAC, client(family), port(i), server(i, family), 80).udp();
        f.payload = (family == 6 ? FRAME6 - 40 : FRAME - 20) - 14 - 8;
        return f;
    }

    static FakeConn conn(int i, int family) {
        String server = server(i, family);
        return FakeConn.of(Frames.UDP, client(family), port(i), server, 80, server, 80, family == 6 ? "2001:db8:2::1" : "192.0.2.1", port(i))
                .established();
    }

    private static String client(int family) { return family == 6 ? "fd00:1::2" : "10.0.1.2"; }

    private static String server(int i, int family) {
        return family == 6 ? "2001:db8:9::" + Integer.toHexString(7 + i / 60000) : IpAddress.v4(0xC633_0007 | ((i / 60000) << 8)).toString();
    }

    private static int port(int i) { return 1024 + i % 60000; }


    private static int largePrimeNotDividing(int n) {
        for (int p = 1_000_003; ; p += 2) if (n % p != 0 && java.math.BigInteger.valueOf(p).isProbablePrime(20)) return p % n == 0 ? 1 : p;
    }

    private int nextFrame() {
        int i = next;
        next = i + 1 == ringFrames ? 0 : i + 1;
        return i * frame;
    }

    /**
     * The frames in the order they are visited, as a port's receive ring holds them: memory is read
     * sequentially (a received frame is fresh in cache on a real port) while the flows follow each
     * other in a scrambled order (flow k*stride mod n), so the flow table, not the test harness,
     * pays the cache misses. At least {@link #MIN_RING} frames, as a real ring: with fewer flows
     * they repeat, so that one flow is not read from one fixed address, whose distance to the
     * packet buffer (4 KiB aliasing of loads with earlier stores) would decide a run's speed.
     */
    static byte[] ring(byte[] byFlow, int flows, int stride) { return ring(byFlow, flows, stride, FRAME); }

    static byte[] ring(byte[] byFlow, int flows, int stride, int frame) {
        int n = Math.max(flows, MIN_RING);
        byte[] r = new byte[n * frame];
        long f = 0;
        for (int k = 0; k < n; k++, f = (f + stride) % flows) System.arraycopy(byFlow, (int) f * frame, r, k * frame, frame);
        return r;
    }

    /** Frames of a ring at least. */
    static final int MIN_RING = 1024;

    @Benchmark
    public Verdict fastPath() {
        Packet p = packet;
        p.setFrame(frames, nextFrame(), frame);
        p.parse();
        p.setInDevice(world.lan);
        return world.fastPath.process(Hook.INGRESS, p);
    }

    @Benchmark
    public Object parseOnly() {
        Packet p = packet;
        p.setFrame(frames, nextFrame(), frame);
        return p.parse();
    }

    public static void main(String[] args) throws RunnerException, java.io.IOException {
        if (args.length > 0) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        new Runner(new OptionsBuilder().include(FastPathBench.class.getName()).build()).run();
    }
}
