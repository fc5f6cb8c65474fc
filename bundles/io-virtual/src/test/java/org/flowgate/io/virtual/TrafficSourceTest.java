package org.flowgate.io.virtual;

import static org.flowgate.io.virtual.Rfc.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.PortReceiver;
import org.flowgate.api.packet.Packet;
import org.flowgate.io.virtual.host.EmulatedHost;
import org.flowgate.io.virtual.port.VirtualPort;
import org.flowgate.io.virtual.traffic.TrafficSource;
import org.flowgate.io.virtual.traffic.TrafficSpec;
import org.flowgate.io.virtual.traffic.TrafficSpec.Protocol;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Two hosts on one subnet joined by a test bridge between two ports, which records every frame h1 sends. */
class TrafficSourceTest {
    VirtualPort p1, p2;
    EmulatedHost h1, h2;
    final List<byte[]> fromH1 = new ArrayList<>();
    final List<byte[]> fromH2 = new ArrayList<>();

    @BeforeEach
    void setUp() {
        p1 = new VirtualPort("p1", new MacAddress(0x02_00_00_00_00_01L), 1500);
        p2 = new VirtualPort("p2", new MacAddress(0x02_00_00_00_00_02L), 1500);
        h1 = new EmulatedHost("h1", new MacAddress(0x02_00_00_00_01_01L), IpPrefix.parse("10.0.0.1/24"), null, IpPrefix.parse("fd00::1/64"), null);
        h2 = new EmulatedHost("h2", new MacAddress(0x02_00_00_00_01_02L), IpPrefix.parse("10.0.0.2/24"), null, IpPrefix.parse("fd00::2/64"), null);
        h1.attach(p1);
        h2.attach(p2);
        p1.start(bridge(p2, fromH1));
        p2.start(bridge(p1, fromH2));
    }

    static PortReceiver bridge(VirtualPort out, List<byte[]> log) {
        return new PortReceiver() {
            @Override public void receive(Packet p) {
                synchronized (log) { log.add(p.toByteArray()); }
                out.send(p);
            }
            @Override public void endOfBatch() { }
        };
    }

    static TrafficSource.Status run(TrafficSource s) throws InterruptedException {
        s.start();
        assertTrue(s.awaitDone(30_000), "finishes");
        return s.status();
    }

    static int l4(byte[] f) { return u16(f, 12) == 0x0800 ? 14 + (f[14] & 0xF) * 4 : 54; }

    static int proto(byte[] f) { return u16(f, 12) == 0x0800 ? f[23] & 0xFF : f[20] & 0xFF; }

    @ParameterizedTest
    @CsvSource({"4, 128", "6, 128", "4, 60", "6, 1514"})
    void udpFlowsHaveDistinctSourcePortsTheSizeAndValidChecksums(int family, int size) throws Exception {
        TrafficSpec spec = TrafficSpec.of(Protocol.UDP, family, 8, size, 0, 400);
        TrafficSource s = new TrafficSource(h1, h2, spec);
        TrafficSource.Status st = run(s);
        assertEquals(TrafficSource.State.DONE, st.state());
        assertEquals(400, st.sent());
        assertEquals(400, st.received());

        Map<Integer, Integer> perPort = new HashMap<>();
        int expectedLength = Math.max(60, Math.max(size, spec.headerLength()));
        for (byte[] f : fromH1) {
            if (u16(f, 12) == 0x0806 || proto(f) == 58) continue; // resolution
            assertEquals(17, proto(f));
            assertEquals(expectedLength, f.length);
            if (family == 4) assertTrue(ipv4HeaderOk(f, 14));
            assertTrue(l4ChecksumOk(f), "UDP checksum");
            int l4 = l4(f);
            assertEquals(TrafficSpec.DEFAULT_DST_PORT, u16(f, l4 + 2));
            perPort.merge(u16(f, l4), 1, Integer::sum);
        }
        assertEquals(new TreeSet<>(List.of(10000, 10001, 10002, 10003, 10004, 10005, 10006, 10007)), new TreeSet<>(perPort.keySet()));
        perPort.values().forEach(n -> assertEquals(50, n, "round robin over the flows"));
        assertEquals(8, h2.flows().size());
        for (int i = 0; i < 8; i++) assertEquals(50, h2.flowPackets(s.flow(i)));
    }

    @ParameterizedTest
    @CsvSource({"4", "6"})
    void tcpFlowsShakeHandsSendDataAndClose(int family) throws Exception {
        TrafficSource s = new TrafficSource(h1, h2, TrafficSpec.of(Protocol.TCP, family, 4, 200, 0, 100));
        TrafficSource.Status st = run(s);
        assertEquals(TrafficSource.State.DONE, st.state(), st.toString());
        assertEquals(100, st.sent());
        assertEquals(100, st.received());
        assertEquals(0, st.retransmits());
        assertNull(st.message());

        List<byte[]> tcp1 = new ArrayList<>(), tcp2 = new ArrayList<>();
        for (byte[] f : fromH1) if (u16(f, 12) != 0x0806 && proto(f) == 6) tcp1.add(f);
        for (byte[] f : fromH2) if (u16(f, 12) != 0x0806 && proto(f) == 6) tcp2.add(f);
        for (byte[] f : tcp1) assertTrue(l4ChecksumOk(f));
        for (byte[] f : tcp2) assertTrue(l4ChecksumOk(f));

        // one SYN per flow, each answered by a SYN-ACK acknowledging it, then h1's ACK, before any data
        Map<Integer, Long> synSeq = new HashMap<>();
        for (int i = 0; i < 8; i++) {
            byte[] f = tcp1.get(i);
            int flags = f[l4(f) + 13];
            assertEquals(i % 2 == 0 ? 0x02 : 0x10, flags, "SYN, ACK, SYN, ACK, ...");
            if (flags == 0x02) synSeq.put(u16(f, l4(f)), u32(f, l4(f) + 4));
            else assertEquals(synSeq.get(u16(f, l4(f))) + 1, u32(f, l4(f) + 4));
        }
        assertEquals(4, synSeq.size(), "four distinct source ports");
        int synAcks = 0;
        for (byte[] f : tcp2) {
            int l4 = l4(f);
            if (f[l4 + 13] == 0x12) {
                synAcks++;
                assertEquals(synSeq.get(u16(f, l4 + 2)) + 1, u32(f, l4 + 8));
            }
        }
        assertEquals(4, synAcks);
        long data = tcp1.stream().filter(f -> f.length == 200).count();
        assertEquals(100, data, "data segments of the configured size");
        long fins = tcp1.stream().filter(f -> (f[l4(f) + 13] & 1) != 0).count();
        assertEquals(4, fins);
        assertTrue(h1.tcpConnections().isEmpty(), "h1 closed all: " + h1.tcpConnections());
        assertTrue(h2.tcpConnections().isEmpty(), "h2 closed all: " + h2.tcpConnections());
        assertEquals(100, h2.counters().tcpDataPackets());
    }

    @Test
    void stopEndsAnUnlimitedRun() throws Exception {
        TrafficSource s = new TrafficSource(h1, h2, TrafficSpec.of(Protocol.UDP, 4, 2, 100, 1000, 0));
        s.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (s.status().sent() < 5 && System.nanoTime() < deadline) Thread.sleep(1);
        s.stop();
        TrafficSource.Status st = s.status();
        assertEquals(TrafficSource.State.STOPPED, st.state());
        assertFalse(s.isRunning());
        assertTrue(st.sent() >= 5);
        assertEquals(st.sent(), st.received(), "synchronous ports: every datagram sent has arrived");
    }

    @Test
    void specRejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> TrafficSpec.of(Protocol.UDP, 5, 1, 100, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> TrafficSpec.of(Protocol.UDP, 4, 0, 100, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> TrafficSpec.of(Protocol.UDP, 4, 60000, 100, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Protocol.parse("sctp"));
        assertEquals(Protocol.TCP, Protocol.parse(" TCP "));
        assertThrows(IllegalArgumentException.class, () -> new TrafficSource(h1,
                new EmulatedHost("v4only", new MacAddress(2), IpPrefix.parse("10.0.0.9/24"), null, null, null),
                TrafficSpec.of(Protocol.UDP, 6, 1, 100, 0, 0)));
        assertEquals(IpAddress.parse("10.0.0.2"), h2.address(4));
    }
}
