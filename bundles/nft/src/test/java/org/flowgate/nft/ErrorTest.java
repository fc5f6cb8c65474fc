package org.flowgate.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.ruleset.RulesetException;
import org.flowgate.nft.engine.NftEngine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad inputs: the error names file, line, column and token; the running ruleset is untouched. */
class ErrorTest {
    static final String RUNNING = """
            table ip t {
            \tchain c {
            \t\ttype filter hook input priority filter; policy drop;
            \t\ttcp dport 22 accept
            \t}
            }
            """;

    static Stream<Arguments> badInputs() {
        return Stream.of(
                Arguments.of("table ip t {\n chain c {\n  tcp dport 70000 accept\n }\n}\n", 3, 13, "70000", "expected inet_service"),
                Arguments.of("table ip t {\n chain c {\n  ip saddr 10.0.0.300 drop\n }\n}\n", 3, 12, "10.0.0.300", "expected ipv4_addr"),
                Arguments.of("table ip t {\n chain c {\n  ip saddr 10.0.0.1/8 drop\n }\n}\n", 3, 12, "10.0.0.1/8", "host bits set"),
                Arguments.of("table ip t {\n chain c {\n  tcp dport 22 acept\n }\n}\n", 3, 16, "acept", "unknown expression"),
                Arguments.of("table ip t {\n chain c {\n  jump nowhere\n }\n}\n", 3, 8, "nowhere", "No such file or directory: chain nowhere"),
                Arguments.of("table ip t {\n chain c {\n  type filter hook sideways priority 0;\n }\n}\n", 3, 20, "sideways", "unknown hook"),
                Arguments.of("table ip t {\n chain c {\n  ip saddr @missing drop\n }\n}\n", 3, 12, "missing", "No such file or directory: set missing"),
                Arguments.of("table ip t {\n chain a {\n  jump b\n }\n chain b {\n  jump a\n }\n}\n", 6, 8, "a", "jump loop"),
                Arguments.of("table ip t {\n chain c {\n  iifname \"eth0\n }\n}\n", 3, 11, "\"", "unterminated string"),
                Arguments.of("table ip t {\n chain c {\n  tcp dport $undefined accept\n }\n}\n", 3, 13, "undefined", "unknown variable"),
                Arguments.of("table ip t {\n chain n {\n  type filter hook forward priority 0;\n  masquerade\n }\n}\n", 4, 3, "masquerade", "chain of type nat"),
                Arguments.of("table arp t {\n}\n", 1, 7, "arp", "unsupported family"),
                Arguments.of("table ip t {\n set s {\n  type ipv4_addr\n  elements = { 10.0.0.0/8 }\n }\n}\n", 4, 16, "10.0.0.0/8", "flags interval"),
                Arguments.of("table ip t {\n chain c {\n  accept counter\n }\n}\n", 3, 10, "counter", "statement after a verdict"),
                Arguments.of("table ip t {\n chain c {\n  ct state established,bogus accept\n }\n}\n", 3, 24, "bogus", "expected ct_state"),
                Arguments.of("table ip t {\n chain c {\n  limit rate 10/fortnight accept\n }\n}\n", 3, 14, "10/fortnight", "unknown time unit"),
                Arguments.of("table ip t {\n chain c {\n  tcp dport 30-20 accept\n }\n}\n", 3, 13, "30-20", "range is backwards"),
                Arguments.of("table ip t {\n flowtable f {\n  hook ingress priority 0; devices = { eth0 };\n }\n chain f {\n  type filter hook forward priority 0;\n  flow add @g\n }\n}\n", 7, 12, "g", "flowtable g"),
                Arguments.of("delete rule ip t c handle 99\n", 1, 27, "99", "rule handle 99"),
                Arguments.of("table ip t {\n chain c {\n  tcp dport 22 accept\n", 4, 1, "end of input", "expected '}'"));
    }

    @ParameterizedTest
    @MethodSource("badInputs")
    void errorIsPlacedAndNothingChanges(String input, int line, int column, String token, String message) throws Exception {
        NftEngine e = new NftEngine();
        e.load(RUNNING, "running.nft");
        var before = e.current();
        String listed = e.list();
        RulesetException ex = assertThrows(RulesetException.class, () -> e.execute(input, "bad.nft"));
        assertEquals("bad.nft", ex.source(), ex.getMessage());
        assertEquals(line, ex.line(), ex.getMessage());
        assertEquals(column, ex.column(), ex.getMessage());
        assertEquals(token, ex.token(), ex.getMessage());
        assertEquals(true, ex.getMessage().contains(message), ex.getMessage());
        assertEquals(listed, e.list());
        assertEquals(before, e.current(), "the compiled ruleset was not replaced");
        // and it still evaluates as before
        assertEquals(Verdict.ACCEPT, e.process(Hook.INPUT, 0, Frames.tcp4("1.1.1.1", "2.2.2.2", 1000, 22, 0x02)));
        assertEquals(Verdict.DROP, e.process(Hook.INPUT, 0, Frames.tcp4("1.1.1.1", "2.2.2.2", 1000, 23, 0x02)));
    }
}
