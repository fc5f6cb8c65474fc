package org.flowgate.tc.action;

import static org.flowgate.tc.support.Frames.*;
import static org.flowgate.tc.support.TcWorld.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.List;

import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.DropReason;
import org.flowgate.api.packet.Packet;
import org.flowgate.tc.support.TcWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code mirred ingress redirect|mirror dev X}: X receives the frame (or a copy) as from its wire, nesting bounded as Linux's. */
class MirredIngressTest {
    final TcWorld w = TcWorld.routed();

    @AfterEach
    void tearDown() { w.close(); }

    static byte[] toP0() { return eth(P0_MAC, HOST_A, 0x0800, ipv4(A_IP, DST, Packet.PROTO_UDP, udp(1000, 2000, "payload!".getBytes()))); }

    long rx(String dev) {
        NetDevice d = w.router.devices().byName(dev).orElseThrow();
        return d.counters().rxPackets();
    }

    static byte[] toP1() { return eth(P1_MAC, HOST_A, 0x0800, ipv4(A_IP, DST, Packet.PROTO_UDP, udp(1000, 2000, "payload!".getBytes()))); }

    @Test
    void redirectIsReceivedOnTheOtherDeviceIncludingItsTcIngress() {
        w.add("tc filter add dev p1 ingress proto ip flower action mirred ingress redirect dev p0");
        w.add("tc filter add dev p0 ingress proto ip flower ip_proto udp action pass");
        long p0Rx = rx("p0");
        // arrives on p1 addressed to p1's MAC (PACKET_HOST there): p0 keeps that decision, as
        // Linux keeps skb->pkt_type, and routes it although p0's MAC is another
        inject(w.p1, toP1());
        byte[] out = only(take(w.p1Out));
        assertEquals(DST_MAC, macAt(out, 0), "routed as received on p0: out of p1 to 10.0.1.2");
        assertEquals(P1_MAC, macAt(out, 6));
        assertEquals(63, out[22] & 0xFF, "forwarded: TTL decremented once");
        assertTrue(checksumsOk(out, 14));
        assertEquals(1, w.filter("p1", 0, 0xC000, 1).packets());
        assertEquals(1, w.filter("p0", 0, 0xC000, 1).packets(), "p0's tc ingress saw it");
        assertEquals(p0Rx + 1, rx("p0"), "counted as received on p0");
        assertTrue(take(w.p0Out).isEmpty());
        assertEquals(0, ExecContext.current().mirredNest());
    }

    @Test
    void aFrameForAnotherHostStaysForAnotherHostAfterARedirect() {
        w.add("tc filter add dev p1 ingress proto ip flower action mirred ingress redirect dev p0");
        w.add("tc filter add dev p0 ingress proto ip flower ip_proto udp action pass");
        NetDevice p0 = w.router.devices().byName("p0").orElseThrow();
        long notForUs = p0.counters().drops().getOrDefault(DropReason.NOT_FOR_US, 0L);
        inject(w.p1, toP0()); // addressed to p0's MAC but arriving on p1: PACKET_OTHERHOST on p1
        assertEquals(1, w.filter("p0", 0, 0xC000, 1).packets(), "p0's tc ingress still saw it");
        assertTrue(take(w.p0Out).isEmpty() && take(w.p1Out).isEmpty(), "not routed");
        assertEquals(notForUs + 1, p0.counters().drops().getOrDefault(DropReason.NOT_FOR_US, 0L),
                "dropped on p0 as not for us, as Linux's ip_rcv drops PACKET_OTHERHOST");
    }

    @Test
    void mirrorHandsACopyToTheDeviceAndTheOriginalGoesOn() {
        w.add("tc filter add dev p0 ingress proto ip flower action mirred ingress mirror dev p1");
        w.add("tc filter add dev p1 ingress proto ip flower action drop");
        byte[] in = toP0();
        inject(w.p0, in);
        byte[] out = only(take(w.p1Out));
        assertEquals(63, out[22] & 0xFF, "the original was routed from p0");
        assertArrayEquals(Arrays.copyOfRange(in, 34, in.length), Arrays.copyOfRange(out, 34, out.length));
        assertEquals(1, w.filter("p1", 0, 0xC000, 1).packets(), "the copy met p1's filters (and was dropped there)");
        assertEquals(1, w.tc.stats().get("drop_action_drop"));
    }

    @Test
    void redirectLoopsStopAtTheNestLimit() {
        w.add("tc filter add dev p0 ingress proto ip flower action mirred ingress redirect dev p0");
        long p0Rx = rx("p0");
        inject(w.p0, toP0());
        assertEquals(ExecContext.MIRRED_NEST_LIMIT + 1, w.filter("p0", 0, 0xC000, 1).packets(),
                "the first packet and four nested receives; the fifth mirred drops");
        assertEquals(1, w.tc.stats().get("drop_mirred_nest_limit"));
        assertEquals(p0Rx + 1 + ExecContext.MIRRED_NEST_LIMIT, rx("p0"));
        assertTrue(take(w.p0Out).isEmpty() && take(w.p1Out).isEmpty());
        assertEquals(0, ExecContext.current().mirredNest(), "the nesting count is back to zero");
        inject(w.p0, toP0());
        assertEquals(2, w.tc.stats().get("drop_mirred_nest_limit"), "and the next packet meets the same limit");
    }

    @Test
    void theTunnelKeySurvivesANestedClassification() {
        w.add("tc filter add dev p0 ingress proto ip flower action tunnel_key set dst_ip 7.7.7.8 id 98 pipe "
                + "action mirred ingress mirror dev p1 pipe action mirred egress redirect dev vxlan0");
        w.add("tc filter add dev p1 ingress proto all flower action drop");
        byte[] in = toP0();
        inject(w.p0, in);
        byte[] f = only(take(w.up0Out));
        assertEquals(98, get32(f, 34 + 12) >>> 8, "encapsulated with the key set before the mirror");
        assertArrayEquals(in, Arrays.copyOfRange(f, 50, f.length));
        assertEquals(1, w.filter("p1", 0, 0xC000, 1).packets());
        assertTrue(take(w.p1Out).isEmpty());
    }

    @Test
    void parsedAndShownAsTcShowsIt() {
        w.add("tc filter add dev p0 ingress proto ip flower action mirred ingress mirror dev p1 action mirred ingress redirect dev p1");
        String shown = w.tc.filters("p0").get(0).toString();
        assertTrue(shown.contains("mirred (Ingress Mirror to device p1) pipe"), shown);
        assertTrue(shown.contains("mirred (Ingress Redirect to device p1) stolen"), shown);
    }

    static byte[] only(List<byte[]> l) {
        assertEquals(1, l.size());
        return l.get(0);
    }
}
