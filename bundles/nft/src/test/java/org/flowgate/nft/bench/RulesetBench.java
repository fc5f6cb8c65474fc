package org.flowgate.nft.bench;

import java.util.concurrent.TimeUnit;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.packet.Packet;
import org.flowgate.nft.Frames;
import org.flowgate.nft.engine.NftEngine;
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

/**
 * Per-packet cost of the compiled ruleset at one hook: a TCP packet that walks every rule of a
 * forward chain ({@code rules} of the form {@code ip saddr A tcp dport P accept}, none matching,
 * the last one counts) and falls to the policy, or one rule looking the source up in a set of
 * {@code set} elements (the packet hits the last one).
 *
 * <p>Run: {@code bundles/nft/bench.sh} (any JMH options, e.g. {@code -prof gc}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RulesetBench {
    @Param({"10", "100", "1000"})
    public int rules;

    private NftEngine chain;
    private NftEngine set;
    private Packet packet;
    private Packet setPacket;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        StringBuilder sb = new StringBuilder("table ip t {\n chain f {\n  type filter hook forward priority 0; policy accept;\n");
        for (int i = 0; i < rules - 1; i++) sb.append("  ip saddr 10.").append(i >> 8).append('.').append(i & 255).append(".1 tcp dport ").append(1 + i).append(" accept\n");
        sb.append("  iifname \"lan0\" tcp flags & (syn | ack) == ack ct state established,related,new,invalid counter\n }\n}\n");
        chain = new NftEngine();
        chain.load(sb.toString(), "bench");
        packet = Frames.tcp4("192.0.2.1", "198.51.100.1", 40000, 443, 0x10);
        packet.setInDevice(org.flowgate.nft.BenchDevices.device("lan0", 2));

        StringBuilder s = new StringBuilder("table ip t {\n set big { type ipv4_addr; elements = { ");
        for (int i = 0; i < 10_000; i++) s.append(i == 0 ? "" : ", ").append("10.").append(i >> 8).append('.').append(i & 255).append(".1");
        s.append(" } }\n chain f {\n  type filter hook forward priority 0; policy accept;\n  ip saddr @big counter\n }\n}\n");
        set = new NftEngine();
        set.load(s.toString(), "bench-set");
        setPacket = Frames.tcp4("10.39.15.1", "198.51.100.1", 40000, 443, 0x10);
    }

    @Benchmark
    public Verdict chainOfRules() { return chain.process(Hook.FORWARD, 0, packet); }

    @Benchmark
    public Verdict set10kLookup() { return set.process(Hook.FORWARD, 0, setPacket); }
}
