package org.flowgate.fuzz;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.fuzz.support.Frames;
import org.flowgate.fuzz.support.RouterWorld;
import org.flowgate.fuzz.support.SeedFrames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The unit-level version of {@link PacketPathFuzzTest} for every build: seeded random mutations of
 * the seed frames (bit flips, byte sets, truncation, extension, field splices) through the same
 * world and the same checks, reproducible from the seed printed on failure.
 */
class PacketPathMutationTest {
    RouterWorld w;

    @BeforeEach
    void setUp() throws Exception { w = new RouterWorld(256, 256); }

    @AfterEach
    void tearDown() throws Exception { w.close(); }

    @Test
    void seedsHaveTheirExpectedOutcomes() {
        for (SeedFrames.Seed s : SeedFrames.seeds()) w.p0().inject(s.frame(), 0, s.frame().length);
        PacketPathFuzzTest.check(w);
        assertTrue(w.accounting.frames >= SeedFrames.seeds().size(), "every seed reached the router");
        assertTrue(w.h2.counters().rxFrames() > 0, "some were forwarded to h2");
    }

    @Test
    void accountingSeesAFrameThatVanishes() {
        // a hook that steals without sending anything: the checks must notice (they can fail)
        w.router.hooks().add((h, p) -> Verdict.STOLEN, 0, Hook.PREROUTING);
        byte[] f = SeedFrames.seeds().get(0).frame();
        w.p0().inject(f, 0, f.length);
        assertEquals(1, w.accounting.lost, w.accounting.firstProblem);
    }

    @Test
    void mutatedFrames() {
        long seed = Long.getLong("fuzz.seed", 20261125L);
        SplittableRandom r = new SplittableRandom(seed);
        List<byte[]> seeds = SeedFrames.all();
        byte[] mac = new byte[6];
        for (int i = 0; i < 30_000; i++) {
            byte[] f = mutate(seeds.get(r.nextInt(seeds.size())), r);
            boolean v1 = r.nextInt(4) == 0;
            (v1 ? w.p1() : w.p0()).mac().write(mac, 0);
            if (r.nextBoolean()) System.arraycopy(mac, 0, f, 0, Math.min(6, f.length));
            if (r.nextBoolean()) Frames.fixChecksums(f);
            (v1 ? w.p1() : w.p0()).inject(f, 0, f.length);
            final int n = i;
            assertDoesNotThrow(() -> PacketPathFuzzTest.check(w), () -> "seed " + seed + " frame " + n + ": " + HexFormat.of().formatHex(f));
            if (r.nextInt(500) == 0) w.advance(r.nextInt(200));
        }
        assertTrue(w.accounting.frames > 25_000, "frames reached the router: " + w.accounting.frames);
    }

    static byte[] mutate(byte[] in, SplittableRandom r) {
        byte[] f = in.clone();
        int ops = 1 + r.nextInt(4);
        for (int k = 0; k < ops; k++) {
            switch (r.nextInt(6)) {
                case 0 -> { int i = r.nextInt(f.length); f[i] ^= (byte) (1 << r.nextInt(8)); }
                case 1 -> f[r.nextInt(f.length)] = (byte) r.nextInt(256);
                case 2 -> f = java.util.Arrays.copyOf(f, Math.max(1, r.nextInt(f.length + 1)));
                case 3 -> f = java.util.Arrays.copyOf(f, f.length + r.nextInt(64));
                case 4 -> { int i = 14 + r.nextInt(Math.max(1, f.length - 14)); if (i < f.length) f[i] = (byte) (r.nextBoolean() ? 0 : 0xff); }
                default -> { // splice a 16-bit "interesting" value into a header field
                    int i = r.nextInt(Math.max(1, Math.min(f.length - 1, 80)));
                    int v = switch (r.nextInt(6)) { case 0 -> 0; case 1 -> 0xffff; case 2 -> 0x8000; case 3 -> 1; case 4 -> 0x7fff; default -> f.length; };
                    if (i + 1 < f.length) { f[i] = (byte) (v >>> 8); f[i + 1] = (byte) v; }
                }
            }
        }
        return f;
    }

    @Test
    void replayFinding() {
        byte[] f = HexFormat.of().parseHex("02666700000102666700000208004500002412340000011188940a00010000001402271513890010a52e000000000000010000");
        w.p0().inject(f, 0, f.length);
        PacketPathFuzzTest.check(w);
    }
}
