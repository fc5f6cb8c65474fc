package org.flowgate.nft;

import static org.flowgate.api.hook.Verdict.ACCEPT;
import static org.flowgate.api.hook.Verdict.DROP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.flowgate.api.conntrack.CtState;
import org.flowgate.api.hook.Hook;
import org.flowgate.api.packet.Packet;
import org.flowgate.nft.engine.NftEngine;
import org.junit.jupiter.api.Test;

/** Rulesets written the way people write them: one-liners, semicolons, common idioms. */
class IdiomsTest {
    @Test
    void oneLineTablesAndCommonIdioms() throws Exception {
        NftEngine e = new NftEngine();
        e.load("""
                table inet fw { chain in { type filter hook input priority 0; policy drop; ct state vmap { established : accept, related : accept, invalid : drop }; iif lo accept; ip protocol vmap { tcp : jump tcp_in, udp : jump udp_in }; } chain tcp_in { tcp dport != { 22, 80 } return; counter accept; } chain udp_in { meta l4proto { tcp, udp } th dport 53 accept } }
                table ip nat { chain post { type nat hook postrouting priority 100; ip saddr 192.168.0.0/16 ip daddr != 192.168.0.0/16 masquerade; } }
                """, "one-line.nft");
        Packet est = Frames.tcp4("1.1.1.1", "2.2.2.2", 9, 9999, 0x10);
        est.setCtState(CtState.ESTABLISHED);
        assertEquals(ACCEPT, e.process(Hook.INPUT, 0, est));
        Packet inv = Frames.tcp4("1.1.1.1", "2.2.2.2", 9, 22, 0x10);
        inv.setCtState(CtState.INVALID);
        assertEquals(DROP, e.process(Hook.INPUT, 0, inv));
        Packet ssh = Frames.tcp4("1.1.1.1", "2.2.2.2", 9, 22, 0x02);
        ssh.setCtState(CtState.NEW);
        assertEquals(ACCEPT, e.process(Hook.INPUT, 0, ssh));
        Packet other = Frames.tcp4("1.1.1.1", "2.2.2.2", 9, 23, 0x02);
        other.setCtState(CtState.NEW);
        assertEquals(DROP, e.process(Hook.INPUT, 0, other));
        Packet dns = Frames.udp4("1.1.1.1", "2.2.2.2", 9, 53);
        dns.setCtState(CtState.NEW);
        assertEquals(ACCEPT, e.process(Hook.INPUT, 0, dns));
        String l = e.list();
        assertTrue(l.contains("ct state vmap { established : accept, related : accept, invalid : drop }"), l);
        NftEngine again = new NftEngine();
        again.load(l, "listing");
        assertEquals(l, again.list());
    }

    @Test
    void tcpFlagsWithSlashMask() throws Exception {
        NftEngine e = new NftEngine();
        e.load("table ip t {\n chain c {\n  type filter hook input priority 0; policy accept;\n  tcp flags syn / fin,syn,rst,ack drop\n }\n}\n", "f.nft");
        assertEquals(DROP, e.process(Hook.INPUT, 0, Frames.tcp4("1.1.1.1", "2.2.2.2", 1, 2, 0x02)));
        assertEquals(DROP, e.process(Hook.INPUT, 0, Frames.tcp4("1.1.1.1", "2.2.2.2", 1, 2, 0x02 | 0x08)), "psh is outside the mask");
        assertEquals(ACCEPT, e.process(Hook.INPUT, 0, Frames.tcp4("1.1.1.1", "2.2.2.2", 1, 2, 0x12)));
        assertTrue(e.list().contains("tcp flags & (fin | syn | rst | ack) == syn drop"), e.list());
    }

    @Test
    void notrackOnlyBeforeConntrack() {
        var ex = org.junit.jupiter.api.Assertions.assertThrows(org.flowgate.api.ruleset.RulesetException.class, () -> new NftEngine().load(
                "table ip t {\n chain c {\n  type filter hook forward priority 0;\n  udp dport 1 notrack\n }\n}\n", "n.nft"));
        assertEquals(4, ex.line());
    }
}
