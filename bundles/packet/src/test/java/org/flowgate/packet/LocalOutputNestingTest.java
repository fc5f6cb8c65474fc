package org.flowgate.packet;

import static org.flowgate.packet.TestFrames.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.Port;
import org.flowgate.api.netdev.PortReceiver;
import org.flowgate.api.packet.Packet;
import org.flowgate.packet.path.PacketPath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A {@code LocalOutput} send made from inside another (a tunnel device that encapsulates a
 * router-originated packet routed into it and sends the outer packet through the router again):
 * queued and sent on the same thread once the first send returned, bounded as Linux's
 * {@code XMIT_RECURSION_LIMIT}.
 */
class LocalOutputNestingTest extends RouterFixture {
    static final int TUN_PEER = ip4("10.9.0.2");

    /** Wraps every frame it is given in IPv4/UDP to {@code outerDst} and sends that through the router. */
    final class TunnelPort implements Port {
        final List<byte[]> given = new ArrayList<>();
        final List<Boolean> results = new ArrayList<>();
        int outerDst = H2_IP;

        @Override public String name() { return "tun0"; }
        @Override public MacAddress mac() { return new MacAddress(0x0200_0000_0909L); }
        @Override public int mtu() { return 1400; }
        @Override public boolean isLinkUp() { return true; }
        @Override public void start(PortReceiver r) { }
        @Override public void stop() { }
        @Override public void flush() { }

        @Override
        public boolean send(Packet p) {
            byte[] inner = p.toByteArray();
            given.add(inner);
            Packet outer = new Packet(); // a test port: allocation is fine here
            byte[] f = eth(0, 0, 0x0800, ipv4(R1_IP, outerDst, 17, 64, udp4(R1_IP, outerDst, 40000, 4789, inner)));
            outer.setFrame(f, 0, f.length);
            boolean ok = router.path().sendLocal(outer);
            results.add(ok);
            return ok;
        }
    }

    TunnelPort tun;

    @BeforeEach
    void tunnel() {
        learnHosts();
        tun = new TunnelPort();
        router.devices().addAddress("tun0", IpPrefix.parse("10.9.0.1/24"));
        router.attach(tun);
        router.neighbours().addStatic(IpAddress.parse("10.9.0.2"), "tun0", new MacAddress(0x0200_0000_0902L));
    }

    static Packet reply() { // what an nft reject would send: the router to the tunnel's far side
        byte[] f = eth(0, 0, 0x0800, ipv4(ip4("10.9.0.1"), TUN_PEER, 17, 64, udp4(ip4("10.9.0.1"), TUN_PEER, 7, 9, new byte[] {1, 2, 3})));
        Packet p = new Packet();
        p.setFrame(f, 0, f.length);
        assertNull(p.parse());
        return p;
    }

    @Test
    void theTunnelsOuterPacketLeavesAfterTheSendThatRoutedIntoIt() {
        List<String> output = new ArrayList<>();
        router.hooks().add((h, p) -> { output.add(p.outDevice().name()); return Verdict.ACCEPT; }, 0, Hook.OUTPUT);
        assertTrue(router.path().sendLocal(reply()));
        assertEquals(List.of(true), tun.results, "the nested send was taken (queued), not refused");
        byte[] outer = only(p1.take());
        assertEquals(H2, mac(outer, 0), "the outer packet went to h2 through eth1, its MAC resolved");
        assertEquals(R1, mac(outer, 6));
        byte[] inner = only(tun.given);
        assertArrayEquals(inner, slice(outer, 14 + 20 + 8, inner.length), "the inner frame inside");
        assertEquals(List.of("tun0", "eth1"), output, "both went through OUTPUT, the outer after the inner");
        assertTrue(router.path().sendLocal(reply()), "and the next send works the same");
        assertEquals(1, p1.take().size());
    }

    @Test
    void aTunnelRoutedIntoItselfStopsAtTheNestLimit() {
        tun.outerDst = TUN_PEER; // the outer packet is routed into the tunnel again, and so on
        assertTrue(router.path().sendLocal(reply()));
        assertEquals(1 + PacketPath.LOCAL_NEST_LIMIT, tun.given.size(), "the first send and the queued ones, then no more");
        assertEquals(PacketPath.LOCAL_NEST_LIMIT, tun.results.stream().filter(b -> b).count());
        assertFalse(tun.results.get(tun.results.size() - 1), "the one over the limit was refused");
        assertTrue(p1.take().isEmpty());
        tun.given.clear();
        tun.results.clear();
        tun.outerDst = H2_IP;
        assertTrue(router.path().sendLocal(reply()), "the limit is per outermost send");
        assertEquals(List.of(true), tun.results);
        assertEquals(1, p1.take().size());
    }

    static long mac(byte[] f, int off) {
        long m = 0;
        for (int i = 0; i < 6; i++) m = (m << 8) | (f[off + i] & 0xFF);
        return m;
    }
}
