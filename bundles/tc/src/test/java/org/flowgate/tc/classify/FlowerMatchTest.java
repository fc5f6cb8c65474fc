package org.flowgate.tc.classify;

import static org.flowgate.tc.support.Frames.*;
import static org.junit.jupiter.api.Assertions.*;

import org.flowgate.api.conntrack.CtState;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tc.TcException;
import org.flowgate.tc.action.Devices;
import org.flowgate.tc.ct.CtEngine;
import org.flowgate.tc.lang.FilterParser;
import org.flowgate.tc.support.FakeConn;
import org.junit.jupiter.api.Test;

/** Every flower key, matching and not matching real frames. */
class FlowerMatchTest {
    static final MacAddress M1 = MacAddress.parse("24:8a:07:a5:28:01"), M2 = MacAddress.parse("02:00:00:00:00:09");
    static final IpAddress A = IpAddress.parse("10.0.0.1"), B = IpAddress.parse("192.168.1.7");
    static final IpAddress A6 = IpAddress.parse("fd00::1"), B6 = IpAddress.parse("fd00:1::7");

    static FlowerMatch compile(String proto, String keys) {
        try {
            return new FilterParser(new CtEngine(), new Devices())
                    .parseAdd("tc filter add dev p0 ingress proto " + proto + " flower " + keys + " action pass").match();
        } catch (TcException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    static Packet packet(byte[] frame) {
        Packet p = new Packet();
        p.setFrame(frame, 0, frame.length);
        assertNull(p.parse());
        return p;
    }

    static Packet tcp4(MacAddress dst, MacAddress src, IpAddress s, IpAddress d, int sp, int dp) {
        return packet(eth(dst, src, 0x0800, ipv4(s, d, 6, tcp(sp, dp, 1, 0, SYN, 1000, new byte[0]))));
    }

    static Packet udp4(IpAddress s, IpAddress d, int sp, int dp) {
        return packet(eth(M2, M1, 0x0800, ipv4(s, d, 17, udp(sp, dp, new byte[4]))));
    }

    @Test
    void macAddresses() {
        Packet p = tcp4(M2, M1, A, B, 1, 2);
        assertTrue(compile("ip", "src_mac 24:8a:07:a5:28:01").matches(p));
        assertFalse(compile("ip", "src_mac 24:8a:07:a5:28:02").matches(p));
        assertTrue(compile("ip", "dst_mac 02:00:00:00:00:09").matches(p));
        assertFalse(compile("ip", "dst_mac 24:8a:07:a5:28:01").matches(p));
        assertTrue(compile("ip", "src_mac 24:8a:07:00:00:00/24").matches(p), "prefix-length mask");
        assertTrue(compile("ip", "src_mac 24:8a:07:a5:28:ff/ff:ff:ff:ff:ff:00").matches(p), "MAC mask");
        assertFalse(compile("ip", "src_mac 24:8b:07:00:00:00/24").matches(p));
    }

    @Test
    void protocolSelectsTheEthertype() {
        Packet v4 = tcp4(M2, M1, A, B, 1, 2);
        Packet v6 = packet(eth(M2, M1, 0x86DD, ipv6(A6, B6, 17, udp(1, 2, new byte[2]))));
        assertTrue(compile("ip", "").matches(v4));
        assertFalse(compile("ip", "").matches(v6));
        assertTrue(compile("ipv6", "").matches(v6));
        assertTrue(compile("all", "").matches(v6));
        assertTrue(compile("0x86dd", "").matches(v6));
    }

    @Test
    void vlanKeys() {
        Packet tagged = packet(ethVlan(M2, M1, (5 << 13) | 100, 0x0800, ipv4(A, B, 17, udp(1, 2, new byte[2]))));
        Packet untagged = udp4(A, B, 1, 2);
        assertTrue(compile("802.1q", "vlan_id 100").matches(tagged));
        assertFalse(compile("802.1q", "vlan_id 101").matches(tagged));
        assertFalse(compile("802.1q", "vlan_id 100").matches(untagged));
        assertTrue(compile("802.1q", "vlan_prio 5").matches(tagged));
        assertFalse(compile("802.1q", "vlan_prio 4").matches(tagged));
        assertTrue(compile("802.1q", "vlan_id 100 vlan_ethtype ip ip_proto udp dst_ip 192.168.1.0/24").matches(tagged));
        assertFalse(compile("802.1q", "vlan_ethtype ipv6").matches(tagged));
    }

    @Test
    void ipProtoAddressesAndPorts() {
        Packet t = tcp4(M2, M1, A, B, 40000, 443);
        Packet u = udp4(A, B, 5353, 53);
        assertTrue(compile("ip", "ip_proto tcp").matches(t));
        assertFalse(compile("ip", "ip_proto tcp").matches(u));
        assertTrue(compile("ip", "ip_proto 17").matches(u));
        assertTrue(compile("ip", "src_ip 10.0.0.1").matches(t));
        assertTrue(compile("ip", "src_ip 10.0.0.0/8").matches(t));
        assertFalse(compile("ip", "src_ip 10.0.0.2").matches(t));
        assertTrue(compile("ip", "dst_ip 192.168.0.0/16").matches(t));
        assertFalse(compile("ip", "dst_ip 192.168.2.0/24").matches(t));
        assertTrue(compile("ip", "ip_proto tcp dst_port 443").matches(t));
        assertFalse(compile("ip", "ip_proto tcp dst_port 80").matches(t));
        assertTrue(compile("ip", "ip_proto tcp src_port 32768-60999").matches(t));
        assertFalse(compile("ip", "ip_proto tcp src_port 1-1024").matches(t));
        assertTrue(compile("ip", "ip_proto udp src_port 5353 dst_port 53").matches(u));
        assertFalse(compile("ip", "ip_proto tcp dst_port 53").matches(u), "the port keys need the protocol to match too");
        Packet v6 = packet(eth(M2, M1, 0x86DD, ipv6(A6, B6, 17, udp(1, 2, new byte[2]))));
        assertTrue(compile("ipv6", "src_ip fd00::/16 dst_ip fd00:1::7 ip_proto udp dst_port 2").matches(v6));
        assertFalse(compile("ipv6", "dst_ip fd00:2::/32").matches(v6));
    }

    @Test
    void tcpFlags() {
        Packet syn = tcp4(M2, M1, A, B, 40000, 443);
        Packet synAck = packet(eth(M2, M1, 0x0800, ipv4(A, B, 6, tcp(1, 2, 1, 1, SYN | ACK, 1000, new byte[0]))));
        Packet rst = packet(eth(M2, M1, 0x0800, ipv4(A, B, 6, tcp(1, 2, 1, 1, RST, 1000, new byte[0]))));
        // the classic "SYN without ACK": value 0x2 under mask 0x12
        FlowerMatch synOnly = compile("ip", "ip_proto tcp tcp_flags 0x2/0x12");
        assertTrue(synOnly.matches(syn));
        assertFalse(synOnly.matches(synAck));
        assertFalse(synOnly.matches(rst));
        assertTrue(compile("ip", "ip_proto tcp tcp_flags 0x4/0x4").matches(rst));
        assertFalse(compile("ip", "ip_proto tcp tcp_flags 0x4/0x4").matches(syn));
        assertTrue(compile("ip", "ip_proto tcp tcp_flags 0x12").matches(synAck), "no mask: every one of the 12 bits");
        assertFalse(compile("ip", "ip_proto tcp tcp_flags 0x2").matches(synAck));
        byte[] ae = eth(M2, M1, 0x0800, ipv4(A, B, 6, tcp(1, 2, 1, 1, SYN, 1000, new byte[0])));
        ae[14 + 20 + 12] |= 0x01; // the AE (ex-NS) bit, the 9th flag bit, in the data-offset byte
        assertTrue(compile("ip", "ip_proto tcp tcp_flags 0x100/0x100").matches(packet(ae)));
        assertFalse(compile("ip", "ip_proto tcp tcp_flags 0x100/0x100").matches(syn));
        assertFalse(compile("ip", "ip_proto tcp tcp_flags 0/0xfff").matches(syn));
    }

    @Test
    void ttlAndTos() {
        Packet p = packet(eth(M2, M1, 0x0800, ipv4(A, B, 17, 17, 0xb8, udp(1, 2, new byte[2]))));
        assertTrue(compile("ip", "ip_ttl 17").matches(p));
        assertFalse(compile("ip", "ip_ttl 64").matches(p));
        assertTrue(compile("ip", "ip_tos 0xb8").matches(p));
        assertTrue(compile("ip", "ip_tos 0xb0/0xf0").matches(p));
        assertFalse(compile("ip", "ip_tos 0x00/0xfc").matches(p));
    }

    @Test
    void ctState() {
        Packet p = tcp4(M2, M1, A, B, 1, 2);
        FlowerMatch untracked = compile("ip", "ct_state -trk");
        FlowerMatch trkNew = compile("ip", "ct_state +trk+new");
        FlowerMatch trkEst = compile("ip", "ct_state +trk+est");
        FlowerMatch rpl = compile("ip", "ct_state +trk+est+rpl");
        FlowerMatch notRpl = compile("ip", "ct_state +trk+est-rpl");
        FlowerMatch rel = compile("ip", "ct_state +trk+rel");
        FlowerMatch inv = compile("ip", "ct_state +trk+inv");
        assertTrue(untracked.matches(p));
        assertFalse(trkNew.matches(p));
        FakeConn c = new FakeConn();
        p.setConn(c);
        p.setCtState(CtState.NEW);
        assertFalse(untracked.matches(p));
        assertTrue(trkNew.matches(p));
        assertFalse(trkEst.matches(p));
        p.setCtState(CtState.ESTABLISHED);
        assertTrue(trkEst.matches(p));
        assertTrue(notRpl.matches(p));
        assertFalse(rpl.matches(p));
        p.setCtDirection(1);
        assertTrue(rpl.matches(p));
        assertFalse(notRpl.matches(p));
        p.setCtState(CtState.RELATED);
        assertTrue(rel.matches(p));
        p.setConn(null);
        p.setCtState(CtState.INVALID);
        assertTrue(inv.matches(p));
        assertFalse(trkNew.matches(p));
    }

    @Test
    void ctZoneMarkAndLabel() {
        Packet p = tcp4(M2, M1, A, B, 1, 2);
        FakeConn c = new FakeConn();
        c.mark = 0x1234;
        c.hi = 0;
        c.lo = 0xabcdL;
        FlowerMatch zone5 = compile("ip", "ct_zone 5");
        FlowerMatch mark = compile("ip", "ct_mark 0x1234");
        FlowerMatch markMasked = compile("ip", "ct_mark 0x30/0xf0");
        FlowerMatch label = compile("ip", "ct_label abcd");
        FlowerMatch labelMasked = compile("ip", "ct_label 00cd/00ff");
        assertFalse(zone5.matches(p), "untracked: no zone");
        assertFalse(mark.matches(p), "untracked: no mark");
        p.setConn(c);
        p.setCtState(CtState.ESTABLISHED);
        p.setCtZone(5);
        assertTrue(zone5.matches(p));
        p.setCtZone(6);
        assertFalse(zone5.matches(p));
        assertTrue(mark.matches(p));
        assertTrue(markMasked.matches(p));
        c.mark = 0x1244;
        assertFalse(mark.matches(p));
        assertFalse(markMasked.matches(p));
        assertTrue(label.matches(p));
        assertTrue(labelMasked.matches(p));
        c.lo = 0xab00L;
        assertFalse(label.matches(p));
        assertFalse(labelMasked.matches(p));
        c.hi = 1;
        c.lo = 0xabcdL;
        assertFalse(label.matches(p), "all 128 bits count");
    }
}
