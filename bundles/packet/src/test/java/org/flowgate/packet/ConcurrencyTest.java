package org.flowgate.packet;

import static org.flowgate.packet.TestFrames.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.Verdict;
import org.junit.jupiter.api.Test;

/** Two ports' threads through the path at once, while hooks and routes change. */
class ConcurrencyTest extends RouterFixture {
    static final int N = 20_000;

    @Test
    void twoPortThreadsForwardAtTheSameTime() throws Exception {
        learnHosts();
        AtomicInteger hookCalls = new AtomicInteger();
        router.hooks().add((h, p) -> { hookCalls.incrementAndGet(); return Verdict.ACCEPT; }, 0, Hook.FORWARD);
        byte[] a = eth(R0, H1, 0x0800, ipv4(H1_IP, H2_IP, 17, 64, udp4(H1_IP, H2_IP, 1, 2, new byte[32])));
        byte[] b = eth(R1, H2, 0x0800, ipv4(H2_IP, H1_IP, 17, 64, udp4(H2_IP, H1_IP, 2, 1, new byte[32])));
        byte[] v6 = eth(R0, H1, 0x86DD, ipv6(H1_6, H2_6, 17, 64, udp6(H1_6, H2_6, 1, 2, new byte[16])));
        CountDownLatch go = new CountDownLatch(1);
        Thread t0 = new Thread(() -> { await(go); for (int i = 0; i < N; i++) p0.inject(i % 2 == 0 ? a : v6); });
        Thread t1 = new Thread(() -> { await(go); for (int i = 0; i < N; i++) p1.inject(b); });
        Thread admin = new Thread(() -> {
            await(go);
            for (int i = 0; i < 200; i++) {
                router.routes().add(org.flowgate.packet.config.RouteSyntax.parse("192.168." + i + ".0/24 via 10.0.2.20"));
                var extra = (org.flowgate.api.hook.PacketHook) (h, p) -> Verdict.ACCEPT;
                router.hooks().add(extra, 10, Hook.FORWARD);
                router.hooks().remove(extra);
            }
        });
        t0.start(); t1.start(); admin.start();
        go.countDown();
        t0.join(); t1.join(); admin.join();
        var toH2 = p1.take();
        var toH1 = p0.take();
        assertEquals(N, toH2.size());
        assertEquals(N, toH1.size());
        for (byte[] f : toH2) assertEquals(H2, mac(f, 0));
        for (byte[] f : toH1) {
            assertEquals(H1, mac(f, 0));
            assertEquals(63, u8(f, 22));
            assertEquals(0, csum(f, 14, 20, 0));
        }
        assertEquals(2 * N, hookCalls.get());
        assertEquals(N + 1, eth0.counters().rxPackets());
        assertEquals(0, eth0.counters().dropped() + eth1.counters().dropped());
    }

    private static void await(CountDownLatch l) {
        try { l.await(); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
    }
}
