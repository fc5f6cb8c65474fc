package org.flowgate.nft.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.flowgate.nft.hook.NftComponent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NftCommandTest {
    final NftCommand cmd = new NftCommand();

    NftCommandTest() { cmd.ruleset = new NftComponent(); }

    @Test
    void fileAndCommandLines(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("r.nft");
        Files.writeString(f, "table inet t {\n chain c {\n  type filter hook input priority 0; policy accept;\n }\n}\n");
        assertEquals("", cmd.nft("-f", f.toString()));
        assertEquals("", cmd.nft("add", "rule", "inet", "t", "c", "tcp", "dport", "22", "counter", "accept"));
        assertEquals("", cmd.nft("add rule inet t c udp dport { 53, 853 } accept"));
        assertEquals("""
                table inet t { # handle 1
                \tchain c { # handle 1
                \t\ttype filter hook input priority filter; policy accept;
                \t\ttcp dport 22 counter packets 0 bytes 0 accept # handle 2
                \t\tudp dport { 53, 853 } accept # handle 3
                \t}
                }
                """, cmd.nft("-a", "list", "ruleset"));
        assertEquals("", cmd.nft("delete rule inet t c handle 2"));
        assertTrue(!cmd.list().contains("tcp dport 22"), cmd.list());
        assertEquals("", cmd.nft("-c", "-f", f.toString()));
        assertEquals("", cmd.flush());
        assertEquals("", cmd.list());
        assertEquals("", cmd.load(f.toString()));
        assertTrue(cmd.list().contains("chain c"));
    }

    @Test
    void errorsQuoteTheLineWithACaret(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.nft");
        Files.writeString(f, "table ip t {\n chain c {\n  tcp dport 99999 accept\n }\n}\n");
        assertEquals("Error: " + f + ":3:13: expected inet_service (at '99999')\n"
                + "  tcp dport 99999 accept\n"
                + "            ^^^^^\n", cmd.load(f.toString()));
        assertEquals("Error: <cmdline>:1:13: No such file or directory: table ip nope (at 'nope')\n"
                + "add rule ip nope c accept\n"
                + "            ^^^^\n", cmd.nft("add", "rule", "ip", "nope", "c", "accept"));
    }
}
