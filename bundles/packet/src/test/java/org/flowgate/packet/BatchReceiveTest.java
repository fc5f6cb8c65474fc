package org.flowgate.packet;

import static org.flowgate.packet.TestFrames.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.packet.DropReason;
import org.flowgate.api.packet.Packet;
import org.flowgate.packet.hook.HookChains;
import org.junit.jupiter.api.Test;

/** Frames a port hands over together: ingress hooks that prefetch see the batch first, every frame ends as it would alone. */
class BatchReceiveTest extends RouterFixture {
    final List<String> trace = new ArrayList<>();

    /** An ingress hook that prefetches: records both calls by the frame's UDP source port (or "arp"). */
    final class Prefetching implements PacketHook {
        boolean now = true;

        @Override
        public boolean prefetches() { return now; }

        @Override
        public Verdict process(Hook hook, Packet p) {
            trace.add("process " + name(p));
            return Verdict.ACCEPT;
        }

        @Override
        public long prefetch(Hook hook, Packet p) {
            assertSame(Hook.INGRESS, hook);
            assertSame(eth0, p.inDevice(), "taken in: parsed, in-device set");
            trace.add("prefetch " + name(p));
            return 1;
        }
    }

    static String name(Packet p) { return p.isIpv4() && p.l4() >= 0 ? Integer.toString(p.srcPort()) : "arp"; }

    byte[] udp(int sport, int ttl) {
        return eth(R0, H1, 0x0800, ipv4(H1_IP, H2_IP, 17, ttl, udp4(H1_IP, H2_IP, sport, 9, new byte[0])));
    }

    @Test
    void prefetchingHooksSeeTheWholeBatchFirstThenEachFrameGoesItsWayInOrder() {
        learnHosts();
        router.hooks().add(new Prefetching(), 0, Hook.INGRESS);
        byte[] malformed = slice(udp(2, 64), 0, 20); // cut inside the IPv4 header
        byte[] arpRequest = pad(eth(BCAST, H1, 0x0806, arp(1, H1, H1_IP, 0, R0_IP)));
        long rxBefore = eth0.counters().rxPackets();

        p0.injectBatch(udp(1, 64), malformed, udp(3, 1), arpRequest, udp(4, 64));

        assertEquals(List.of("prefetch 1", "prefetch 3", "prefetch arp", "prefetch 4", "process 1", "process 3", "process arp", "process 4"), trace);
        List<byte[]> forwarded = p1.take();
        assertEquals(2, forwarded.size());
        assertEquals(1, parsed(forwarded.get(0)).srcPort());
        assertEquals(4, parsed(forwarded.get(1)).srcPort());
        List<byte[]> back = p0.take(); // time exceeded for the TTL 1 frame, then the ARP reply, in that order
        assertEquals(2, back.size());
        assertIcmp4(back.get(0), 11, 0);
        assertEquals(0x0806, parsed(back.get(1)).etherType());
        assertEquals(rxBefore + 5, eth0.counters().rxPackets());
        assertEquals(1, drops(eth0, DropReason.MALFORMED_IPV4));
        assertEquals(1, drops(eth0, DropReason.TTL_EXCEEDED));
    }

    @Test
    void withoutAPrefetchingHookABatchIsFramesOneByOne() {
        learnHosts();
        router.hooks().add((h, p) -> { trace.add("process " + name(p)); return Verdict.ACCEPT; }, 0, Hook.INGRESS);
        router.hooks().add((h, p) -> { trace.add("forward " + name(p)); return Verdict.ACCEPT; }, 0, Hook.FORWARD);
        assertFalse(router.hooks().prefetches(Hook.INGRESS));

        p0.injectBatch(udp(1, 64), udp(2, 64));

        assertEquals(List.of("process 1", "forward 1", "process 2", "forward 2"), trace);
        assertEquals(2, p1.take().size());
    }

    @Test
    void aHookThatDoesNotWantToPrefetchNowGetsTheBatchFrameByFrame() {
        learnHosts();
        Prefetching h = new Prefetching();
        h.now = false; // say, a flow table small enough to stay in the caches
        router.hooks().add(h, 0, Hook.INGRESS);
        assertFalse(router.hooks().prefetches(Hook.INGRESS));

        p0.injectBatch(udp(1, 64), udp(2, 64));

        assertEquals(List.of("process 1", "process 2"), trace);
        assertEquals(2, p1.take().size());
        h.now = true;
        assertTrue(router.hooks().prefetches(Hook.INGRESS), "asked again for every batch");
    }

    @Test
    void onlyHooksThatOverridePrefetchAreAsked() {
        PacketHook lambda = (h, p) -> Verdict.ACCEPT;
        assertFalse(HookChainsAccess.prefetches(lambda));
        assertTrue(HookChainsAccess.prefetches(new Prefetching()));
        assertFalse(HookChainsAccess.prefetches(new PacketHook() { // wants to, but has nothing to prefetch with
            @Override public Verdict process(Hook hook, Packet p) { return Verdict.ACCEPT; }

            @Override public boolean prefetches() { return true; }
        }));
        router.hooks().add(lambda, 0, Hook.INGRESS);
        assertFalse(router.hooks().prefetches(Hook.INGRESS));
        PacketHook prefetching = new Prefetching();
        router.hooks().add(prefetching, 10, Hook.INGRESS);
        assertTrue(router.hooks().prefetches(Hook.INGRESS));
        assertFalse(router.hooks().prefetches(Hook.FORWARD));
        router.hooks().remove(prefetching);
        assertFalse(router.hooks().prefetches(Hook.INGRESS));
    }

    @Test
    void aPrefetchThatThrowsIsCountedAndTheFramesStillGo() {
        learnHosts();
        router.hooks().add(new PacketHook() {
            @Override public Verdict process(Hook hook, Packet p) { return Verdict.ACCEPT; }

            @Override public boolean prefetches() { return true; }

            @Override public long prefetch(Hook hook, Packet p) { throw new IllegalStateException("broken prefetch"); }
        }, 0, Hook.INGRESS);
        long failures = router.hooks().failures();

        p0.injectBatch(udp(1, 64), udp(2, 64));

        assertEquals(2, p1.take().size());
        assertEquals(failures + 2, router.hooks().failures());
    }

    /** Whether a hook alone at INGRESS makes the point prefetch ({@code HookChains.prefetches(PacketHook)} is package-private there). */
    static final class HookChainsAccess {
        static boolean prefetches(PacketHook h) {
            HookChains c = new HookChains();
            c.add(h, 0, Hook.INGRESS);
            return c.prefetches(Hook.INGRESS);
        }
    }
}
