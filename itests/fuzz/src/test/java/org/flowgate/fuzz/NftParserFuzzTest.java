package org.flowgate.fuzz;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

import org.flowgate.api.packet.Packet;
import org.flowgate.api.ruleset.RulesetException;
import org.flowgate.fuzz.support.RouterWorld;
import org.flowgate.fuzz.support.SeedFrames;
import org.flowgate.nft.engine.NftEngine;
import org.flowgate.nft.engine.NftEngine.HookKey;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Arbitrary text as nft input applied on top of a running ruleset ({@code nft -f}). A rejected input
 * fails with a {@link RulesetException} carrying a position (line, column >= 1) and leaves the
 * ruleset exactly as it was; an accepted one lists back to text that loads to the same listing, and
 * evaluating packets at each of its hook points throws nothing. No other exception may escape.
 * Inputs with {@code include} are skipped: they read files (a fuzzer could name {@code /dev/zero}).
 */
class NftParserFuzzTest {
    static final Set<HookKey> points = new HashSet<>();
    static final NftEngine engine = newEngine();

    static NftEngine newEngine() {
        NftEngine e = new NftEngine();
        e.setRegistrar(new NftEngine.HookRegistrar() {
            @Override public void ensure(Set<HookKey> p) { points.addAll(p); }
            @Override public void retainOnly(Set<HookKey> p) { points.retainAll(p); }
        });
        return e;
    }

    @FuzzTest(maxDuration = "60s")
    void nftParser(byte[] input) throws Exception {
        String text = new String(input, StandardCharsets.UTF_8);
        if (text.contains("include")) return;
        engine.load(RouterWorld.RULESET, "base.nft");
        String before = engine.list();
        try {
            engine.execute(text, "fuzz.nft");
        } catch (RulesetException e) {
            assertTrue(e.line() >= 1 && e.column() >= 1, () -> "error without a position: " + e.getMessage());
            assertEquals("fuzz.nft", e.source());
            assertEquals(before, engine.list(), "a failed transaction changed the ruleset");
            return;
        }
        String listed = engine.list();
        NftEngine again = new NftEngine();
        try {
            again.load(listed, "listed.nft");
        } catch (RulesetException e) {
            fail("the listing of an accepted ruleset does not load back: " + e.getMessage() + "\n" + listed);
        }
        assertEquals(listed, again.list(), "listing is not stable");
        for (HookKey k : points.toArray(new HookKey[0])) {
            for (byte[] f : SeedFrames.all()) {
                Packet p = new Packet();
                p.setFrame(f, 0, f.length);
                if (p.parse() != null) continue;
                engine.process(k.hook(), k.priority(), p);
            }
        }
    }
}
