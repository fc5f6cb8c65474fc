package org.flowgate.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.packet.Packet;
import org.flowgate.nft.engine.NftEngine;
import org.junit.jupiter.api.Test;

/**
 * Two packet threads evaluate while the ruleset is replaced over and over. Version N first marks
 * the packet N, then, many rules later, drops it unless its mark is still N: a packet that met
 * rules of two versions would be dropped, or leave with a mark of neither.
 */
class AtomicReplaceTest {
    static String version(int n, int padding) {
        StringBuilder sb = new StringBuilder("flush ruleset\ntable ip t {\n chain c {\n  type filter hook forward priority 0; policy accept;\n");
        sb.append("  meta mark set ").append(n).append('\n');
        for (int i = 0; i < padding; i++) sb.append("  tcp dport ").append(10_000 + i).append(" counter\n");
        sb.append("  meta mark != ").append(n).append(" drop\n");
        sb.append("  jump check\n }\n chain check {\n  meta mark ").append(n).append(" return\n  drop\n }\n}\n");
        return sb.toString();
    }

    @Test
    void packetsNeverSeeAMixedRuleset() throws Exception {
        NftEngine e = new NftEngine();
        String[] versions = {version(1, 50), version(2, 80)};
        e.load(versions[0], "v1");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong dropped = new AtomicLong(), seen1 = new AtomicLong(), seen2 = new AtomicLong(), total = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(2);
        Thread[] threads = new Thread[2];
        for (int t = 0; t < 2; t++) {
            threads[t] = new Thread(() -> {
                Packet p = Frames.tcp4("10.0.0.1", "10.0.0.2", 1234, 80, 0x10);
                started.countDown();
                try {
                    while (!stop.get()) {
                        p.setMark(0);
                        Verdict v = e.process(Hook.FORWARD, 0, p);
                        total.incrementAndGet();
                        if (v != Verdict.ACCEPT) dropped.incrementAndGet();
                        else if (p.mark() == 1) seen1.incrementAndGet();
                        else if (p.mark() == 2) seen2.incrementAndGet();
                        else dropped.incrementAndGet();
                    }
                } catch (Throwable x) {
                    failure.set(x);
                }
            }, "packets-" + t);
            threads[t].start();
        }
        started.await();
        for (int i = 0; i < 2000; i++) e.load(versions[i % 2 == 0 ? 1 : 0], "v" + (i % 2 + 1));
        // let both threads run on the final version for a moment
        long until = total.get() + 10_000;
        while (total.get() < until && failure.get() == null) Thread.onSpinWait();
        stop.set(true);
        for (Thread t : threads) t.join();
        if (failure.get() != null) throw new AssertionError(failure.get());
        assertEquals(0, dropped.get(), "a packet saw rules of two versions");
        assertTrue(seen1.get() > 0 && seen2.get() > 0, "both versions evaluated: " + seen1 + " / " + seen2);
    }
}
