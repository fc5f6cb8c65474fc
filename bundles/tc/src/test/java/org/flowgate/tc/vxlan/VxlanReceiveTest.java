package org.flowgate.tc.vxlan;

import static org.flowgate.tc.support.Frames.*;
import static org.flowgate.tc.support.TcWorld.*;
import static org.junit.jupiter.api.Assertions.*;

import org.flowgate.api.packet.Packet;
import org.flowgate.tc.support.TcWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the vxlan device accepts from the underlay, and what it refuses (counted). */
class VxlanReceiveTest {
    TcWorld w;

    @BeforeEach
    void setUp() {
        w = new TcWorld();
        w.add("tc filter add dev vxlan0 ingress proto all flower action mirred egress redirect dev p0");
    }

    @AfterEach
    void tearDown() { w.close(); }

    static final byte[] INNER = eth(HOST_A, HOST_B, 0x0800, ipv4(B_IP, A_IP, Packet.PROTO_UDP, udp(53, 5000, new byte[10])));

    static byte[] vxlan(int flags, int udpDst, byte[] inner) {
        byte[] vx = new byte[8 + inner.length];
        vx[0] = (byte) flags;
        put32(vx, 4, 98 << 8);
        System.arraycopy(inner, 0, vx, 8, inner.length);
        return eth(UP0_MAC, VTEP_MAC, 0x0800, ipv4(VTEP_IP, UP0_IP, Packet.PROTO_UDP, udp(50000, udpDst, vx)));
    }

    @Test
    void validFramesAreDecapsulatedOntoTheDevice() {
        inject(w.up0, vxlan(0x08, 4789, INNER));
        assertArrayEquals(INNER, take(w.p0Out).get(0));
        assertEquals(1, w.vxlan0.counters().get("decapsulated"));
    }

    @Test
    void badUdpChecksumIsDropped() {
        byte[] f = vxlan(0x08, 4789, INNER);
        f[f.length - 1] ^= 0x55; // the payload no longer sums to the checksum
        inject(w.up0, f);
        assertTrue(take(w.p0Out).isEmpty());
        assertEquals(1, w.vxlan0.counters().get("rx_bad_checksum"));
    }

    @Test
    void withoutTheIFlagOrOnAnotherPortNothingIsDecapsulated() {
        inject(w.up0, vxlan(0x00, 4789, INNER));
        assertEquals(1, w.vxlan0.counters().get("rx_bad_header"));
        inject(w.up0, vxlan(0x08, 4790, INNER));
        assertEquals(0, w.vxlan0.counters().get("decapsulated"), "another UDP port is not ours");
        assertTrue(take(w.p0Out).isEmpty());
    }

    @Test
    void sourcePortsStayInLinuxsRange() {
        Packet p = new Packet();
        for (int i = 0; i < 2000; i++) {
            byte[] f = eth(HOST_A, HOST_B, 0x0800, ipv4(B_IP, A_IP, Packet.PROTO_UDP, udp(i, 53, new byte[2])));
            p.setFrame(f, 0, f.length);
            p.parse();
            int port = VxlanEncap.sourcePort(p);
            assertTrue(port >= VxlanEncap.SRC_PORT_MIN && port < VxlanEncap.SRC_PORT_MAX, "port " + port);
        }
    }

    @Test
    void encKeysMatchTheTunnelThePacketCameThrough() {
        w.tc.delete("vxlan0", -1, -1, -1);
        w.add("tc filter add dev vxlan0 ingress prio 1 proto ip flower enc_key_id 99 action drop");
        w.add("tc filter add dev vxlan0 ingress prio 2 proto ip flower enc_key_id 98 enc_dst_port 4789 enc_src_port 50000 enc_src_ip 7.7.7.0/24 "
                + "enc_dst_ip 7.7.7.1 action tunnel_key unset pipe action goto chain 1");
        w.add("tc filter add dev vxlan0 ingress prio 1 chain 1 proto ip flower enc_key_id 98 action drop");
        w.add("tc filter add dev vxlan0 ingress prio 2 chain 1 proto ip flower action mirred egress redirect dev p0");
        inject(w.up0, vxlan(0x08, 4789, INNER));
        assertArrayEquals(INNER, take(w.p0Out).get(0));
        assertEquals(0, w.filter("vxlan0", 0, 1, 1).packets(), "VNI 99 does not match VNI 98");
        assertEquals(1, w.filter("vxlan0", 0, 2, 1).packets(), "every enc key matched");
        assertEquals(0, w.filter("vxlan0", 1, 1, 1).packets(), "after tunnel_key unset the enc keys match nothing");
        assertEquals(1, w.filter("vxlan0", 1, 2, 1).packets());
    }

    @Test
    void encKeysNeverMatchPacketsThatDidNotComeThroughATunnel() {
        w.add("tc filter add dev p1 ingress proto ip flower enc_key_id 98 action drop");
        w.add("tc filter add dev p1 ingress proto ip flower action mirred egress redirect dev p0");
        inject(w.p1, INNER);
        assertEquals(1, take(w.p0Out).size());
        assertEquals(0, w.filter("p1", 0, 0xC000, 1).packets());
    }
}
