package org.flowgate.tc.command;

import static org.flowgate.tc.support.Frames.*;
import static org.flowgate.tc.support.TcWorld.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.flowgate.api.packet.Packet;
import org.flowgate.tc.service.TcComponent;
import org.flowgate.tc.support.TcWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Gogo commands as a shell user types them (Gogo splits the line into words). */
class TcCommandsTest {
    TcWorld w;
    TcCommands cmd;

    @BeforeEach
    void setUp() {
        w = new TcWorld();
        cmd = new TcCommands(w.tc);
    }

    @AfterEach
    void tearDown() { w.close(); }

    static String[] words(String s) { return s.trim().split("\\s+"); }

    @Test
    void addShowDelete() {
        assertEquals("added: filter protocol ip pref 1 flower chain 0 handle 0x1",
                cmd.filter(words("add dev p0 ingress prio 1 chain 0 proto ip flower src_mac 24:8a:07:a5:28:01 ct_state -trk action ct pipe action goto chain 2")));
        assertTrue(cmd.filter(words("add dev p0 ingress prio 1 chain 2 proto ip flower ct_state +trk+new action ct commit pipe action drop")).startsWith("added"));
        inject(w.p0, eth(HOST_B, HOST_A, 0x0800, ipv4(A_IP, B_IP, Packet.PROTO_UDP, udp(1, 2, new byte[6]))));

        String show = cmd.filter(words("show dev p0 ingress"));
        assertEquals("""
                filter protocol ip pref 1 flower chain 0 handle 0x1
                  src_mac 24:8a:07:a5:28:01 ct_state -trk
                \taction order 1: ct pipe
                \taction order 2: gact goto chain 2
                \tSent 48 bytes 1 pkt
                filter protocol ip pref 1 flower chain 2 handle 0x1
                  ct_state +trk+new
                \taction order 1: ct commit pipe
                \taction order 2: gact drop
                \tSent 48 bytes 1 pkt
                """, show);
        assertTrue(cmd.filter(words("show dev p0 ingress chain 2")).startsWith("filter protocol ip pref 1 flower chain 2 handle 0x1"));
        assertTrue(cmd.filter(words("show")).startsWith("dev p0 filter protocol ip"));
        assertEquals("chain 0\nchain 2\n", cmd.chain(words("show dev p0 ingress")));
        assertEquals("dev p0 ingress chain 0\ndev p0 ingress chain 2\n", cmd.chain(words("show")));

        assertEquals("deleted 1 filter", cmd.filter(words("del dev p0 ingress chain 2 prio 1 handle 1")));
        assertEquals("Error: no such filter", cmd.filter(words("del dev p0 ingress chain 2")));
        assertEquals("chain 0\nchain 2\n", cmd.chain(words("show dev p0")), "chain 2 is still a goto target");
        assertEquals("deleted 1 filter", cmd.filter(words("del dev p0 ingress")));
        assertEquals("", cmd.chain(words("show dev p0")));
        assertTrue(cmd.stats().contains("classified 1\n"), cmd.stats());
    }

    @Test
    void errorsNameTheWord() {
        assertEquals("Error: unknown flower key (at word 10: \"sorc_mac\")",
                cmd.filter(words("add dev p0 ingress prio 1 proto ip flower sorc_mac 24:8a:07:a5:28:01 action drop")));
        assertEquals("Error: expected del or show (at word 1: \"frob\")", cmd.filter(words("frob dev p0")));
        assertTrue(cmd.filter(words("del ingress")).startsWith("Error: filter del needs \"dev X\""));
        assertTrue(cmd.chain(words("show dev p0 bogus")).startsWith("Error: unknown word \"bogus\""));
        assertEquals(List.of(), w.tc.filters(null));
    }

    @Test
    void configuredFilesSplitIntoCommands() {
        List<String> cmds = TcComponent.splitCommands("""
                # the seed's first filter
                tc filter add dev p0 ingress prio 1 chain 0 proto ip flower \\
                    src_mac 24:8a:07:a5:28:01 ct_state -trk \\
                    action ct \\
                    pipe action goto chain 2

                tc filter add dev p0 ingress prio 1 chain 2 proto ip flower ct_state +trk+new action drop
                """);
        assertEquals(2, cmds.size());
        for (String c : cmds) assertTrue(cmd.filter(words(c.substring("tc filter ".length()))).startsWith("added"), c);
        assertEquals(List.of(0, 2), w.tc.chains("p0"));
    }

    @Test
    void flowsListsTheZoneFlowTables() {
        w.add("tc filter add dev p0 ingress prio 1 proto ip flower action ct commit zone 4 mark 9 label 0xff pipe action mirred egress redirect dev p1");
        w.add("tc filter add dev p1 ingress prio 1 proto ip flower action ct zone 4 pipe action mirred egress redirect dev p0");
        inject(w.p0, eth(HOST_B, HOST_A, 0x0800, ipv4(A_IP, B_IP, Packet.PROTO_UDP, udp(1234, 53, new byte[6]))));
        assertEquals("", cmd.flows());
        inject(w.p1, eth(HOST_A, HOST_B, 0x0800, ipv4(B_IP, A_IP, Packet.PROTO_UDP, udp(53, 1234, new byte[6]))));
        assertEquals("zone 4 udp src=10.0.0.1 dst=10.0.0.2 sport=1234 dport=53 src=10.0.0.2 dst=10.0.0.1 sport=53 dport=1234 mark=9 "
                + "label=000000000000000000000000000000ff packets=0 idle=0ms\n", cmd.flows("zone", "4"));
        assertEquals("", cmd.flows("zone", "5"));
        assertEquals("Error: bad zone \"x\"", cmd.flows("zone", "x"));
    }
}
