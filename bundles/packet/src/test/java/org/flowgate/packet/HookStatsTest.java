package org.flowgate.packet;

import static org.flowgate.packet.TestFrames.*;
import static org.junit.jupiter.api.Assertions.*;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.HookCounters;
import org.flowgate.api.hook.Verdict;
import org.junit.jupiter.api.Test;

/** Per hook point counters: packets that ran a chain and how they left it. */
class HookStatsTest extends RouterFixture {

    byte[] udp(int dport) {
        return eth(R0, H1, 0x0800, ipv4(H1_IP, H2_IP, 17, 64, udp4(H1_IP, H2_IP, 1, dport, new byte[0])));
    }

    @Test
    void pointWithoutHooksCountsNothing() {
        learnHosts();
        p0.inject(udp(7));
        assertEquals(1, p1.take().size());
        for (Hook h : Hook.values()) assertEquals(new HookCounters(0, 0, 0, 0, 0), router.hooks().counters(h), h.label());
    }

    @Test
    void verdictsAndErrorsAreCountedPerPoint() {
        learnHosts();
        router.hooks().add((h, p) -> switch (p.dstPort()) {
            case 1 -> Verdict.DROP;
            case 2 -> Verdict.STOLEN;
            case 3 -> throw new IllegalStateException("hook bug");
            case 4 -> null;
            default -> Verdict.ACCEPT;
        }, 0, Hook.FORWARD);
        router.hooks().add((h, p) -> Verdict.ACCEPT, 0, Hook.PREROUTING, Hook.POSTROUTING);
        for (int port = 1; port <= 6; port++) p0.inject(udp(port));

        assertEquals(2, p1.take().size(), "ports 5 and 6 forwarded");
        assertEquals(new HookCounters(6, 6, 0, 0, 0), router.hooks().counters(Hook.PREROUTING));
        assertEquals(new HookCounters(6, 2, 3, 1, 1), router.hooks().counters(Hook.FORWARD));
        assertEquals(new HookCounters(2, 2, 0, 0, 0), router.hooks().counters(Hook.POSTROUTING));
        assertEquals(new HookCounters(0, 0, 0, 0, 0), router.hooks().counters(Hook.INPUT));
        assertEquals(1, router.hooks().failures());
    }

    @Test
    void firstDropEndsTheChainAndIsCountedOnce() {
        learnHosts();
        router.hooks().add((h, p) -> Verdict.DROP, -10, Hook.PREROUTING);
        router.hooks().add((h, p) -> Verdict.DROP, 10, Hook.PREROUTING);
        p0.inject(udp(9));
        assertEquals(new HookCounters(1, 0, 1, 0, 0), router.hooks().counters(Hook.PREROUTING));
        assertEquals(0, p1.take().size());
    }

}
