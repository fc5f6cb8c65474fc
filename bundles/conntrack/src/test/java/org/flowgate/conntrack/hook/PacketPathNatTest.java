package org.flowgate.conntrack.hook;

import static org.flowgate.conntrack.testing.Frames.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.CtState;
import org.flowgate.api.conntrack.NatRange;
import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.conntrack.command.CtCommands;
import org.flowgate.conntrack.core.Conntrack;
import org.flowgate.conntrack.proto.Timeouts;
import org.flowgate.conntrack.testing.CapturePort;
import org.flowgate.conntrack.testing.ManualClock;
import org.flowgate.packet.router.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * h1 -- v0 [bundles/packet's path + conntrack hooks + a masquerade rule] v1 -- h2: a UDP
 * exchange is masqueraded on the way out and de-NATed on the way back.
 */
class PacketPathNatTest {
    static final MacAddress R0 = MacAddress.parse("02:00:00:00:00:01"), R1 = MacAddress.parse("02:00:00:00:01:01");
    static final MacAddress H1 = MacAddress.parse("02:00:00:00:00:02"), H2 = MacAddress.parse("02:00:00:00:01:02");
    static final IpAddress H1_IP = IpAddress.parse("10.0.1.2"), H2_IP = IpAddress.parse("10.0.2.2"), R1_IP = IpAddress.parse("10.0.2.1");

    Router router;
    Conntrack ct;
    CapturePort v0, v1;

    @BeforeEach
    void setUp() {
        router = new Router();
        ct = new Conntrack(1024, 1000, Timeouts.linuxDefaults(), 64, new ManualClock()).start();
        for (ConntrackHooks.Spec s : ConntrackHooks.specs(ct, "default")) router.hooks().addService(s.hook(), s.properties());
        // the nft rule "oifname v1 masquerade" in a nat chain at postrouting priority 100
        NatRange masq = new NatRange(NatRange.Kind.MASQUERADE, null, null, 0, 0, false);
        PacketHook natChain = (hook, p) -> {
            boolean first = p.conn() instanceof ConnEntry e && !e.isConfirmed();
            if (first && p.outDevice() != null && p.outDevice().name().equals("v1") && !ct.bindNat(p, masq)) return Verdict.DROP;
            return Verdict.ACCEPT;
        };
        router.hooks().addService(natChain, Map.of(PacketHook.HOOK, "postrouting", PacketHook.PRIORITY, PacketHook.PRIORITY_NAT_SRC));

        v0 = new CapturePort("v0", R0);
        v1 = new CapturePort("v1", R1);
        router.attach(v0);
        router.attach(v1);
        router.devices().addAddress("v0", IpPrefix.parse("10.0.1.1/24"));
        router.devices().addAddress("v1", IpPrefix.parse("10.0.2.1/24"));
        router.neighbours().addStatic(H1_IP, "v0", H1);
        router.neighbours().addStatic(H2_IP, "v1", H2);
    }

    @AfterEach
    void tearDown() {
        router.close();
        ct.close();
    }

    static byte[] frame(MacAddress dst, MacAddress src, byte[] ip) {
        byte[] f = eth(ip);
        dst.write(f, 0);
        src.write(f, 6);
        return f;
    }

    static byte[] ipOf(byte[] frame) { return Arrays.copyOfRange(frame, 14, frame.length); }

    @Test
    void udpExchangeIsMasqueradedAndDeNatted() {
        v0.inject(frame(R0, H1, ip(H1_IP, H2_IP, Packet.PROTO_UDP, udp(5000, 53, "query".getBytes()))));
        List<byte[]> out = v1.take();
        assertEquals(1, out.size(), "forwarded to h2");
        byte[] o = ipOf(out.get(0));
        verifyChecksums(o, false);
        assertEquals(R1_IP, IpAddress.of(Arrays.copyOfRange(o, 12, 16)), "masqueraded to v1's address");
        assertEquals(H2_IP, IpAddress.of(Arrays.copyOfRange(o, 16, 20)));
        int natPort = get16(o, 20);
        assertEquals(63, o[8] & 0xFF, "TTL decremented by the path");

        ConnEntry e = ct.find(0, FiveTuple.of(H1_IP, 5000, H2_IP, 53, Packet.PROTO_UDP));
        assertNotNull(e, "confirmed at postrouting");
        assertEquals(FiveTuple.of(H2_IP, 53, R1_IP, natPort, Packet.PROTO_UDP), e.reply());

        v1.inject(frame(R1, H2, ip(H2_IP, R1_IP, Packet.PROTO_UDP, udp(53, natPort, "answer".getBytes()))));
        List<byte[]> back = v0.take();
        assertEquals(1, back.size(), "the reply went back to h1, not to the router itself");
        byte[] b = ipOf(back.get(0));
        verifyChecksums(b, false);
        assertEquals(H2_IP, IpAddress.of(Arrays.copyOfRange(b, 12, 16)));
        assertEquals(H1_IP, IpAddress.of(Arrays.copyOfRange(b, 16, 20)));
        assertEquals(5000, get16(b, 22));
        assertEquals(1, ct.count());

        String list = new CtCommands(ct).list("-p", "udp");
        assertTrue(list.startsWith("ipv4 2 udp 17 30 src=10.0.1.2 dst=10.0.2.2 sport=5000 dport=53 src=10.0.2.2 dst=10.0.2.1 sport=53 dport=" + natPort),
                list);
    }

    @Test
    void portForwardToTheRoutersAddressIsRoutedToTheInsideHost() {
        // nft "tcp dport 8080 dnat to 10.0.1.2:80" in a nat chain at prerouting priority -100:
        // the DNAT happens before routing, so a packet for the router itself is forwarded
        NatRange fwd = new NatRange(NatRange.Kind.DNAT, H1_IP, H1_IP, 80, 80, false);
        router.hooks().addService((hook, p) -> {
            boolean first = p.conn() instanceof ConnEntry e && !e.isConfirmed();
            if (first && p.hasPorts() && p.dstPort() == 8080 && !ct.bindNat(p, fwd)) return Verdict.DROP;
            return Verdict.ACCEPT;
        }, Map.of(PacketHook.HOOK, "prerouting", PacketHook.PRIORITY, PacketHook.PRIORITY_NAT_DST));

        v1.inject(frame(R1, H2, ip(H2_IP, R1_IP, Packet.PROTO_TCP, tcp(33000, 8080, 1, 0, SYN, 1000))));
        List<byte[]> in = v0.take();
        assertEquals(1, in.size(), "forwarded to h1");
        byte[] i = ipOf(in.get(0));
        verifyChecksums(i, false);
        assertEquals(H1_IP, IpAddress.of(Arrays.copyOfRange(i, 16, 20)));
        assertEquals(80, get16(i, 22));
        assertEquals(H2_IP, IpAddress.of(Arrays.copyOfRange(i, 12, 16)), "only the destination changes");

        v0.inject(frame(R0, H1, ip(H1_IP, H2_IP, Packet.PROTO_TCP, tcp(80, 33000, 500, 2, SYN | ACK, 1000))));
        List<byte[]> out = v1.take();
        assertEquals(1, out.size());
        byte[] o = ipOf(out.get(0));
        verifyChecksums(o, false);
        assertEquals(R1_IP, IpAddress.of(Arrays.copyOfRange(o, 12, 16)), "the reply comes from the forwarded address");
        assertEquals(8080, get16(o, 20));
        assertEquals("SYN_RECV", ct.find(0, FiveTuple.of(H2_IP, 33000, R1_IP, 8080, Packet.PROTO_TCP)).protoState());
    }

    @Test
    void notrackedPacketsAreNeitherTrackedNorNatted() {
        // a notrack rule at raw priority (-300) before conntrack
        router.hooks().addService((hook, p) -> {
            if (p.hasPorts() && p.dstPort() == 9) p.setCtState(CtState.UNTRACKED);
            return Verdict.ACCEPT;
        }, Map.of(PacketHook.HOOK, "prerouting", PacketHook.PRIORITY, PacketHook.PRIORITY_RAW));
        v0.inject(frame(R0, H1, ip(H1_IP, H2_IP, Packet.PROTO_UDP, udp(5000, 9, "discard".getBytes()))));
        byte[] o = ipOf(v1.take().get(0));
        assertEquals(H1_IP, IpAddress.of(Arrays.copyOfRange(o, 12, 16)), "untracked: not masqueraded");
        assertEquals(0, ct.count());
    }

    @Test
    void outputHookTracksTheRoutersOwnPackets() {
        // the router answers a ping addressed to it: the echo request is tracked at prerouting and confirmed at input
        byte[] ping = ip(H1_IP, IpAddress.parse("10.0.1.1"), Packet.PROTO_ICMP, echo(8, 42, 1, new byte[8]));
        v0.inject(frame(R0, H1, ping));
        List<byte[]> replies = v0.take();
        assertEquals(1, replies.size());
        ConnEntry e = ct.find(0, FiveTuple.of(H1_IP, 42, IpAddress.parse("10.0.1.1"), 0, Packet.PROTO_ICMP));
        assertNotNull(e, "confirmed at input");
        assertTrue((e.status() & org.flowgate.api.conntrack.CtStatus.SEEN_REPLY) != 0, "the router's echo reply went through output as the reply direction");
    }
}
