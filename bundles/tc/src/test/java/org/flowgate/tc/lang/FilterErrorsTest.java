package org.flowgate.tc.lang;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.flowgate.api.tc.TcException;
import org.flowgate.api.tc.TcFilter;
import org.flowgate.tc.support.TcWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Bad filters are refused with a message naming the offending word, and change nothing. */
class FilterErrorsTest {
    static final String OK = "tc filter add dev p0 ingress prio 1 chain 0 proto ip flower ct_state -trk action ct pipe action goto chain 2";
    TcWorld w;

    @BeforeEach
    void setUp() {
        w = new TcWorld();
        w.add(OK);
    }

    @AfterEach
    void tearDown() { w.close(); }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "dev p0 ingress proto ip flower src_mac 24:8a:07:a5:28 action drop | 24:8a:07:a5:28",
        "dev p0 ingress proto ip flower ct_state +trk+foo action drop | +trk+foo",
        "dev p0 ingress proto ip flower ct_state +new action drop | +new",
        "dev p0 ingress proto ip flower ct_state +trk+new+est action drop | +trk+new+est",
        "dev p0 ingress proto ip flower ct_state +trk+inv+est action drop | +trk+inv+est",
        "dev p0 ingress proto ip flower ct_state +trk+new+rpl action drop | +trk+new+rpl",
        "dev p0 ingress proto ip flower ip_proto tcp dst_port 70000 action drop | 70000",
        "dev p0 ingress proto ip flower dst_port 80 action drop | dst_port",
        "dev p0 ingress proto ip flower src_ip 10.0.0.300 action drop | 10.0.0.300",
        "dev p0 ingress proto ip flower src_ip fd00::1 action drop | fd00::1",
        "dev p0 ingress proto ipv6 flower ip_proto tcp src_ip 10.0.0.1 action drop | 10.0.0.1",
        "dev p0 ingress flower ip_proto tcp action drop | ip_proto",
        "dev p0 ingress proto ip flower vlan_id 10 action drop | vlan_id",
        "dev p0 ingress proto 802.1q flower vlan_id 4096 action drop | 4096",
        "dev p0 ingress proto ip flower bogus_key 1 action drop | bogus_key",
        "dev p0 ingress proto ipx flower action drop | ipx",
        "dev p0 egress proto ip flower action drop | egress",
        "dev p0 ingress prio 0x10000 proto ip flower action drop | 0x10000",
        "dev p0 ingress chain x proto ip flower action drop | x",
        "dev p0 ingress proto ip u32 action drop | u32",
        "dev p0 ingress proto ip flower action frobnicate | frobnicate",
        "dev p0 ingress proto ip flower action ct zone 70000 | 70000",
        "dev p0 ingress proto ip flower action ct mark 5 | mark",
        "dev p0 ingress proto ip flower action ct label 1 | label",
        "dev p0 ingress proto ip flower action ct nat src addr 1.2.3.4 | nat",
        "dev p0 ingress proto ip flower action ct commit nat src addr 1.2.3.x | 1.2.3.x",
        "dev p0 ingress proto ip flower action ct commit mark 0x1ffffffff | 0x1ffffffff",
        "dev p0 ingress proto ip flower action ct commit label xyz | xyz",
        "dev p0 ingress proto ip flower action goto chan 2 | chan",
        "dev p0 ingress proto ip flower action mirred egress redirect dev nosuch0 | nosuch0",
        "dev p0 ingress proto ip flower action mirred sideways redirect dev p1 | sideways",
        "dev p0 ingress proto ip flower action mirred ingress redirect dev nosuch0 | nosuch0",
        "dev p0 ingress proto ip flower action ct force | force",
        "dev p0 ingress proto ip flower action ct zone 1 force | force",
        "dev p0 ingress proto ip flower action ct clear force | clear",
        "dev p0 ingress proto ip flower action tunnel_key set src_ip 10.0.0.1 dst_ip 2001:db8::2 id 1 | 10.0.0.1",
        "dev p0 ingress proto ip flower action tunnel_key set dst_ip 2001:db8::2/64 id 1 | 2001:db8::2/64",
        "dev p0 ingress proto ip flower action tunnel_key set dst_ip ff02::1 id 1 action drop | action",
        "dev p0 ingress proto ip flower enc_src_ip 10.0.0.0/8 enc_dst_ip 2001:db8::/32 action drop | 2001:db8::/32",
        "dev p0 ingress proto ip flower action mirred egress bounce dev p1 | bounce",
        "dev p0 ingress proto ip flower tcp_flags 0x2 action drop | tcp_flags",
        "dev p0 ingress proto ip flower ip_proto udp tcp_flags 0x2 action drop | tcp_flags",
        "dev p0 ingress proto ip flower ip_proto tcp tcp_flags 0x1000 action drop | 0x1000",
        "dev p0 ingress proto ip flower ip_proto tcp tcp_flags 0x2/0 action drop | 0x2/0",
        "dev p0 ingress proto ip flower ip_proto tcp tcp_flags syn action drop | syn",
        "dev p0 ingress proto ip flower action tunnel_key set src_ip 1.1.1.1 dst_ip 7.7.7.x id 1 | 7.7.7.x",
        "dev p0 ingress proto ip flower action tunnel_key set dst_ip 7.7.7.8 id 16777216 | 16777216",
        "dev p0 ingress proto ip flower action tunnel_key set id 5 action drop | action",
        "dev p0 ingress proto ip flower action tunnel_key frob | frob",
        "dev p0 ingress proto ip flower action pedit ex munge ip foo set 1 | foo",
        "dev p0 ingress proto ip flower action pedit ex munge eth dst set 1.2.3.4 | 1.2.3.4",
        "dev p0 ingress proto ip flower action csum bogus | bogus",
        "dev p0 ingress proto ip flower action nat sideways 1.1.1.1 2.2.2.2 | sideways",
        "dev p0 ingress proto ip flower drop | drop",
        "dev nosuch0 ingress proto ip flower action drop | nosuch0",
    })
    void refusedNamingTheWord(String command, String word) {
        List<TcFilter> before = w.tc.filters(null);
        List<Integer> chainsBefore = w.tc.chains("p0");
        TcException e = assertThrows(TcException.class, () -> w.tc.add("tc filter add " + command));
        assertEquals(word, e.word(), e.getMessage());
        assertTrue(e.getMessage().contains("\"" + word + "\""), e.getMessage());
        assertEquals(before, w.tc.filters(null), "nothing changed after a failed add");
        assertEquals(chainsBefore, w.tc.chains("p0"));
    }

    @Test
    void endOfCommandErrorsSayWhatIsMissing() {
        TcException e = assertThrows(TcException.class, () -> w.tc.add("tc filter add dev p0 ingress proto ip flower action ct zone"));
        assertTrue(e.getMessage().contains("missing ct zone"), e.getMessage());
        e = assertThrows(TcException.class, () -> w.tc.add("tc filter add dev p0 proto ip flower"));
        assertTrue(e.getMessage().contains("ingress"), e.getMessage());
        e = assertThrows(TcException.class, () -> w.tc.add("tc filter add dev p0 ingress proto ip"));
        assertTrue(e.getMessage().contains("missing filter kind"), e.getMessage());
    }

    @Test
    void priorityConflictsAreRefused() {
        TcException e = assertThrows(TcException.class,
                () -> w.tc.add("tc filter add dev p0 ingress prio 1 chain 0 proto ipv6 flower action drop"));
        assertEquals("ipv6", e.word());
        assertEquals(1, w.tc.filters("p0").size());
        e = assertThrows(TcException.class, () -> w.tc.add("tc filter add dev p0 ingress prio 1 handle 1 chain 0 proto ip flower action drop"));
        assertTrue(e.getMessage().contains("handle 1 exists"), e.getMessage());
        assertEquals(1, w.tc.filters("p0").size());
    }

    @Test
    void autoPriorityAndHandlesFollowTheKernel() {
        TcFilter a = w.add("tc filter add dev p1 ingress proto ip flower action pass");
        TcFilter b = w.add("tc filter add dev p1 ingress proto ip flower action pass");
        TcFilter c = w.add("tc filter add dev p1 ingress chain 3 proto ip flower action pass");
        assertEquals(0xC000, a.prio(), "first automatic priority 49152");
        assertEquals(0xBFFF, b.prio(), "then one below the chain's lowest");
        assertEquals(0xC000, c.prio(), "per chain");
        assertEquals(1, a.handle(), "handles are per (chain, prio), lowest free first, as flower's");
        assertEquals(1, b.handle());
        assertEquals(1, c.handle());
        TcFilter d = w.add("tc filter add dev p1 ingress prio 0xbfff proto ip flower action pass");
        assertEquals(2, d.handle());
        w.tc.delete("p1", 0, 0xBFFF, 1);
        assertEquals(1, w.add("tc filter add dev p1 ingress prio 0xbfff proto ip flower action pass").handle(), "a freed handle is reused");
    }
}
