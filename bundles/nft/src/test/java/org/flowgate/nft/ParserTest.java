package org.flowgate.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.flowgate.api.ruleset.RulesetException;
import org.flowgate.nft.engine.NftEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParserTest {

    static String resource(String name) throws IOException {
        try (InputStream in = ParserTest.class.getResourceAsStream("/seeds/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** list, load the listing, list again: the same text. */
    static String roundTrip(String text) throws RulesetException {
        NftEngine e = new NftEngine();
        e.load(text, "input.nft");
        String first = e.list();
        NftEngine again = new NftEngine();
        again.load(first, "listing.nft");
        assertEquals(first, again.list(), "listing must load back unchanged");
        return first;
    }

    @Test
    void everyConstructLoadsAndRoundTrips() throws Exception {
        String out = roundTrip(resource("full.nft"));
        assertTrue(out.contains("type filter hook input priority filter; policy drop;"), out);
        assertTrue(out.contains("ct state established,related accept"), out);
        assertTrue(out.contains("ip saddr @blocklist counter packets 0 bytes 0 drop"), out);
        assertTrue(out.contains("elements = { 203.0.113.0/24, 198.51.100.7, 198.51.100.20-198.51.100.30 }"), out);
        assertTrue(out.contains("elements = { 2001:db8::/32, fe80::1 }"), out);
        assertTrue(out.contains("tcp dport @admin_ports ip saddr { 10.0.0.0/8, 192.168.1.1 } counter name \"ssh_hits\" accept"), out);
        assertTrue(out.contains("tcp flags & (syn | ack) == syn tcp dport 1024-65535 log prefix \"high syn \" level info"), out);
        assertTrue(out.contains("udp dport 53 accept comment \"dns\""), out);
        assertTrue(out.contains("iifname { \"lan0\", \"lan1\" } oifname \"eth0\" accept"), out);
        assertTrue(out.contains("oifname != \"eth0\" ip daddr != 10.0.0.0/8 drop"), out);
        assertTrue(out.contains("meta mark set tcp dport map @port_marks"), out);
        assertTrue(out.contains("iifname vmap { \"lan0\" : accept, \"dmz0\" : jump web }"), out);
        assertTrue(out.contains("ct state established,related flow add @ft"), out);
        assertTrue(out.contains("ip protocol tcp flow offload @ft counter packets 0 bytes 0"), out);
        assertTrue(out.contains("limit rate 10/second burst 5 packets"), out);
        assertTrue(out.contains("limit rate over 1000 bytes/second burst 2000 bytes drop"), out);
        assertTrue(out.contains("reject with icmpx admin-prohibited"), out);
        assertTrue(out.contains("reject with tcp reset"), out);
        assertTrue(out.contains("type filter hook ingress device \"eth0\" priority -500; policy accept;"), out);
        assertTrue(out.contains("iifname \"eth0\" tcp dport 9000-9010 dnat to 10.0.0.30-10.0.0.31:9000-9010"), out);
        assertTrue(out.contains("type nat hook postrouting priority 105; policy accept;"), out);
        assertTrue(out.contains("masquerade to :1024-65535 fully-random,persistent"), out);
        assertTrue(out.contains("snat to [2001:db8::1]:1000-2000"), out);
        assertTrue(out.contains("flowtable ft {\n\t\thook ingress priority filter\n\t\tdevices = { eth0, lan0 }\n\t\tflags offload\n\t\tcounter\n\t}"), out);
        assertTrue(out.contains("udp dport 4789 notrack"), out);
        assertTrue(out.contains("iifname \"guest0\" ct zone set 7"), out);
        assertTrue(out.contains("ct mark 0x00000002 ct zone 3 ct direction original ct status assured ct label 5 accept"), out);
        assertTrue(out.contains("type route hook output priority mangle; policy accept;"), out);
        assertTrue(out.contains("type ipv4_addr . inet_service\n\t\telements = { 10.0.0.1 . 22, 192.168.1.1 . 443 }"), out);
        assertTrue(out.contains("type ipv4_addr . ipv4_addr\n"), out);
        assertTrue(out.contains("ip saddr . ip daddr != @pairs ip daddr . ip protocol { 10.0.0.1 . tcp, 10.0.0.2 . udp } counter"), out);
    }

    @Test
    void seedFlowOffloadExampleLoads() throws Exception {
        String out = roundTrip(resource("flow-offload-2017.nft"));
        assertEquals("""
                table inet x {
                \tchain y {
                \t\ttype filter hook forward priority filter; policy accept;
                \t\tip protocol tcp flow offload counter packets 0 bytes 0
                \t}
                }
                """, out);
    }

    @Test
    void kernelNatRulesetLoadsVerbatim() throws Exception {
        String out = roundTrip(resource("kernel-nat.nft"));
        assertTrue(out.contains("ct state new iifname \"ceora\" counter packets 0 bytes 0 accept"), out);
        assertTrue(out.contains("oifname \"ceorb\" masquerade"), out);
    }

    @Test
    void includeIsRelativeToTheIncludingFile(@TempDir Path dir) throws Exception {
        Path sub = Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(sub.resolve("defs.nft"), "define ssh = 22\ninclude \"chains.nft\"\n");
        Files.writeString(sub.resolve("chains.nft"), "table ip t {\n chain c {\n  tcp dport $ssh accept\n }\n}\n");
        Path main = dir.resolve("main.nft");
        Files.writeString(main, "include \"conf.d/defs.nft\"\nadd rule ip t c udp dport $ssh drop\n");
        NftEngine e = new NftEngine();
        e.load(Files.readString(main), main.toString());
        assertTrue(e.list().contains("tcp dport 22 accept\n\t\tudp dport 22 drop"), e.list());
    }

    @Test
    void includeGlobsInNameOrder(@TempDir Path dir) throws Exception {
        Path d = Files.createDirectories(dir.resolve("nftables.d"));
        Files.writeString(d.resolve("20-rules.nft"), "add rule ip t c udp dport 2 accept\n");
        Files.writeString(d.resolve("10-table.nft"), "table ip t {\n chain c {\n  udp dport 1 accept\n }\n}\n");
        Files.writeString(d.resolve("README"), "not nft\n");
        Path main = dir.resolve("main.nft");
        Files.writeString(main, "include \"nftables.d/*.nft\"\ninclude \"nftables.d/*.none\"\n");
        NftEngine e = new NftEngine();
        e.load(Files.readString(main), main.toString());
        assertTrue(e.list().contains("udp dport 1 accept\n\t\tudp dport 2 accept"), e.list());
    }

    @Test
    void commandsEditTheRunningRulesetWithHandles() throws Exception {
        NftEngine e = new NftEngine();
        e.load("table ip t {\n set s { type ipv4_addr; }\n chain c {\n  ip saddr @s drop\n }\n}\n", "a.nft");
        e.execute("add rule ip t c tcp dport 22 accept", "<cmdline>");
        e.execute("insert rule ip t c udp dport 53 accept", "<cmdline>");
        e.execute("add element ip t s { 10.0.0.1, 10.0.0.2 }", "<cmdline>");
        String withHandles = e.execute("list chain ip t c", "<cmdline>");
        assertEquals("""
                table ip t { # handle 1
                \tchain c { # handle 2
                \t\tudp dport 53 accept # handle 5
                \t\tip saddr @s drop # handle 3
                \t\ttcp dport 22 accept # handle 4
                \t}
                }
                """, withHandles);
        e.execute("delete rule ip t c handle 3", "<cmdline>");
        e.execute("delete element ip t s { 10.0.0.1 }", "<cmdline>");
        e.execute("add rule ip t c position 5 ip daddr 1.2.3.4 drop", "<cmdline>");
        assertEquals("""
                table ip t {
                \tset s {
                \t\ttype ipv4_addr
                \t\telements = { 10.0.0.2 }
                \t}

                \tchain c {
                \t\tudp dport 53 accept
                \t\tip daddr 1.2.3.4 drop
                \t\ttcp dport 22 accept
                \t}
                }
                """, e.list());
        assertEquals("table ip t\n", e.execute("list tables", "<cmdline>"));
        e.execute("flush ruleset", "<cmdline>");
        assertEquals("", e.list());
    }

    @Test
    void nftDashFIsAdditiveLikeLinuxAndLoadReplaces() throws Exception {
        NftEngine e = new NftEngine();
        String file = "table ip t {\n chain c {\n  accept\n }\n}\n";
        e.execute(file, "f.nft");
        e.execute(file, "f.nft");
        assertEquals(2, e.list().split("accept", -1).length - 1, "nft -f twice adds the rule twice, as in Linux");
        e.load(file, "f.nft");
        assertEquals(1, e.list().split("accept", -1).length - 1, "load replaces");
    }

    @Test
    void countersSurviveIncrementalChangesAndListWithValues() throws Exception {
        NftEngine e = new NftEngine();
        e.load("table ip t {\n chain c {\n  type filter hook input priority 0; policy accept;\n  counter\n }\n}\n", "a");
        e.process(org.flowgate.api.hook.Hook.INPUT, 0, Frames.udp4("1.1.1.1", "2.2.2.2", 1, 2));
        e.execute("add rule ip t c accept", "<cmdline>");
        assertTrue(e.list().contains("counter packets 1 bytes 28"), e.list());
        e.execute("reset counters", "<cmdline>");
        assertTrue(e.list().contains("counter packets 0 bytes 0"), e.list());
    }
}
