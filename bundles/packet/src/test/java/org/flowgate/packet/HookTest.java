package org.flowgate.packet;

import static org.flowgate.packet.TestFrames.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.packet.DropReason;
import org.junit.jupiter.api.Test;

/** Hook points: order, priorities, verdicts, failures, what the hooks see. */
class HookTest extends RouterFixture {
    final List<String> trace = Collections.synchronizedList(new ArrayList<>());

    PacketHook recorder(String name, Verdict v) {
        return (h, p) -> {
            trace.add(name + "@" + h.label() + (p.outDevice() != null ? ">" + p.outDevice().name() : "")
                    + (p.isIpv4() ? " ttl=" + p.ttl() : ""));
            return v;
        };
    }

    void onAll(String name) {
        router.hooks().add(recorder(name, Verdict.ACCEPT), 0, Hook.values());
    }

    byte[] udp(int ttl) {
        return eth(R0, H1, 0x0800, ipv4(H1_IP, H2_IP, 17, ttl, udp4(H1_IP, H2_IP, 1, 2, new byte[0])));
    }

    @Test
    void forwardedPacketMeetsTheLinuxOrder() {
        learnHosts();
        onAll("a");
        p0.inject(udp(64));
        assertEquals(List.of("a@ingress ttl=64", "a@prerouting ttl=64", "a@forward>eth1 ttl=63", "a@postrouting>eth1 ttl=63"), trace);
        assertEquals(1, p1.take().size());
    }

    @Test
    void localPacketAndItsReply() {
        learnHosts();
        onAll("a");
        p0.inject(ping4(R0, H1, H1_IP, R0_IP, 64, 1, 1, new byte[4]));
        assertEquals(List.of("a@ingress ttl=64", "a@prerouting ttl=64", "a@input ttl=64", "a@output>eth0 ttl=64", "a@postrouting>eth0 ttl=64"), trace);
    }

    @Test
    void arpOnlyMeetsIngress() {
        onAll("a");
        p0.inject(pad(eth(BCAST, H1, 0x0806, arp(1, H1, H1_IP, 0, R0_IP))));
        assertEquals(List.of("a@ingress"), trace);
        assertEquals(1, p0.take().size());
    }

    @Test
    void priorityOrderThenRegistrationOrder() {
        learnHosts();
        router.hooks().add(recorder("filter", Verdict.ACCEPT), PacketHook.PRIORITY_FILTER, Hook.FORWARD);
        router.hooks().add(recorder("raw", Verdict.ACCEPT), PacketHook.PRIORITY_RAW, Hook.FORWARD);
        router.hooks().add(recorder("confirm", Verdict.ACCEPT), PacketHook.PRIORITY_CONNTRACK_CONFIRM, Hook.FORWARD);
        router.hooks().add(recorder("filter2", Verdict.ACCEPT), PacketHook.PRIORITY_FILTER, Hook.FORWARD);
        router.hooks().add(recorder("mangle", Verdict.ACCEPT), PacketHook.PRIORITY_MANGLE, Hook.FORWARD);
        p0.inject(udp(64));
        assertEquals(List.of("raw", "mangle", "filter", "filter2", "confirm"), trace.stream().map(s -> s.substring(0, s.indexOf('@'))).toList());
    }

    @Test
    void dropIsCountedAndStopsTheChain() {
        learnHosts();
        router.hooks().add(recorder("drop", Verdict.DROP), 0, Hook.FORWARD);
        router.hooks().add(recorder("after", Verdict.ACCEPT), 10, Hook.FORWARD, Hook.POSTROUTING);
        p0.inject(udp(64));
        assertEquals(1, trace.size());
        assertTrue(p1.take().isEmpty());
        assertEquals(1, drops(eth0, DropReason.HOOK_DROP));
    }

    @Test
    void stolenStopsWithoutADrop() {
        learnHosts();
        router.hooks().add((h, p) -> {
            // a fast path: forwards the packet itself
            p.setEthDst(H2);
            p.setEthSrc(R1);
            eth1.transmit(p);
            return Verdict.STOLEN;
        }, -500, Hook.INGRESS);
        onAll("later");
        p0.inject(udp(64));
        assertTrue(trace.isEmpty());
        assertEquals(H2, mac(only(p1.take()), 0));
        assertEquals(0, eth0.counters().dropped());
    }

    @Test
    void aThrowingHookDropsThePacketButNotThePath() {
        learnHosts();
        router.hooks().add((h, p) -> { throw new IllegalStateException("boom"); }, 0, Hook.PREROUTING);
        p0.inject(udp(64));
        p0.inject(udp(64));
        assertTrue(p1.take().isEmpty());
        assertEquals(2, drops(eth0, DropReason.HOOK_DROP));
        assertEquals(2, router.hooks().failures());
        p0.inject(pad(eth(BCAST, H1, 0x0806, arp(1, H1, H1_IP, 0, R0_IP))));
        assertEquals(1, p0.take().size(), "the path still works");
    }

    @Test
    void prerouting_canRewriteTheDestinationBeforeRouting() {
        learnHosts();
        int other = ip4("10.0.2.99");
        router.hooks().add((h, p) -> {
            if (p.ipv4Dst() == other) { // a DNAT to h2
                int l3 = p.l3();
                p.setU32(l3 + 16, H2_IP);
                p.setU16(l3 + 10, org.flowgate.api.packet.Checksums.update32(p.u16(l3 + 10), other, H2_IP));
            }
            return Verdict.ACCEPT;
        }, PacketHook.PRIORITY_NAT_DST, Hook.PREROUTING);
        p0.inject(eth(R0, H1, 0x0800, ipv4(H1_IP, other, 17, 64, udp4(H1_IP, other, 1, 2, new byte[0]))));
        byte[] out = only(p1.take());
        assertEquals(H2, mac(out, 0));
        assertEquals(0, csum(out, 14, 20, 0));
    }

    @Test
    void serviceProperties() {
        learnHosts();
        PacketHook a = recorder("a", Verdict.ACCEPT), b = recorder("b", Verdict.ACCEPT);
        router.hooks().addService(a, Map.of(PacketHook.HOOK, new String[] {"forward", "postrouting"}, PacketHook.PRIORITY, 5));
        router.hooks().addService(b, Map.of(PacketHook.HOOK, "forward", PacketHook.PRIORITY, "-5"));
        p0.inject(udp(64));
        assertEquals(List.of("b@forward>eth1 ttl=63", "a@forward>eth1 ttl=63", "a@postrouting>eth1 ttl=63"), trace);
        trace.clear();
        router.hooks().addService(b, Map.of(PacketHook.HOOK, "forward", PacketHook.PRIORITY, 50)); // modified properties
        router.hooks().remove(a);
        p0.inject(udp(64));
        assertEquals(List.of("b@forward>eth1 ttl=63"), trace);
        assertEquals(List.of(b), router.hooks().list(Hook.FORWARD));
    }

    @Test
    void errorsTheRouterSendsGoThroughOutput() {
        learnHosts();
        List<Integer> seen = new ArrayList<>();
        router.hooks().add((h, p) -> { seen.add(p.icmpType()); return Verdict.DROP; }, 0, Hook.OUTPUT);
        p0.inject(udp(1));
        assertEquals(List.of(11), seen);
        assertTrue(p0.take().isEmpty(), "dropped at OUTPUT");
        assertEquals(1, drops(eth0, DropReason.HOOK_DROP));
    }

    @Test
    void localOutputSendsAnotherBundlesPacketThroughOutputAndPostrouting() {
        learnHosts();
        onAll("a");
        org.flowgate.api.packet.Packet reply = parsed(eth(0, 0, 0x0800, ipv4(R1_IP, H2_IP, 17, 64, udp4(R1_IP, H2_IP, 7, 9, new byte[] {1}))));
        assertTrue(router.path().sendLocal(reply));
        assertEquals(List.of("a@output>eth1 ttl=64", "a@postrouting>eth1 ttl=64"), trace);
        org.flowgate.api.packet.Packet out = parsed(only(p1.take()));
        assertEquals(H2, out.ethDst());
        assertEquals(R1, out.ethSrc());
        assertEquals(0, reply.ethDst(), "the caller's buffer is left alone");
    }

    @Test
    void localOutputWithoutARouteIsRefused() {
        org.flowgate.api.packet.Packet reply = parsed(eth(0, 0, 0x0800, ipv4(R1_IP, ip4("192.0.2.9"), 17, 64, udp4(R1_IP, ip4("192.0.2.9"), 7, 9, new byte[] {1}))));
        assertFalse(router.path().sendLocal(reply));
    }
}
