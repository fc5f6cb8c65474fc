package org.flowgate.conntrack.bench;

import java.util.concurrent.TimeUnit;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.NatRange;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.conntrack.core.Conntrack;
import org.flowgate.conntrack.proto.Timeouts;
import org.flowgate.conntrack.table.CtClock;
import org.flowgate.conntrack.testing.Frames;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Conntrack cost per packet: lookup + update of established UDP flows in tables of 1k / 100k / 1M
 * entries (packets spread over all flows), and new-connection setup (track, optional SNAT
 * binding, confirm, then delete so the table stays the same size).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx6g"})
public class ConntrackBench {
    static final IpAddress SERVER = IpAddress.parse("198.51.100.7");
    static final int RING = 1 << 14;

    @State(Scope.Thread)
    public static class Established {
        @Param({"1000", "100000", "1000000"})
        public int entries;
        Conntrack ct;
        final Packet[] ring = new Packet[RING];
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            ct = new Conntrack(entries, entries * 2, Timeouts.linuxDefaults(), 1024, CtClock.SYSTEM).start();
            Packet p = new Packet();
            for (int i = 0; i < entries; i++) {
                IpAddress client = IpAddress.v4(0x0A000000 | i);
                load(p, Frames.ip(client, SERVER, Packet.PROTO_UDP, Frames.udp(1000, 53, new byte[18])));
                ct.track(p);
                ct.confirm(p);
                load(p, Frames.ip(SERVER, client, Packet.PROTO_UDP, Frames.udp(53, 1000, new byte[18])));
                ct.track(p);
            }
            java.util.Random rnd = new java.util.Random(1);
            for (int i = 0; i < RING; i++) {
                int flow = rnd.nextInt(entries);
                ring[i] = new Packet(256);
                load(ring[i], Frames.ip(IpAddress.v4(0x0A000000 | flow), SERVER, Packet.PROTO_UDP, Frames.udp(1000, 53, new byte[18])));
            }
            if (ct.count() != entries) throw new IllegalStateException("table has " + ct.count());
        }

        @TearDown
        public void tearDown() { ct.close(); }
    }

    @State(Scope.Thread)
    public static class NewConn {
        @Param({"false", "true"})
        public boolean nat;
        Conntrack ct;
        final Packet p = new Packet(256);
        byte[] frame;
        int key;
        final NatRange range = new NatRange(NatRange.Kind.SNAT, IpAddress.parse("203.0.113.1"), IpAddress.parse("203.0.113.1"), 0, 0, false);

        @Setup(Level.Trial)
        public void setUp() {
            ct = new Conntrack(65536, 1 << 20, Timeouts.linuxDefaults(), 1024, CtClock.SYSTEM).start();
            frame = Frames.eth(Frames.ip(IpAddress.parse("10.0.1.2"), SERVER, Packet.PROTO_UDP, Frames.udp(1, 1, new byte[18]), true));
        }

        @TearDown
        public void tearDown() { ct.close(); }
    }

    static void load(Packet p, byte[] ip) {
        byte[] f = Frames.eth(ip);
        p.setFrame(f, 0, f.length);
        p.parse();
    }

    @Benchmark
    public boolean establishedLookupUpdate(Established s) {
        Packet p = s.ring[s.next++ & (RING - 1)];
        p.setConn(null);
        p.setCtState(0);
        s.ct.track(p);
        s.ct.nat(p, false);
        s.ct.nat(p, true);
        return s.ct.confirm(p);
    }

    @Benchmark
    public boolean newConnection(NewConn s) {
        Packet p = s.p;
        p.setFrame(s.frame, 0, s.frame.length);
        int k = s.key++;
        // distinct flows: source and destination ports (UDP checksum 0, IPv4 header unchanged)
        p.setU16(Packet.HEADROOM + 34, 1024 + (k & 0x7FFF));
        p.setU16(Packet.HEADROOM + 36, 1 + ((k >>> 15) & 0x7FFF));
        p.parse();
        s.ct.track(p);
        if (s.nat) s.ct.bindNat(p, s.range);
        boolean ok = s.ct.confirm(p);
        s.ct.delete((ConnEntry) p.conn());
        return ok;
    }
}
