package org.flowgate.flowtable.bench;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.flowgate.flowtable.support.FakeConn;
import org.flowgate.flowtable.support.FakeDevice;
import org.flowgate.flowtable.table.Flow;
import org.flowgate.flowtable.table.FlowHashTable;
import org.flowgate.flowtable.table.FlowTuple;
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
 * The design choice measured: the flow table's open-addressing array of immutable tuples against a
 * {@link ConcurrentHashMap} looked up with a reusable (per-thread) probe key, both lock-free and
 * allocation-free, over N flows (2N keys) visited in a scrambled order.
 * Run: {@code bundles/flowtable/bench.sh LookupBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xmx4g", "-XX:+UseParallelGC", "-XX:+UseTransparentHugePages" })
public class LookupBench {
    @Param({ "10000", "1000000" })
    public int flows;

    private FlowHashTable table;
    private ConcurrentHashMap<Key, FlowTuple> map;
    private FlowTuple[] keys;
    private final Key probe = new Key();
    private int next, stride;

    /** A CHM key: the same fields as a flow tuple's key. */
    static final class Key {
        int family, proto, srcPort, dstPort, inIfIndex, inVlan;
        long srcHi, srcLo, dstHi, dstLo;

        Key set(FlowTuple t) {
            family = t.family; proto = t.proto; srcPort = t.srcPort; dstPort = t.dstPort; inIfIndex = t.inIfIndex; inVlan = t.inVlan;
            srcHi = t.srcHi; srcLo = t.srcLo; dstHi = t.dstHi; dstLo = t.dstLo;
            return this;
        }

        @Override
        public int hashCode() { return FlowTuple.hash(family, srcHi, srcLo, dstHi, dstLo, proto, srcPort, dstPort, inIfIndex, inVlan); }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.srcLo == srcLo && k.dstLo == dstLo && k.srcPort == srcPort && k.dstPort == dstPort
                    && k.inIfIndex == inIfIndex && k.srcHi == srcHi && k.dstHi == dstHi && k.proto == proto && k.family == family && k.inVlan == inVlan;
        }
    }

    @Setup(Level.Trial)
    public void setup() {
        FakeDevice a = new FakeDevice("a", 1, 1), b = new FakeDevice("b", 2, 2);
        FakeConn c = FakeConn.of(17, "10.0.0.1", 1, "10.0.0.2", 2, "10.0.0.2", 2, "10.0.0.1", 1);
        table = new FlowHashTable(flows);
        map = new ConcurrentHashMap<>(flows * 4);
        keys = new FlowTuple[flows * 2];
        for (int i = 0; i < flows; i++) {
            FlowTuple.Spec o = new FlowTuple.Spec(), r = new FlowTuple.Spec();
            o.family = r.family = 4;
            o.proto = r.proto = 17;
            o.srcLo = 0x0A00_0000L + i / 60000; o.srcPort = 1024 + i % 60000; o.dstLo = 0xC633_6407L; o.dstPort = 80;
            r.srcLo = o.dstLo; r.srcPort = 80; r.dstPort = 1024 + i % 60000; r.dstLo = 0xC000_0201L + i / 60000;
            o.inDevice = a; o.outDevice = b; r.inDevice = b; r.outDevice = a;
            Flow f = new Flow(i, c, o, r, 0);
            if (!table.insert(f, true)) throw new IllegalStateException("duplicate " + i);
            keys[2 * i] = f.tuple(0);
            keys[2 * i + 1] = f.tuple(1);
            map.put(new Key().set(f.tuple(0)), f.tuple(0));
            map.put(new Key().set(f.tuple(1)), f.tuple(1));
        }
        stride = 1_000_003;
    }

    private FlowTuple nextKey() {
        int i = next;
        next = (int) ((i + (long) stride) % keys.length);
        return keys[i];
    }

    @Benchmark
    public FlowTuple openAddressing() {
        FlowTuple k = nextKey();
        return table.lookup(k.family, k.srcHi, k.srcLo, k.dstHi, k.dstLo, k.proto, k.srcPort, k.dstPort, k.inIfIndex, k.inVlan);
    }

    @Benchmark
    public FlowTuple concurrentHashMap() {
        return map.get(probe.set(nextKey()));
    }
}
