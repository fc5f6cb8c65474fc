package org.flowgate.nft;

import static org.flowgate.api.hook.Verdict.ACCEPT;
import static org.flowgate.api.hook.Verdict.DROP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.flowgate.api.conntrack.CtState;
import org.flowgate.api.conntrack.CtStatus;
import org.flowgate.api.conntrack.NatRange;
import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.netdev.LocalOutput;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.Checksums;
import org.flowgate.api.packet.Packet;
import org.flowgate.nft.engine.NftEngine;
import org.flowgate.nft.engine.NftEngine.HookKey;
import org.junit.jupiter.api.Test;

/** Rules evaluated against real frames. */
class EvalTest {
    static final NetDevice LAN0 = Frames.dev("lan0", 2), LAN1 = Frames.dev("lan1", 3), WAN = Frames.dev("eth0", 4);

    static NftEngine engine(String ruleset) throws Exception {
        NftEngine e = new NftEngine();
        e.load(ruleset, "test.nft");
        return e;
    }

    /** A filter chain at input with the given rules and policy drop. */
    static NftEngine input(String... rules) throws Exception {
        return engine("table inet t {\n chain c {\n  type filter hook input priority 0; policy drop;\n  "
                + String.join("\n  ", rules) + "\n }\n}\n");
    }

    static Verdict in(NftEngine e, Packet p) { return e.process(Hook.INPUT, 0, p); }

    static Packet from(NetDevice in, Packet p) { p.setInDevice(in); return p; }

    @Test
    void policiesAndFamilies() throws Exception {
        NftEngine e = engine("table ip v4 {\n chain c {\n  type filter hook input priority 0; policy drop;\n }\n}\n"
                + "table ip6 v6 {\n chain c {\n  type filter hook input priority 0; policy accept;\n }\n}\n");
        assertEquals(DROP, in(e, Frames.udp4("10.0.0.1", "10.0.0.2", 1, 2)));
        assertEquals(ACCEPT, in(e, Frames.udp6("2001:db8::1", "2001:db8::2", 1, 2)), "an ip table does not see IPv6");
        assertEquals(ACCEPT, in(e, Frames.arp()), "ip, ip6 and inet tables do not see ARP");
        assertEquals(ACCEPT, e.process(Hook.FORWARD, 0, Frames.udp4("10.0.0.1", "10.0.0.2", 1, 2)), "no chain at forward");
    }

    @Test
    void acceptInOneBaseChainDoesNotSkipTheNext() throws Exception {
        NftEngine e = engine("table ip a {\n chain c {\n  type filter hook input priority 0;\n  accept\n }\n}\n"
                + "table ip b {\n chain c {\n  type filter hook input priority 0;\n  udp dport 53 drop\n }\n}\n");
        assertEquals(DROP, in(e, Frames.udp4("10.0.0.1", "10.0.0.2", 1, 53)));
        assertEquals(ACCEPT, in(e, Frames.udp4("10.0.0.1", "10.0.0.2", 1, 54)));
    }

    @Test
    void addressPortAndProtocolMatches() throws Exception {
        NftEngine e = input("ip saddr 10.0.0.0/8 ip daddr 192.168.1.10-192.168.1.20 tcp dport { 22, 80, 8000-8100 } accept",
                "ip6 saddr 2001:db8::/32 th dport != 22 accept",
                "meta l4proto udp udp sport 53 accept",
                "icmp type echo-request accept",
                "icmpv6 type nd-neighbor-solicit accept",
                "ip ttl < 10 udp dport 9 accept");
        assertEquals(ACCEPT, in(e, Frames.tcp4("10.1.2.3", "192.168.1.15", 1000, 8080, 0x02)));
        assertEquals(DROP, in(e, Frames.tcp4("11.1.2.3", "192.168.1.15", 1000, 8080, 0x02)));
        assertEquals(DROP, in(e, Frames.tcp4("10.1.2.3", "192.168.1.21", 1000, 8080, 0x02)));
        assertEquals(DROP, in(e, Frames.tcp4("10.1.2.3", "192.168.1.15", 1000, 8101, 0x02)));
        assertEquals(ACCEPT, in(e, Frames.udp6("2001:db8:1::1", "2001:db8::2", 1000, 23)));
        assertEquals(DROP, in(e, Frames.udp6("2001:db8:1::1", "2001:db8::2", 1000, 22)));
        assertEquals(DROP, in(e, Frames.udp6("2001:db9::1", "2001:db8::2", 1000, 23)));
        assertEquals(ACCEPT, in(e, Frames.udp4("8.8.8.8", "10.0.0.1", 53, 4000)));
        assertEquals(DROP, in(e, Frames.tcp4("8.8.8.8", "10.0.0.1", 53, 4000, 0x10)), "udp sport does not match tcp");
        assertEquals(ACCEPT, in(e, Frames.icmp4("8.8.8.8", "10.0.0.1", 8)));
        assertEquals(DROP, in(e, Frames.icmp4("8.8.8.8", "10.0.0.1", 0)));
        assertEquals(ACCEPT, in(e, Frames.icmp6("fe80::1", "fe80::2", 135)));
        assertEquals(DROP, in(e, Frames.udp4("8.8.8.8", "10.0.0.1", 1, 9)), "ttl 64 is not < 10");
    }

    @Test
    void notEqualBreaksWhenTheFieldIsMissing() throws Exception {
        NftEngine e = input("tcp dport != 22 accept");
        assertEquals(ACCEPT, in(e, Frames.tcp4("1.1.1.1", "2.2.2.2", 1, 23, 0x02)));
        assertEquals(DROP, in(e, Frames.udp4("1.1.1.1", "2.2.2.2", 1, 23)), "a udp packet has no tcp dport");
    }

    @Test
    void tcpFlagsAndCtState() throws Exception {
        NftEngine e = input("tcp flags & (syn | ack) == syn tcp dport 1 accept", "tcp flags rst tcp dport 2 accept",
                "ct state established,related accept", "ct state new tcp dport 3 accept", "ct state invalid tcp dport 4 accept");
        assertEquals(ACCEPT, in(e, Frames.tcp4("1.1.1.1", "2.2.2.2", 9, 1, 0x02)));
        assertEquals(DROP, in(e, Frames.tcp4("1.1.1.1", "2.2.2.2", 9, 1, 0x12)), "syn+ack is not syn alone");
        assertEquals(ACCEPT, in(e, Frames.tcp4("1.1.1.1", "2.2.2.2", 9, 2, 0x14)), "implicit flag match: any of the bits");
        Packet est = Frames.tcp4("1.1.1.1", "2.2.2.2", 9, 99, 0x10);
        est.setCtState(CtState.ESTABLISHED);
        assertEquals(ACCEPT, in(e, est));
        Packet nw = Frames.tcp4("1.1.1.1", "2.2.2.2", 9, 3, 0x02);
        nw.setCtState(CtState.NEW);
        assertEquals(ACCEPT, in(e, nw));
        assertEquals(ACCEPT, in(e, Frames.tcp4("1.1.1.1", "2.2.2.2", 9, 4, 0x02)), "no conntrack: ct state reads invalid");
    }

    @Test
    void interfaceNamesWildcardsAndNamedSets() throws Exception {
        NftEngine e = engine("table inet t {\n set lans { type ifname; elements = { \"lan0\" } }\n"
                + " chain f {\n  type filter hook forward priority 0; policy drop;\n"
                + "  iifname @lans oifname \"eth*\" accept\n  iifname != \"lan1\" oif \"lan1\" accept\n }\n}\n");
        Packet p = Frames.udp4("10.0.0.1", "8.8.8.8", 1, 2);
        p.setInDevice(LAN0);
        p.setOutDevice(WAN);
        for (int i = 0; i < 3; i++) assertEquals(ACCEPT, e.process(Hook.FORWARD, 0, p), "cached answer stays right");
        p.setInDevice(LAN1);
        assertEquals(DROP, e.process(Hook.FORWARD, 0, p));
        e.execute("add element inet t lans { \"lan1\" }", "<cmdline>");
        assertEquals(ACCEPT, e.process(Hook.FORWARD, 0, p), "element added at runtime");
        e.execute("delete element inet t lans { \"lan0\" }", "<cmdline>");
        p.setInDevice(LAN0);
        assertEquals(DROP, e.process(Hook.FORWARD, 0, p), "element deleted at runtime");
        p.setOutDevice(LAN1);
        assertEquals(ACCEPT, e.process(Hook.FORWARD, 0, p));
        p.setInDevice(Frames.dev("lan1", 9));
        assertEquals(DROP, e.process(Hook.FORWARD, 0, p), "another device object with the same name");
    }

    @Test
    void namedIntervalSetsOfAddresses() throws Exception {
        NftEngine e = engine("table inet t {\n set block { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 192.168.0.5 } }\n"
                + " set block6 { type ipv6_addr; flags interval; }\n"
                + " chain c {\n  type filter hook input priority 0; policy accept;\n  ip saddr @block drop\n  ip6 saddr @block6 drop\n }\n}\n");
        assertEquals(DROP, in(e, Frames.udp4("10.200.0.1", "1.1.1.1", 1, 2)));
        assertEquals(DROP, in(e, Frames.udp4("192.168.0.5", "1.1.1.1", 1, 2)));
        assertEquals(ACCEPT, in(e, Frames.udp4("192.168.0.6", "1.1.1.1", 1, 2)));
        assertEquals(ACCEPT, in(e, Frames.udp6("2001:db8::5", "::1", 1, 2)));
        e.execute("add element inet t block6 { 2001:db8::/64 }", "<cmdline>");
        assertEquals(DROP, in(e, Frames.udp6("2001:db8::5", "::1", 1, 2)));
        assertEquals(ACCEPT, in(e, Frames.udp6("2001:db8:0:1::5", "::1", 1, 2)));
        e.execute("add element inet t block { 172.16.0.0-172.16.0.9 }", "<cmdline>");
        assertEquals(DROP, in(e, Frames.udp4("172.16.0.9", "1.1.1.1", 1, 2)));
        assertEquals(ACCEPT, in(e, Frames.udp4("172.16.0.10", "1.1.1.1", 1, 2)));
    }

    @Test
    void concatenations() throws Exception {
        NftEngine e = engine("""
                table ip t {
                 set allowed { type ipv4_addr . inet_service; elements = { 10.0.0.1 . 22 } }
                 set pairs { typeof ip saddr . ip daddr; elements = { 200.1.1.1 . 250.2.2.2 } }
                 chain c {
                  type filter hook input priority 0; policy drop;
                  ip saddr . tcp dport @allowed accept
                  ip saddr . ip daddr @pairs accept
                  ip daddr . meta l4proto . udp dport { 10.9.9.9 . udp . 53 } accept
                 }
                }
                """);
        assertEquals(ACCEPT, in(e, Frames.tcp4("10.0.0.1", "1.1.1.1", 999, 22, 0x02)));
        assertEquals(DROP, in(e, Frames.tcp4("10.0.0.1", "1.1.1.1", 999, 23, 0x02)));
        assertEquals(DROP, in(e, Frames.tcp4("10.0.0.2", "1.1.1.1", 999, 22, 0x02)));
        assertEquals(DROP, in(e, Frames.udp4("10.0.0.1", "1.1.1.1", 999, 22)), "udp has no tcp dport");
        assertEquals(ACCEPT, in(e, Frames.udp4("200.1.1.1", "250.2.2.2", 1, 2)), "64-bit keys compare unsigned");
        assertEquals(DROP, in(e, Frames.udp4("250.2.2.2", "200.1.1.1", 1, 2)));
        assertEquals(ACCEPT, in(e, Frames.udp4("1.1.1.1", "10.9.9.9", 1, 53)));
        assertEquals(DROP, in(e, Frames.udp4("1.1.1.1", "10.9.9.9", 1, 54)));
        e.execute("add element ip t allowed { 10.0.0.2 . 22 }", "<cmdline>");
        assertEquals(ACCEPT, in(e, Frames.tcp4("10.0.0.2", "1.1.1.1", 999, 22, 0x02)));
    }

    @Test
    void largeSetLookup() throws Exception {
        StringBuilder sb = new StringBuilder("table ip t {\n set big { type ipv4_addr; elements = { ");
        for (int i = 0; i < 10_000; i++) sb.append(i == 0 ? "" : ", ").append("10.").append(i >> 8).append('.').append(i & 255).append(".1");
        sb.append(" } }\n chain c {\n  type filter hook input priority 0; policy accept;\n  ip saddr @big drop\n }\n}\n");
        NftEngine e = engine(sb.toString());
        assertEquals(DROP, in(e, Frames.udp4("10.39.15.1", "1.1.1.1", 1, 2)));
        assertEquals(ACCEPT, in(e, Frames.udp4("10.39.15.2", "1.1.1.1", 1, 2)));
        assertEquals(ACCEPT, in(e, Frames.udp4("10.39.16.1", "1.1.1.1", 1, 2)), "10000 = 39*256+16 is past the end");
    }

    @Test
    void jumpReturnGotoAndContinue() throws Exception {
        NftEngine e = engine("""
                table ip t {
                 chain base {
                  type filter hook input priority 0; policy drop;
                  udp dport 1 jump sub
                  udp dport 1 counter accept
                  udp dport 2 goto sub
                  udp dport 2 accept
                  udp dport 3 jump sub
                 }
                 chain sub {
                  udp dport 3 accept
                  continue
                  return
                  drop
                 }
                }
                """);
        assertEquals(ACCEPT, in(e, Frames.udp4("1.1.1.1", "2.2.2.2", 9, 1)), "return resumes after the jump");
        assertEquals(DROP, in(e, Frames.udp4("1.1.1.1", "2.2.2.2", 9, 2)), "return from a goto target ends the base chain: policy");
        assertEquals(ACCEPT, in(e, Frames.udp4("1.1.1.1", "2.2.2.2", 9, 3)), "accept in a jumped-to chain is final");
        assertTrue(e.list().contains("udp dport 1 counter packets 1 bytes 28 accept"), e.list());
    }

    @Test
    void verdictMapsAndMaps() throws Exception {
        NftEngine e = engine("""
                table inet t {
                 map ports { type inet_service : verdict; elements = { 22 : accept, 23 : drop, 80 : jump web } }
                 map marks { type inet_service : mark; elements = { 80 : 0x10, 443 : 0x20 } }
                 chain c {
                  type filter hook input priority 0; policy drop;
                  meta mark set tcp dport map @marks
                  tcp dport vmap @ports
                  udp dport vmap { 53 : accept, 1000-2000 : accept }
                  tcp dport 24 accept
                 }
                 chain web {
                  meta mark 0x10 accept
                 }
                }
                """);
        assertEquals(ACCEPT, in(e, Frames.tcp4("1.1.1.1", "2.2.2.2", 9, 22, 0x02)));
        assertEquals(DROP, in(e, Frames.tcp4("1.1.1.1", "2.2.2.2", 9, 23, 0x02)));
        assertEquals(ACCEPT, in(e, Frames.tcp4("1.1.1.1", "2.2.2.2", 9, 24, 0x02)), "no element: next rule");
        Packet web = Frames.tcp4("1.1.1.1", "2.2.2.2", 9, 80, 0x02);
        assertEquals(ACCEPT, in(e, web), "jump from a vmap; the mark map ran first");
        assertEquals(0x10, web.mark());
        assertEquals(ACCEPT, in(e, Frames.udp4("1.1.1.1", "2.2.2.2", 9, 1500)));
        assertEquals(DROP, in(e, Frames.udp4("1.1.1.1", "2.2.2.2", 9, 2001)));
        e.execute("add element inet t ports { 25 : accept }", "<cmdline>");
        assertEquals(ACCEPT, in(e, Frames.tcp4("1.1.1.1", "2.2.2.2", 9, 25, 0x02)));
    }

    @Test
    void countersCountPacketsAndIpBytes() throws Exception {
        NftEngine e = engine("table ip t {\n counter named { }\n chain c {\n  type filter hook input priority 0;\n"
                + "  counter\n  tcp dport 22 counter name named\n }\n}\n");
        for (int i = 0; i < 3; i++) in(e, Frames.tcp4("1.1.1.1", "2.2.2.2", 9, 22, 0x02));
        in(e, Frames.udp4("1.1.1.1", "2.2.2.2", 9, 22));
        String l = e.list();
        assertTrue(l.contains("\t\tcounter packets 4 bytes 148\n"), l); // 3 * 40 + 28
        assertTrue(l.contains("counter named {\n\t\tpackets 3 bytes 120\n\t}"), l);
    }

    @Test
    void limitRatePassesTheBurstThenBreaks() throws Exception {
        NftEngine e = input("limit rate 1/minute burst 2 packets accept");
        List<Verdict> v = new ArrayList<>();
        for (int i = 0; i < 6; i++) v.add(in(e, Frames.udp4("1.1.1.1", "2.2.2.2", 9, 1)));
        assertEquals(List.of(ACCEPT, ACCEPT, DROP, DROP, DROP, DROP), v, "burst 2: two at once, as the kernel's nft_limit");
        NftEngine dflt = input("limit rate 1/minute accept");
        int passed = 0;
        for (int i = 0; i < 8; i++) if (in(dflt, Frames.udp4("1.1.1.1", "2.2.2.2", 9, 1)) == ACCEPT) passed++;
        assertEquals(5, passed, "default burst: 5 packets");
        NftEngine over = input("limit rate over 1/minute burst 1 packets drop", "accept");
        assertEquals(ACCEPT, in(over, Frames.udp4("1.1.1.1", "2.2.2.2", 9, 1)));
        assertEquals(DROP, in(over, Frames.udp4("1.1.1.1", "2.2.2.2", 9, 1)));
    }

    @Test
    void metaAndCtFieldsAndSetStatements() throws Exception {
        NftEngine e = engine("""
                table inet t {
                 chain raw {
                  type filter hook prerouting priority raw; policy accept;
                  udp dport 4789 notrack
                  iifname "lan1" ct zone set 7
                 }
                 chain c {
                  type filter hook input priority 0; policy drop;
                  meta mark set 0x42 ct mark set meta mark ct label set 70
                  ct mark 0x42 ct zone 3 ct direction reply ct status assured ct label 70 meta mark 0x42 accept
                 }
                }
                """);
        Packet vx = Frames.udp4("1.1.1.1", "2.2.2.2", 9, 4789);
        assertEquals(ACCEPT, e.process(Hook.PREROUTING, -300, vx));
        assertEquals(CtState.UNTRACKED, vx.ctState());
        Packet z = from(LAN1, Frames.udp4("1.1.1.1", "2.2.2.2", 9, 1));
        e.process(Hook.PREROUTING, -300, z);
        assertEquals(7, z.ctZone());

        Frames.Conn conn = new Frames.Conn();
        conn.zone = 3;
        conn.status = CtStatus.ASSURED | CtStatus.CONFIRMED;
        Packet p = Frames.tcp4("1.1.1.1", "2.2.2.2", 9, 1, 0x10);
        p.setConn(conn.entry());
        p.setCtState(CtState.ESTABLISHED);
        p.setCtDirection(1);
        assertEquals(ACCEPT, in(e, p));
        assertEquals(0x42, p.mark());
        assertEquals(0x42, conn.mark);
        assertEquals(1L << 6, conn.labelsHi);
        Packet noConn = Frames.tcp4("1.1.1.1", "2.2.2.2", 9, 1, 0x10);
        assertEquals(DROP, in(e, noConn), "ct mark of a packet without a connection does not match");
    }

    @Test
    void pkttypeLengthAndDscp() throws Exception {
        NftEngine e = input("meta pkttype host meta length 28 ip length 28 ip dscp cs0 meta nfproto ipv4 meta protocol ip accept",
                "meta protocol ip6 icmpv6 type destination-unreachable icmpv6 code 4 accept", "icmp type destination-unreachable icmp code 3 accept");
        Packet unreach6 = Frames.ip6(58, "2001:db8::1", "2001:db8::2", new byte[] {1, 4, 0, 0, 0, 0, 0, 0});
        assertEquals(ACCEPT, in(e, unreach6));
        assertEquals(DROP, in(e, Frames.ip6(58, "2001:db8::1", "2001:db8::2", new byte[] {1, 3, 0, 0, 0, 0, 0, 0})));
        assertEquals(ACCEPT, in(e, Frames.ip4(1, "10.0.0.1", "10.0.0.2", new byte[] {3, 3, 0, 0, 0, 0, 0, 0})));
        assertEquals(ACCEPT, in(e, from(Frames.dev("x", 5), Frames.udp4("1.1.1.1", "2.2.2.2", 9, 1))));
        assertEquals(DROP, in(e, from(Frames.dev("x", 5), Frames.tcp4("1.1.1.1", "2.2.2.2", 9, 1, 2))));
    }

    @Test
    void ingressChainWithDevice() throws Exception {
        NftEngine e = engine("table inet t {\n chain i {\n  type filter hook ingress device \"eth0\" priority -500; policy drop;\n }\n}\n");
        assertEquals(DROP, e.process(Hook.INGRESS, -500, from(WAN, Frames.udp4("1.1.1.1", "2.2.2.2", 9, 1))));
        assertEquals(ACCEPT, e.process(Hook.INGRESS, -500, from(LAN0, Frames.udp4("1.1.1.1", "2.2.2.2", 9, 1))));
    }

    @Test
    void natBindsOnTheFirstPacketOnlyAndAccepts() throws Exception {
        NftEngine e = engine("""
                table ip nat {
                 chain pre {
                  type nat hook prerouting priority dstnat; policy accept;
                  tcp dport 8022 dnat to 10.0.0.22:22
                 }
                 chain post {
                  type nat hook postrouting priority srcnat; policy accept;
                  oifname "eth0" masquerade
                  oifname "eth0" drop
                 }
                }
                """);
        Packet first = Frames.tcp4("192.0.2.1", "198.51.100.1", 5000, 8022, 0x02);
        first.setCtState(CtState.NEW);
        assertEquals(DROP, e.process(Hook.PREROUTING, -100, first));
        assertEquals(1, e.services().natWithoutConntrack.packets(), "no conntrack: nat drops and counts");

        Frames.Tracker t = new Frames.Tracker();
        e.services().connTracker = t.service();
        assertEquals(ACCEPT, e.process(Hook.PREROUTING, -100, first));
        assertEquals(List.of(new NatRange(NatRange.Kind.DNAT, IpAddress.parse("10.0.0.22"), IpAddress.parse("10.0.0.22"), 22, 22, false)), t.bound);
        Packet later = Frames.tcp4("192.0.2.1", "198.51.100.1", 5000, 8022, 0x10);
        later.setCtState(CtState.ESTABLISHED);
        later.setConn(new Frames.Conn().entry());
        e.process(Hook.PREROUTING, -100, later);
        assertEquals(1, t.bound.size(), "nat chains see only a connection's first packet");

        Packet out = Frames.tcp4("10.0.0.5", "8.8.8.8", 5000, 80, 0x02);
        out.setCtState(CtState.NEW);
        out.setOutDevice(WAN);
        assertEquals(ACCEPT, e.process(Hook.POSTROUTING, 100, out), "masquerade is terminal, the drop after it is not reached");
        assertEquals(NatRange.Kind.MASQUERADE, t.bound.get(1).kind());
        t.answer = false;
        assertEquals(DROP, e.process(Hook.POSTROUTING, 100, out), "no free tuple: drop");
        assertEquals(1, e.services().natExhausted.packets());
    }

    @Test
    void flowOffloadStatementsFeedTheFlowTableService() throws Exception {
        NftEngine e = engine("""
                table inet f {
                 flowtable ft { hook ingress priority 0; devices = { eth0, lan0 }; flags offload; }
                 chain fwd {
                  type filter hook forward priority 0; policy accept;
                  ip protocol tcp flow add @ft
                 }
                }
                table inet x {
                 chain y {
                  type filter hook forward priority 0; policy accept;
                  ip protocol tcp flow offload counter
                 }
                }
                """);
        Packet p = Frames.tcp4("1.1.1.1", "2.2.2.2", 9, 1, 0x10);
        assertEquals(ACCEPT, e.process(Hook.FORWARD, 0, p));
        assertEquals(2, e.services().flowWithoutTable.packets(), "no flow table service yet: counted no-op");
        Frames.FlowTables fts = new Frames.FlowTables();
        e.setFlowTableService(fts.service());
        assertEquals(2, fts.specs.size());
        assertEquals(Set.of("eth0", "lan0"), fts.specs.get(0).devices());
        assertTrue(fts.specs.get(0).hardwareOffload());
        assertEquals("flow-offload", fts.specs.get(1).name(), "bare flow offload gets the table's implicit flow table");
        e.process(Hook.FORWARD, 0, p);
        e.process(Hook.FORWARD, 0, Frames.udp4("1.1.1.1", "2.2.2.2", 9, 1));
        assertEquals(1, fts.offers.get("inet f ft")[0]);
        assertEquals(1, fts.offers.get("inet x flow-offload")[0]);
        e.setFlowTableService(null);
        e.process(Hook.FORWARD, 0, p);
        assertEquals(4, e.services().flowWithoutTable.packets());
    }

    /** Captures what reject sends. */
    public static final class Out {
        final List<byte[]> sent = new ArrayList<>();

        public boolean send(Packet p) {
            sent.add(p.toByteArray());
            return true;
        }
    }

    @Test
    void rejectSendsTcpResetAndIcmpUnreachable() throws Exception {
        NftEngine e = input("tcp dport 23 reject with tcp reset", "udp dport 9 reject", "ip6 nexthdr udp reject with icmpv6 admin-prohibited");
        assertEquals(DROP, in(e, Frames.tcp4("192.0.2.1", "198.51.100.1", 5000, 23, 0x02)));
        assertEquals(1, e.services().rejectNotSent.packets(), "no LocalOutput: plain drop, counted");

        Out out = new Out();
        e.services().localOutput = Frames.fake(LocalOutput.class, out);
        assertEquals(DROP, in(e, Frames.tcp4("192.0.2.1", "198.51.100.1", 5000, 23, 0x02)));
        Packet rst = parse(out.sent.get(0));
        assertEquals(IpAddress.parse("198.51.100.1").v4(), rst.ipv4Src());
        assertEquals(IpAddress.parse("192.0.2.1").v4(), rst.ipv4Dst());
        assertEquals(23, rst.srcPort());
        assertEquals(5000, rst.dstPort());
        assertEquals(0x14, rst.tcpFlags(), "RST|ACK answering a SYN");
        assertEquals(1001, rst.u32(rst.l4() + 8), "ack = seq + 1 for the SYN");
        assertEquals(0, Checksums.finish(Checksums.sum(rst.array(), rst.l4(), 20,
                Checksums.pseudoV4(rst.ipv4Src(), rst.ipv4Dst(), 6, 20))), "valid TCP checksum");

        Packet udp = from(Frames.dev("lan0", 2, List.of(IpPrefix.parse("10.0.0.1/24"))), Frames.udp4("10.0.0.7", "10.0.0.1", 5000, 9));
        assertEquals(DROP, in(e, udp));
        Packet icmp = parse(out.sent.get(1));
        assertEquals(1, icmp.l4Proto());
        assertEquals(3, icmp.icmpType());
        assertEquals(3, icmp.icmpCode(), "port unreachable");
        assertEquals(IpAddress.parse("10.0.0.1").v4(), icmp.ipv4Src(), "from the receiving interface's address");
        assertEquals(0, Checksums.checksum(icmp.array(), icmp.l4(), icmp.l3End() - icmp.l4()));
        assertEquals(udp.u32(udp.l3() + 12), icmp.u32(icmp.l4() + 8 + 12), "quotes the offending header");

        assertEquals(DROP, in(e, Frames.udp6("2001:db8::7", "2001:db8::1", 5000, 10)));
        Packet icmp6 = parse(out.sent.get(2));
        assertEquals(58, icmp6.l4Proto());
        assertEquals(1, icmp6.icmpType());
        assertEquals(1, icmp6.icmpCode());
        int len = icmp6.l3End() - icmp6.l4();
        assertEquals(0, Checksums.finish(Checksums.sum(icmp6.array(), icmp6.l4(), len,
                Checksums.pseudoV6(icmp6.array(), icmp6.l3() + 8, icmp6.l3() + 24, 58, len))));

        assertEquals(DROP, in(e, Frames.tcp4("192.0.2.1", "198.51.100.1", 5000, 23, 0x04)));
        assertEquals(3, out.sent.size(), "never answer a reset");
    }

    static Packet parse(byte[] frame) {
        Packet p = new Packet();
        p.setFrame(frame, 0, frame.length);
        assertNull(p.parse());
        return p;
    }

    @Test
    void hookPointsFollowTheRuleset() throws Exception {
        NftEngine e = new NftEngine();
        List<String> calls = new ArrayList<>();
        e.setRegistrar(new NftEngine.HookRegistrar() {
            @Override public void ensure(Set<HookKey> points) { calls.add("ensure " + points); }
            @Override public void retainOnly(Set<HookKey> points) { calls.add("retain " + points); }
        });
        calls.clear();
        e.load("table ip t {\n chain a {\n  type filter hook input priority 0;\n }\n chain b {\n  type nat hook postrouting priority srcnat;\n }\n}\n", "x");
        assertEquals(List.of("ensure [HookKey[hook=INPUT, priority=0], HookKey[hook=POSTROUTING, priority=100]]",
                "retain [HookKey[hook=INPUT, priority=0], HookKey[hook=POSTROUTING, priority=100]]"), calls);
        calls.clear();
        e.execute("delete chain ip t b", "x");
        assertEquals(List.of("ensure [HookKey[hook=INPUT, priority=0]]", "retain [HookKey[hook=INPUT, priority=0]]"), calls);
    }
}
