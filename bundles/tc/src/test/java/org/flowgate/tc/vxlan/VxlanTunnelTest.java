package org.flowgate.tc.vxlan;

import static org.flowgate.tc.support.Frames.*;
import static org.flowgate.tc.support.TcWorld.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.List;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.tc.support.TcWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * VXLAN over IPv6 and next-hop resolution: the vxlan device finds the remote VTEP's MAC by
 * ARP/NDP through the router's neighbour subsystem (the frame waits meanwhile), builds outer IPv6
 * with a UDP checksum (verified here from scratch), decapsulates IPv6 VXLAN, and a device with a
 * fixed VNI and remote works next to the external one.
 */
class VxlanTunnelTest {
    static final IpAddress UP0_IP6 = IpAddress.parse("2001:db8::1"), VTEP_IP6 = IpAddress.parse("2001:db8::2"),
            VTEP_B = IpAddress.parse("7.7.7.9");
    static final MacAddress VTEP6_MAC = MacAddress.parse("02:00:00:00:07:62"), VTEP_B_MAC = MacAddress.parse("02:00:00:00:07:09");
    static final byte[] INNER = eth(P0_MAC, HOST_A, 0x0800, ipv4(A_IP, B_IP, Packet.PROTO_UDP, udp(1000, 2000, "payload!".getBytes())));
    TcWorld w;

    @BeforeEach
    void setUp() {
        w = new TcWorld();
        w.router.devices().addAddress("up0", IpPrefix.parse("2001:db8::1/64"));
    }

    @AfterEach
    void tearDown() { w.close(); }

    @Test
    void ipv6TunnelKeyResolvesTheVtepByNdpThenEncapsulates() {
        w.add("tc filter add dev p0 ingress proto ip flower action tunnel_key set src_ip 2001:db8::1 dst_ip 2001:db8::2 id 77 "
                + "dst_port 4789 tos 0x10 ttl 9 action mirred egress redirect dev vxlan0");
        inject(w.p0, INNER);
        byte[] ns = only(take(w.up0Out), "first a neighbour solicitation, the VXLAN packet waits");
        assertEquals(0x86DD, get16(ns, 12));
        assertEquals(58, ns[20] & 0xFF, "ICMPv6");
        assertEquals(255, ns[21] & 0xFF, "NDP hop limit");
        assertEquals(135, ns[54] & 0xFF, "neighbour solicitation");
        assertEquals(VTEP_IP6, IpAddress.of(Arrays.copyOfRange(ns, 62, 78)), "for the VTEP");
        assertEquals(0, w.vxlan0.counters().get("no_neighbour"));

        inject(w.up0, neighbourAdvertisement(VTEP_IP6, VTEP6_MAC, UP0_IP6));
        byte[] f = only(take(w.up0Out), "the advertisement released the queued packet");
        assertArrayEquals(INNER, decodeVxlan6(f, VTEP6_MAC, UP0_IP6, VTEP_IP6, 0x10, 9, 77));

        inject(w.p0, INNER);
        assertArrayEquals(INNER, decodeVxlan6(only(take(w.up0Out), "resolved now: sent at once"), VTEP6_MAC, UP0_IP6, VTEP_IP6, 0x10, 9, 77));
        assertEquals(2, w.vxlan0.counters().get("encapsulated"));
    }

    @Test
    void ipv6SourceDefaultsToTheUnderlayAddressAndNocsumStillSumsOverIpv6() {
        w.router.neighbours().addStatic(VTEP_IP6, "up0", VTEP6_MAC);
        w.add("tc filter add dev p0 ingress proto ip flower action tunnel_key set dst_ip 2001:db8::2 id 5 nocsum "
                + "action mirred egress redirect dev vxlan0");
        inject(w.p0, INNER);
        assertArrayEquals(INNER, decodeVxlan6(only(take(w.up0Out), "sent"), VTEP6_MAC, UP0_IP6, VTEP_IP6, 0, 64, 5));
    }

    @Test
    void ipv4VtepIsResolvedByArpThenEncapsulated() {
        w.add("tc filter add dev p0 ingress proto ip flower action tunnel_key set dst_ip 7.7.7.9 id 98 action mirred egress redirect dev vxlan0");
        inject(w.p0, INNER);
        byte[] req = only(take(w.up0Out), "an ARP request, the VXLAN packet waits");
        assertEquals(0x0806, get16(req, 12));
        assertEquals(1, get16(req, 20), "request");
        assertEquals(UP0_IP, ip4At(req, 28), "from up0's address");
        assertEquals(VTEP_B, ip4At(req, 38));

        inject(w.up0, arpReply(VTEP_B, VTEP_B_MAC));
        byte[] f = only(take(w.up0Out), "the reply released the queued packet");
        assertEquals(VTEP_B_MAC, macAt(f, 0), "outer destination: the MAC ARP found");
        assertEquals(UP0_MAC, macAt(f, 6));
        assertEquals(0x0800, get16(f, 12));
        assertEquals(VTEP_B, ip4At(f, 30));
        assertTrue(checksumsOk(f, 14));
        assertEquals(98, get32(f, 34 + 12) >>> 8);
        assertArrayEquals(INNER, Arrays.copyOfRange(f, 50, f.length));
    }

    @Test
    void ipv6VxlanIsDecapsulatedWithItsTunnelForEncKeys() {
        w.add("tc filter add dev vxlan0 ingress prio 1 proto all flower enc_src_ip 7.7.7.8 action drop");
        w.add("tc filter add dev vxlan0 ingress prio 2 proto all flower enc_src_ip 2001:db8::2 enc_dst_ip 2001:db8::/64 enc_key_id 77 "
                + "enc_dst_port 4789 action mirred egress redirect dev p0");
        byte[] inner = eth(HOST_A, HOST_B, 0x0800, ipv4(B_IP, A_IP, Packet.PROTO_UDP, udp(53, 5000, new byte[10])));
        inject(w.up0, vxlan6(77, inner, false));
        assertArrayEquals(inner, only(take(w.p0Out), "decapsulated and matched by the IPv6 enc_* keys"));
        assertEquals(0, w.filter("vxlan0", 0, 1, 1).packets(), "an IPv4 enc_src_ip does not match an IPv6 tunnel");
        assertEquals(1, w.filter("vxlan0", 0, 2, 1).packets());

        byte[] zero = vxlan6(77, inner, false);
        put16(zero, 54 + 6, 0);
        inject(w.up0, zero);
        byte[] bad = vxlan6(77, inner, false);
        bad[bad.length - 1] ^= 0x5A;
        inject(w.up0, bad);
        assertTrue(take(w.p0Out).isEmpty());
        assertEquals(2, w.vxlan0.counters().get("rx_bad_checksum"), "a zero UDP checksum is invalid over IPv6, as a wrong one");
        assertEquals(1, w.vxlan0.counters().get("decapsulated"));
    }

    @Test
    void aFixedRemoteDeviceSendsToItsRemoteAndReceivesOnlyItsVni() {
        VxlanPort vx6 = w.addVxlan("vx6", MacAddress.parse("02:00:00:00:0a:06"), 1430, new VxlanPort.Remote(42, null, VTEP_IP6, 0, 0, false));
        w.router.neighbours().addStatic(VTEP_IP6, "up0", VTEP6_MAC);
        assertEquals("vxlan vx6 id 42 remote 2001:db8::2 dstport 4789", vx6.toString());

        w.add("tc filter add dev p0 ingress proto ip flower action mirred egress redirect dev vx6");
        inject(w.p0, INNER);
        assertArrayEquals(INNER, decodeVxlan6(only(take(w.up0Out), "sent without any tunnel_key"), VTEP6_MAC, UP0_IP6, VTEP_IP6, 0, 64, 42));

        w.add("tc filter add dev vx6 ingress proto all flower action mirred egress redirect dev p1");
        w.add("tc filter add dev vxlan0 ingress proto all flower action mirred egress redirect dev p0");
        byte[] inner = eth(HOST_A, HOST_B, 0x0800, ipv4(B_IP, A_IP, Packet.PROTO_UDP, udp(53, 5000, new byte[10])));
        inject(w.up0, vxlan6(42, inner, false));
        assertArrayEquals(inner, only(take(w.p1Out), "VNI 42 is vx6's"));
        inject(w.up0, vxlan6(43, inner, false));
        assertTrue(take(w.p1Out).isEmpty());
        assertArrayEquals(inner, only(take(w.p0Out), "another VNI goes to the external device"));
        assertEquals(1, vx6.counters().get("decapsulated"));
        assertEquals(1, w.vxlan0.counters().get("decapsulated"));
    }

    static final MacAddress VX4_MAC = MacAddress.parse("02:00:00:00:0a:04"), FAR_MAC = MacAddress.parse("02:00:00:00:09:02");
    static final IpAddress FAR = IpAddress.parse("10.9.0.2");

    /** vx4: {@code id 42 [local L] remote 7.7.7.8}, 10.9.0.1/24 on it, the far end 10.9.0.2 behind it. */
    VxlanPort routedVx4(IpAddress local) {
        VxlanPort vx4 = w.addVxlan("vx4", VX4_MAC, 1450, new VxlanPort.Remote(42, local, VTEP_IP, 0, 0, false));
        w.router.devices().addAddress("p0", IpPrefix.parse("10.0.0.254/24"));
        w.router.devices().addAddress("vx4", IpPrefix.parse("10.9.0.1/24"));
        return vx4;
    }

    @Test
    void aFixedRemoteDeviceIsARoutedInterfaceWithArpThroughTheTunnel() {
        MacAddress vxMac = VX4_MAC, farMac = FAR_MAC;
        IpAddress far = FAR;
        VxlanPort vx4 = routedVx4(null);

        byte[] toFar = eth(P0_MAC, HOST_A, 0x0800, ipv4(A_IP, far, Packet.PROTO_UDP, udp(1000, 2000, "routed".getBytes())));
        inject(w.p0, toFar);
        byte[] f = only(take(w.up0Out), "the router's ARP request for 10.9.0.2, through the tunnel");
        assertEquals(VTEP_MAC, macAt(f, 0));
        assertEquals(VTEP_IP, ip4At(f, 30));
        assertEquals(0, get16(f, 34 + 6), "IPv4 UDP checksum off, as Linux's default (udpcsum)");
        assertTrue(checksumsOk(f, 14));
        assertEquals(42, get32(f, 34 + 12) >>> 8);
        byte[] arp = Arrays.copyOfRange(f, 50, f.length);
        assertEquals(0x0806, get16(arp, 12));
        assertEquals(vxMac, macAt(arp, 6));
        assertEquals(far, ip4At(arp, 14 + 24), "who has 10.9.0.2");

        byte[] reply = arpReplyBody(far, farMac, IpAddress.parse("10.9.0.1"), vxMac);
        byte[] vx = new byte[8 + 14 + reply.length];
        vx[0] = 0x08;
        put32(vx, 4, 42 << 8);
        System.arraycopy(eth(vxMac, farMac, 0x0806, reply), 0, vx, 8, 14 + reply.length);
        inject(w.up0, eth(UP0_MAC, VTEP_MAC, 0x0800, ipv4(VTEP_IP, UP0_IP, Packet.PROTO_UDP, udp(50000, 4789, vx))));

        byte[] out = only(take(w.up0Out), "the ARP reply came back through the tunnel and released the routed packet");
        byte[] inner = Arrays.copyOfRange(out, 50, out.length);
        assertEquals(farMac, macAt(inner, 0));
        assertEquals(vxMac, macAt(inner, 6));
        assertEquals(63, inner[22] & 0xFF, "forwarded by the router");
        assertEquals(far, ip4At(inner, 30));
        assertTrue(checksumsOk(inner, 14));
        assertEquals(2, vx4.counters().get("encapsulated"));
        assertEquals(1, vx4.counters().get("decapsulated"));
    }

    @Test
    void aDeviceWithALocalAddressReceivesTunnelsToAnyRouterAddressAsLinux() {
        // Linux binds the vxlan socket to the wildcard address whatever `local` says (0.0.0.0:4789 in
        // `ss -uan`; checked on 6.18: a `local 10.77.0.1` device counts tunnels sent to 10.77.0.3)
        w.router.devices().addAddress("up0", IpPrefix.parse("7.7.7.3/24"));
        VxlanPort vx4 = routedVx4(UP0_IP);
        assertEquals("vxlan vx4 id 42 local 7.7.7.1 remote 7.7.7.8 dstport 4789", vx4.toString());
        w.add("tc filter add dev vx4 ingress proto all flower action mirred egress redirect dev p1");
        byte[] inner = eth(VX4_MAC, FAR_MAC, 0x0800, ipv4(FAR, A_IP, Packet.PROTO_UDP, udp(53, 5000, new byte[10])));
        for (IpAddress to : List.of(UP0_IP, IpAddress.parse("7.7.7.3"))) {
            inject(w.up0, eth(UP0_MAC, VTEP_MAC, 0x0800, ipv4(VTEP_IP, to, Packet.PROTO_UDP, udp(50000, 4789, vxlan(42, inner)))));
            assertArrayEquals(inner, only(take(w.p1Out), "to " + to));
        }
        assertEquals(2, vx4.counters().get("decapsulated"));
        inject(w.up0, eth(UP0_MAC, VTEP_MAC, 0x0800, ipv4(VTEP_IP, IpAddress.parse("7.7.7.4"), Packet.PROTO_UDP, udp(50000, 4789, vxlan(42, inner)))));
        assertTrue(take(w.p1Out).isEmpty(), "not to an address of the router: not received");
        assertEquals(2, vx4.counters().get("decapsulated"));
    }

    @Test
    void aPacketTheRouterSendsThroughLocalOutputIntoAVxlanDeviceIsEncapsulated() {
        // what an nft `reject` does: its answer goes through LocalOutput, is routed into vx4, whose
        // outer packet is a LocalOutput send nested in the first (queued, sent once it returned)
        VxlanPort vx4 = routedVx4(UP0_IP);
        w.router.neighbours().addStatic(FAR, "vx4", FAR_MAC);
        byte[] icmp = eth(MacAddress.parse("00:00:00:00:00:00"), MacAddress.parse("00:00:00:00:00:00"), 0x0800,
                ipv4(IpAddress.parse("10.9.0.1"), FAR, Packet.PROTO_ICMP, echo(3, 0, 3)));
        Packet reply = new Packet();
        reply.setFrame(icmp, 0, icmp.length);
        assertNull(reply.parse());
        assertTrue(w.router.path().sendLocal(reply));
        byte[] f = only(take(w.up0Out), "the encapsulated answer");
        assertEquals(VTEP_MAC, macAt(f, 0));
        assertEquals(UP0_IP, ip4At(f, 26));
        assertEquals(VTEP_IP, ip4At(f, 30));
        assertEquals(42, get32(f, 34 + 12) >>> 8);
        byte[] inner = Arrays.copyOfRange(f, 50, f.length);
        assertEquals(FAR_MAC, macAt(inner, 0));
        assertEquals(VX4_MAC, macAt(inner, 6));
        assertEquals(FAR, ip4At(inner, 30));
        assertTrue(checksumsOk(inner, 14));
        assertEquals(0, vx4.counters().get("tx_failed"));
        assertEquals(1, vx4.counters().get("encapsulated"));
    }

    // ---- frames ----

    static byte[] vxlan(int vni, byte[] inner) {
        byte[] vx = new byte[8 + inner.length];
        vx[0] = 0x08;
        put32(vx, 4, vni << 8);
        System.arraycopy(inner, 0, vx, 8, inner.length);
        return vx;
    }

    static byte[] only(List<byte[]> frames, String what) {
        assertEquals(1, frames.size(), what);
        return frames.get(0);
    }

    /** Checks an outer Ethernet/IPv6/UDP/VXLAN packet field by field and returns the inner frame. */
    static byte[] decodeVxlan6(byte[] f, MacAddress dstMac, IpAddress src, IpAddress dst, int tclass, int hopLimit, int vni) {
        assertEquals(dstMac, macAt(f, 0), "outer destination MAC: the resolved VTEP");
        assertEquals(UP0_MAC, macAt(f, 6), "outer source MAC: up0");
        assertEquals(0x86DD, get16(f, 12));
        int ip = 14;
        int word = get32(f, ip);
        assertEquals(6, word >>> 28, "version");
        assertEquals(tclass, (word >>> 20) & 0xFF, "traffic class");
        assertEquals(0, word & 0xF_FFFF, "flow label");
        assertEquals(f.length - 54, get16(f, ip + 4), "payload length");
        assertEquals(17, f[ip + 6] & 0xFF, "next header UDP");
        assertEquals(hopLimit, f[ip + 7] & 0xFF, "hop limit");
        assertEquals(src, IpAddress.of(Arrays.copyOfRange(f, ip + 8, ip + 24)));
        assertEquals(dst, IpAddress.of(Arrays.copyOfRange(f, ip + 24, ip + 40)));
        int udp = ip + 40, udpLen = f.length - udp;
        int sport = get16(f, udp);
        assertTrue(sport >= 32768 && sport < 61000, "source port " + sport);
        assertEquals(4789, get16(f, udp + 2));
        assertEquals(udpLen, get16(f, udp + 4), "UDP length");
        assertNotEquals(0, get16(f, udp + 6), "UDP checksum present: mandatory over IPv6");
        assertEquals(0, udp6Checksum(f, ip), "UDP checksum over the IPv6 pseudo-header verifies");
        assertEquals(0x08, f[udp + 8] & 0xFF, "VXLAN I flag");
        assertEquals(0, (f[udp + 9] | f[udp + 10] | f[udp + 11] | f[udp + 15]) & 0xFF, "reserved");
        assertEquals(vni, get32(f, udp + 12) >>> 8, "VNI");
        return Arrays.copyOfRange(f, udp + 16, f.length);
    }

    /** The one's complement sum over pseudo-header and UDP datagram, written out here (0 when the checksum is right). */
    static int udp6Checksum(byte[] f, int ip) {
        int len = get16(f, ip + 4);
        long s = 0;
        for (int i = ip + 8; i < ip + 40; i += 2) s += get16(f, i);
        s += len + 17;
        int end = ip + 40 + len;
        for (int i = ip + 40; i < end; i += 2) s += i + 1 < end ? get16(f, i) : (f[i] & 0xFF) << 8;
        while ((s >>> 16) != 0) s = (s & 0xFFFF) + (s >>> 16);
        return (int) (~s & 0xFFFF);
    }

    /** A VXLAN packet from the VTEP (2001:db8::2) to up0 (2001:db8::1), UDP checksum filled. */
    static byte[] vxlan6(int vni, byte[] inner, boolean zeroChecksum) {
        byte[] vx = new byte[8 + inner.length];
        vx[0] = 0x08;
        put32(vx, 4, vni << 8);
        System.arraycopy(inner, 0, vx, 8, inner.length);
        byte[] u = udp(50000, 4789, vx);
        byte[] ip = ipv6Header(VTEP_IP6, UP0_IP6, 17, 64, u);
        byte[] f = eth(UP0_MAC, VTEP6_MAC, 0x86DD, ip);
        int c = udp6Checksum(f, 14);
        put16(f, 54 + 6, zeroChecksum ? 0 : c == 0 ? 0xFFFF : c);
        return f;
    }

    static byte[] ipv6Header(IpAddress src, IpAddress dst, int next, int hop, byte[] payload) {
        byte[] b = new byte[40 + payload.length];
        b[0] = 0x60;
        put16(b, 4, payload.length);
        b[6] = (byte) next;
        b[7] = (byte) hop;
        System.arraycopy(src.toBytes(), 0, b, 8, 16);
        System.arraycopy(dst.toBytes(), 0, b, 24, 16);
        System.arraycopy(payload, 0, b, 40, payload.length);
        return b;
    }

    /** A solicited neighbour advertisement (RFC 4861 4.4) for {@code target} with its link-layer address option. */
    static byte[] neighbourAdvertisement(IpAddress target, MacAddress mac, IpAddress to) {
        byte[] na = new byte[32];
        na[0] = (byte) 136;
        put32(na, 4, 0x6000_0000); // solicited, override
        System.arraycopy(target.toBytes(), 0, na, 8, 16);
        na[24] = 2; // target link-layer address
        na[25] = 1;
        mac.write(na, 26);
        byte[] ip = ipv6Header(target, to, 58, 255, na);
        long s = 0;
        for (int i = 8; i < 40; i += 2) s += get16(ip, i);
        put16(ip, 42, checksum(ip, 40, na.length, s + 58 + na.length));
        return eth(UP0_MAC, mac, 0x86DD, ip);
    }

    static byte[] arpReply(IpAddress sender, MacAddress mac) { return eth(UP0_MAC, mac, 0x0806, arpReplyBody(sender, mac, UP0_IP, UP0_MAC)); }

    /** An ARP reply (RFC 826), padded to the Ethernet minimum. */
    static byte[] arpReplyBody(IpAddress sender, MacAddress senderMac, IpAddress target, MacAddress targetMac) {
        byte[] a = new byte[46];
        put16(a, 0, 1);
        put16(a, 2, 0x0800);
        a[4] = 6;
        a[5] = 4;
        put16(a, 6, 2);
        senderMac.write(a, 8);
        System.arraycopy(sender.toBytes(), 0, a, 14, 4);
        targetMac.write(a, 18);
        System.arraycopy(target.toBytes(), 0, a, 24, 4);
        return a;
    }
}
