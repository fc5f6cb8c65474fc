package org.flowgate.packet;

import static org.flowgate.packet.TestFrames.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.packet.DropReason;
import org.flowgate.api.packet.Packet;
import org.flowgate.packet.device.Device;
import org.flowgate.packet.neigh.NeighbourSettings;
import org.flowgate.packet.path.PathSettings;
import org.flowgate.packet.router.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A router with two fake ports: h1 (10.0.1.10, fd00:1::10) on eth0 and h2 (10.0.2.20,
 * fd00:2::20) on eth1, a manual clock, timers run by {@link #advance}.
 */
abstract class RouterFixture {
    static final long R0 = 0x0200_0000_0001L, R1 = 0x0200_0000_0002L;
    static final long H1 = 0x0200_0000_0101L, H2 = 0x0200_0000_0202L;
    static final int R0_IP = ip4("10.0.1.1"), R1_IP = ip4("10.0.2.1"), H1_IP = ip4("10.0.1.10"), H2_IP = ip4("10.0.2.20");
    static final byte[] R0_6 = ip6("fd00:1::1"), R1_6 = ip6("fd00:2::1"), H1_6 = ip6("fd00:1::10"), H2_6 = ip6("fd00:2::20");

    final AtomicLong now = new AtomicLong(1_000_000_000L);
    Router router;
    FakePort p0, p1;
    Device eth0, eth1;

    PathSettings pathSettings() { return new PathSettings(true, 1000, 50); }

    @BeforeEach
    void buildRouter() {
        router = new Router(pathSettings(), NeighbourSettings.defaults(), now::get);
        // configuration before the ports exist, as ConfigAdmin may deliver it
        router.devices().addAddress("eth0", IpPrefix.parse("10.0.1.1/24"));
        router.devices().addAddress("eth0", IpPrefix.parse("fd00:1::1/64"));
        router.devices().addAddress("eth1", IpPrefix.parse("10.0.2.1/24"));
        router.devices().addAddress("eth1", IpPrefix.parse("fd00:2::1/64"));
        p0 = new FakePort("eth0", R0, 1500);
        p1 = new FakePort("eth1", R1, 1500);
        eth0 = router.attach(p0);
        eth1 = router.attach(p1);
    }

    @AfterEach
    void closeRouter() { router.close(); }

    /** Moves the clock and runs the timers. */
    void advance(long millis) {
        now.addAndGet(millis * 1_000_000L);
        router.tick();
    }

    /** Makes both hosts known neighbours (as if ARP/NDP had run). */
    void learnHosts() {
        p0.inject(pad(eth(BCAST, H1, 0x0806, arp(1, H1, H1_IP, 0, R0_IP))));
        p1.inject(pad(eth(BCAST, H2, 0x0806, arp(1, H2, H2_IP, 0, R1_IP))));
        router.neighbours().addStatic(org.flowgate.api.net.IpAddress.of(H1_6), "eth0", new org.flowgate.api.net.MacAddress(H1));
        router.neighbours().addStatic(org.flowgate.api.net.IpAddress.of(H2_6), "eth1", new org.flowgate.api.net.MacAddress(H2));
        p0.take();
        p1.take();
    }

    static Packet parsed(byte[] frame) {
        Packet p = new Packet();
        p.setFrame(frame, 0, frame.length);
        assertNull(p.parse(), "frame sent by the router parses");
        return p;
    }

    static byte[] only(List<byte[]> frames) {
        assertEquals(1, frames.size(), "exactly one frame sent");
        return frames.get(0);
    }

    long drops(Device d, DropReason r) { return d.counterSet().drops(r); }

    /** Asserts the frame carries a valid IPv4 header and ICMP checksum; returns the parsed packet. */
    static Packet assertIcmp4(byte[] frame, int type, int code) {
        Packet p = parsed(frame);
        assertEquals(4, p.ipVersion());
        assertEquals(1, p.l4Proto());
        assertEquals(0, csum(frame, 14 + p.ipv4HeaderLength(), p.ipLength() - p.ipv4HeaderLength(), 0), "ICMP checksum");
        assertEquals(type, p.icmpType());
        assertEquals(code, p.icmpCode());
        return p;
    }

    static Packet assertIcmp6(byte[] frame, int type, int code) {
        Packet p = parsed(frame);
        assertEquals(6, p.ipVersion());
        assertEquals(58, p.l4Proto());
        int len = p.l3End() - p.l4();
        byte[] src = slice(frame, 14 + 8, 16), dst = slice(frame, 14 + 24, 16);
        assertEquals(0, csum(frame, p.l4() - p.start(), len, pseudo6(src, dst, 58, len)), "ICMPv6 checksum");
        assertEquals(type, p.icmpType());
        assertEquals(code, p.icmpCode());
        return p;
    }
}
