package org.flowgate.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;

import org.flowgate.api.ruleset.RulesetException;
import org.flowgate.nft.engine.NftEngine;
import org.junit.jupiter.api.Test;

/** Mangled rulesets: the parser answers with a positioned RulesetException, never another exception. */
class FuzzTest {
    static final String[] PIECES = {"{", "}", ";", "\n", ",", "-", "/", ":", "@", "$", "\"", "==", "!=", "<", "&", "|", "(", ")",
            "ip", "tcp", "dport", "saddr", "jump", "goto", "accept", "map", "vmap", "set", "type", "hook", "priority", "0", "-1",
            "99999999999999999999", "0x", "10.0.0.0/33", "1-", "::", "[", "]", "elements", "=", "counter", "limit", "rate", "flow",
            "add", "delete", "table", "chain", "include", "define", "x", "1.2.3.4:", "ct", "state", "snat", "to", "masquerade"};

    @Test
    void mangledInputFailsCleanly() throws Exception {
        String base = ParserTest.resource("full.nft");
        Random r = new Random(42);
        NftEngine e = new NftEngine();
        e.load(base, "base.nft");
        String listed = e.list();
        int accepted = 0;
        for (int i = 0; i < 3000; i++) {
            StringBuilder sb = new StringBuilder(base);
            for (int k = 1 + r.nextInt(3); k > 0; k--) {
                int at = r.nextInt(sb.length());
                switch (r.nextInt(3)) {
                    case 0 -> sb.delete(at, Math.min(sb.length(), at + 1 + r.nextInt(8)));
                    case 1 -> sb.insert(at, " " + PIECES[r.nextInt(PIECES.length)] + " ");
                    default -> sb.replace(at, Math.min(sb.length(), at + 1 + r.nextInt(4)), PIECES[r.nextInt(PIECES.length)]);
                }
            }
            String text = sb.toString();
            NftEngine fresh = new NftEngine();
            try {
                fresh.load(text, "fuzz.nft");
                accepted++;
                String l = fresh.list();
                NftEngine again = new NftEngine();
                again.load(l, "relist.nft");
                assertEquals(l, again.list(), "round trip of an accepted mutation:\n" + text);
            } catch (RulesetException ok) {
                if (ok.line() < 1 || ok.column() < 1) fail("error without a position: " + ok.getMessage() + "\n" + text);
            } catch (RuntimeException | StackOverflowError bug) {
                throw new AssertionError("crash on mutation " + i + ":\n" + text, bug);
            }
            try {
                e.execute(text, "fuzz.nft");
                e.load(base, "base.nft");
            } catch (RulesetException ok) {
                assertEquals(listed, e.list(), "a failed transaction changed the ruleset");
            }
        }
        System.out.println("fuzz: " + accepted + " of 3000 mutations were valid rulesets");
    }
}
