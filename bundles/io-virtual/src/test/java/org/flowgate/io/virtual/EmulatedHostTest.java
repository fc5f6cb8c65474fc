package org.flowgate.io.virtual;

import static org.flowgate.io.virtual.Rfc.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.io.virtual.host.EmulatedHost;
import org.flowgate.io.virtual.port.VirtualPort;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The test plays the router: it sends frames out of port v0 to host h1 and checks what h1 injects back. */
class EmulatedHostTest {
    static final long R = 0x02_00_00_00_00_01L, H = 0x02_00_00_00_01_02L;
    static final IpAddress R4 = IpAddress.parse("10.0.1.1"), H4 = IpAddress.parse("10.0.1.2"), FAR4 = IpAddress.parse("10.0.2.2");
    static final IpAddress R6 = IpAddress.parse("fd00:1::1"), H6 = IpAddress.parse("fd00:1::2"), FAR6 = IpAddress.parse("fd00:2::2");

    VirtualPort v0;
    EmulatedHost h1;
    Capture router;

    @BeforeEach
    void setUp() {
        v0 = new VirtualPort("v0", new MacAddress(R), 1500);
        h1 = new EmulatedHost("h1", new MacAddress(H), IpPrefix.parse("10.0.1.2/24"), R4, IpPrefix.parse("fd00:1::2/64"), R6);
        h1.attach(v0);
        router = new Capture();
        v0.start(router);
    }

    void routerSends(byte[] frame) { assertTrue(v0.send(packet(frame))); }

    @Test
    void answersArpForItsAddressOnly() {
        routerSends(arpRequest(R, R4, H4));
        List<byte[]> out = router.take();
        assertEquals(1, out.size());
        byte[] f = out.get(0);
        assertEquals(60, f.length);
        assertEquals(R, mac(f, 0));
        assertEquals(H, mac(f, 6));
        assertEquals(0x0806, u16(f, 12));
        assertEquals(1, u16(f, 14));        // Ethernet
        assertEquals(0x0800, u16(f, 16));   // IPv4
        assertEquals(6, f[18]);
        assertEquals(4, f[19]);
        assertEquals(2, u16(f, 20));        // reply
        assertEquals(H, mac(f, 22));
        assertEquals(H4.v4(), (int) u32(f, 28));
        assertEquals(R, mac(f, 32));
        assertEquals(R4.v4(), (int) u32(f, 38));
        assertEquals(new MacAddress(R), h1.neighbour(R4), "the requester is learned");

        routerSends(arpRequest(R, R4, IpAddress.parse("10.0.1.77")));
        assertEquals(0, router.size());
        assertEquals(1, h1.counters().notForUs());
        assertEquals(1, h1.counters().arpRequestsAnswered());
    }

    @Test
    void answersNeighbourSolicitationWithAdvertisement() {
        IpAddress sn = solicitedNode(H6);
        routerSends(ipv6(multicastMac(sn), R, R6, sn, 58, 255, neighbourSolicit(H6, R)));
        List<byte[]> out = router.take();
        assertEquals(1, out.size());
        byte[] f = out.get(0);
        assertEquals(R, mac(f, 0));
        assertEquals(H, mac(f, 6));
        assertEquals(0x86DD, u16(f, 12));
        assertEquals(32, u16(f, 18));                  // payload length
        assertEquals(58, f[20] & 0xFF);
        assertEquals(255, f[21] & 0xFF);               // hop limit 255 (RFC 4861 7.1.2)
        assertEquals(H6, IpAddress.of(java.util.Arrays.copyOfRange(f, 22, 38)));
        assertEquals(R6, IpAddress.of(java.util.Arrays.copyOfRange(f, 38, 54)));
        assertEquals(136, f[54] & 0xFF);
        assertEquals(0, f[55]);
        assertEquals(0x60, f[58] & 0xFF);              // solicited + override, not router
        assertEquals(H6, IpAddress.of(java.util.Arrays.copyOfRange(f, 62, 78)));
        assertEquals(2, f[78]);                        // target link-layer address option
        assertEquals(1, f[79]);
        assertEquals(H, mac(f, 80));
        assertTrue(l4ChecksumOk(f), "ICMPv6 checksum");
        assertEquals(new MacAddress(R), h1.neighbour(R6));

        // the link-local address (EUI-64 from the MAC) is answered too
        IpAddress ll = h1.linkLocal();
        assertEquals(IpAddress.parse("fe80::ff:fe00:102"), ll);
        routerSends(ipv6(multicastMac(solicitedNode(ll)), R, R6, solicitedNode(ll), 58, 255, neighbourSolicit(ll, R)));
        assertEquals(1, router.size());

        // a solicitation that crossed a router (hop limit below 255) is invalid
        routerSends(ipv6(multicastMac(sn), R, R6, sn, 58, 64, neighbourSolicit(H6, R)));
        assertEquals(1, router.size());
        assertEquals(1, h1.counters().malformed());
    }

    @Test
    void answersEchoV4ThroughItsGatewayAfterResolvingIt() {
        // the gateway is unknown: the reply waits while h1 asks for 10.0.1.1
        byte[] req = ipv4(H, R, FAR4, H4, 1, 63, echo(8, 0x4242, 7, 56));
        routerSends(req);
        List<byte[]> out = router.take();
        assertEquals(1, out.size());
        byte[] arp = out.get(0);
        assertEquals(0xFFFF_FFFF_FFFFL, mac(arp, 0));
        assertEquals(1, u16(arp, 20));
        assertEquals(R4.v4(), (int) u32(arp, 38));
        assertEquals(H4.v4(), (int) u32(arp, 28));

        routerSends(arpReply(R, R4, H, H4));
        out = router.take();
        assertEquals(1, out.size(), "the queued echo reply leaves once the gateway is known");
        byte[] f = out.get(0);
        assertEquals(R, mac(f, 0));
        assertEquals(H, mac(f, 6));
        assertTrue(ipv4HeaderOk(f, 14));
        assertEquals(84, u16(f, 16));
        assertEquals(64, f[22] & 0xFF);
        assertEquals(1, f[23]);
        assertEquals(H4.v4(), (int) u32(f, 26));
        assertEquals(FAR4.v4(), (int) u32(f, 30));
        assertEquals(0, f[34]);                        // echo reply
        assertEquals(0x4242, u16(f, 38));
        assertEquals(7, u16(f, 40));
        assertArrayEquals(java.util.Arrays.copyOfRange(req, 42, 98), java.util.Arrays.copyOfRange(f, 42, 98));
        assertTrue(l4ChecksumOk(f), "ICMP checksum");
        assertEquals(1, h1.counters().echoRequestsAnswered());
    }

    @Test
    void answersEchoV6AfterNeighbourDiscoveryOfTheGateway() {
        routerSends(ipv6(H, R, FAR6, H6, 58, 63, echo(128, 9, 1, 32)));
        List<byte[]> out = router.take();
        assertEquals(1, out.size());
        byte[] ns = out.get(0);
        IpAddress sn = solicitedNode(R6);
        assertEquals(multicastMac(sn), mac(ns, 0));
        assertEquals(255, ns[21] & 0xFF);
        assertEquals(H6, IpAddress.of(java.util.Arrays.copyOfRange(ns, 22, 38)));
        assertEquals(sn, IpAddress.of(java.util.Arrays.copyOfRange(ns, 38, 54)));
        assertEquals(135, ns[54] & 0xFF);
        assertEquals(R6, IpAddress.of(java.util.Arrays.copyOfRange(ns, 62, 78)));
        assertEquals(1, ns[78]);
        assertEquals(H, mac(ns, 80));
        assertTrue(l4ChecksumOk(ns), "NS checksum");

        routerSends(ipv6(H, R, R6, H6, 58, 255, neighbourAdvert(R6, R, true)));
        out = router.take();
        assertEquals(1, out.size());
        byte[] f = out.get(0);
        assertEquals(R, mac(f, 0));
        assertEquals(129, f[54] & 0xFF);
        assertEquals(9, u16(f, 58));
        assertEquals(1, u16(f, 60));
        assertEquals(64, f[21] & 0xFF);
        assertEquals(FAR6, IpAddress.of(java.util.Arrays.copyOfRange(f, 38, 54)));
        assertTrue(l4ChecksumOk(f), "ICMPv6 checksum");
    }

    @Test
    void countsUdpPerFlowAndDropsBadChecksums() {
        byte[] good = ipv4(H, R, FAR4, H4, 17, 63, udp(1111, 2222, 100));
        routerSends(good);
        routerSends(good);
        byte[] bad = good.clone();
        bad[50] ^= 1; // a payload bit
        routerSends(bad);
        routerSends(ipv6(H, R, FAR6, H6, 17, 63, udp(3333, 4444, 10)));
        EmulatedHost.Counters c = h1.counters();
        assertEquals(3, c.udpPackets());
        assertEquals(2 * 128 + 58, c.udpBytes());
        assertEquals(1, c.badChecksum());
        assertEquals(2, h1.flowPackets(FiveTuple.of(FAR4, 1111, H4, 2222, 17)));
        assertEquals(256, h1.flowBytes(FiveTuple.of(FAR4, 1111, H4, 2222, 17)));
        assertEquals(1, h1.flowPackets(FiveTuple.of(FAR6, 3333, H6, 4444, 17)));
        assertEquals(0, h1.flowPackets(FiveTuple.of(FAR4, 1111, H4, 2223, 17)));
        assertEquals(2, h1.flows().size());
        assertEquals(0, router.size(), "nothing is answered to UDP");
    }

    @Test
    void sendsUdpWithCorrectChecksumsOnceTheGatewayAnswers() {
        assertTrue(h1.sendUdp(FAR4, 1000, 2000, 100));
        assertEquals(1, router.take().size()); // ARP request
        routerSends(arpReply(R, R4, H, H4));
        byte[] f = router.take().get(0);
        assertEquals(14 + 20 + 8 + 100, f.length);
        assertTrue(ipv4HeaderOk(f, 14));
        assertEquals(0x4000, u16(f, 20) & 0x4000, "DF set");
        assertEquals(17, f[23]);
        assertEquals(1000, u16(f, 34));
        assertEquals(2000, u16(f, 36));
        assertEquals(108, u16(f, 38));
        assertTrue(l4ChecksumOk(f), "UDP checksum");

        // IPv6 tiny datagram: padded to 60 bytes, checksum over the real length only
        routerSends(ipv6(H, R, R6, H6, 58, 255, neighbourAdvert(R6, R, true)));
        router.take();
        assertTrue(h1.sendUdp(FAR6, 1, 2, 0));
        byte[] g = router.take().get(0);
        assertEquals(62, g.length);
        assertEquals(8, u16(g, 18));
        assertTrue(l4ChecksumOk(g));
    }

    @Test
    void tcpHandshakeDataAndCloseOnThePassiveSide() {
        routerSends(arpRequest(R, R4, H4)); // teaches h1 the gateway
        router.take();
        byte[] synOpts = {2, 4, 0x05, (byte) 0xB4, 1, 3, 3, 2}; // MSS 1460, NOP, WS 2
        long iss = 1000;
        routerSends(ipv4(H, R, FAR4, H4, 6, 63, tcp(40000, 80, iss, 0, 0x02, 29200, synOpts, 0)));
        byte[] synAck = router.take().get(0);
        assertTrue(ipv4HeaderOk(synAck, 14));
        assertTrue(l4ChecksumOk(synAck), "SYN-ACK checksum");
        assertEquals(80, u16(synAck, 34));
        assertEquals(40000, u16(synAck, 36));
        assertEquals(0x12, synAck[47]);
        assertEquals(iss + 1, u32(synAck, 42));
        assertEquals(7, (synAck[46] >> 4) & 0xF);   // 28-byte header
        assertEquals(2, synAck[54]);                  // MSS option
        assertEquals(1460, u16(synAck, 56));
        assertEquals(3, synAck[59]);                  // window scale option
        assertEquals(EmulatedHost.WINDOW_SCALE, synAck[61]);
        long hisIss = u32(synAck, 38);

        routerSends(ipv4(H, R, FAR4, H4, 6, 63, tcp(40000, 80, iss + 1, hisIss + 1, 0x10, 1000, new byte[0], 0)));
        assertEquals(0, router.size(), "the handshake's ACK is not answered");
        routerSends(ipv4(H, R, FAR4, H4, 6, 63, tcp(40000, 80, iss + 1, hisIss + 1, 0x18, 1000, new byte[0], 100)));
        assertEquals(0, router.size(), "delayed ACK: one segment is not acknowledged yet");
        routerSends(ipv4(H, R, FAR4, H4, 6, 63, tcp(40000, 80, iss + 101, hisIss + 1, 0x18, 1000, new byte[0], 100)));
        byte[] ack = router.take().get(0);
        assertEquals(0x10, ack[47]);
        assertEquals(iss + 201, u32(ack, 42));
        assertTrue(l4ChecksumOk(ack));
        assertEquals(2, h1.flowPackets(FiveTuple.of(FAR4, 40000, H4, 80, 6)));

        // out of order: duplicate ACK at once, nothing counted
        routerSends(ipv4(H, R, FAR4, H4, 6, 63, tcp(40000, 80, iss + 999, hisIss + 1, 0x18, 1000, new byte[0], 100)));
        assertEquals(iss + 201, u32(router.take().get(0), 42));
        assertEquals(1, h1.counters().tcpOutOfOrder());

        routerSends(ipv4(H, R, FAR4, H4, 6, 63, tcp(40000, 80, iss + 201, hisIss + 1, 0x11, 1000, new byte[0], 0)));
        byte[] finAck = router.take().get(0);
        assertEquals(0x11, finAck[47]);
        assertEquals(iss + 202, u32(finAck, 42));
        assertEquals(1, h1.tcpConnections().size());
        routerSends(ipv4(H, R, FAR4, H4, 6, 63, tcp(40000, 80, iss + 202, hisIss + 2, 0x10, 1000, new byte[0], 0)));
        assertEquals(0, h1.tcpConnections().size(), "closed after the last ACK");

        // a segment for no connection gets a RST
        routerSends(ipv4(H, R, FAR4, H4, 6, 63, tcp(40001, 80, 5, 77, 0x10, 1000, new byte[0], 0)));
        byte[] rst = router.take().get(0);
        assertEquals(0x04, rst[47]);
        assertEquals(77, u32(rst, 38));
        assertTrue(l4ChecksumOk(rst));
    }

    @Test
    void ignoresFramesForOtherMacs() {
        routerSends(ipv4(0x02_99_99_99_99_99L, R, FAR4, H4, 17, 63, udp(1, 2, 0)));
        assertEquals(1, h1.counters().notForUs());
        assertEquals(0, h1.counters().udpPackets());
    }

    @Test
    void tcpActiveSideRespectsTheWindowAndGoesBackAfterThreeDuplicateAcks() {
        routerSends(arpRequest(R, R4, H4));
        router.take();
        org.flowgate.io.virtual.host.TcpConnection c = h1.tcpConnect(FAR4, 40000, 80);
        byte[] syn = router.take().get(0);
        assertEquals(0x02, syn[47]);
        assertTrue(l4ChecksumOk(syn));
        assertEquals(1460, u16(syn, 56), "our MSS");
        long iss = u32(syn, 38);
        // SYN-ACK without options: MSS 536, unscaled window of 1000 bytes
        routerSends(ipv4(H, R, FAR4, H4, 6, 63, tcp(80, 40000, 7000, iss + 1, 0x12, 1000, new byte[0], 0)));
        byte[] ack = router.take().get(0);
        assertEquals(0x10, ack[47]);
        assertEquals(iss + 1, u32(ack, 38));
        assertEquals(7001, u32(ack, 42));
        assertTrue(c.isEstablished());

        org.flowgate.api.packet.Packet buf = new org.flowgate.api.packet.Packet();
        assertEquals(400, h1.tcpSend(c, buf, 400, 0));
        assertEquals(400, h1.tcpSend(c, buf, 400, 0));
        assertEquals(0, h1.tcpSend(c, buf, 400, 0), "1000-byte window: 800 in flight + 400 does not fit");
        assertEquals(200, h1.tcpSend(c, buf, 200, 0));
        assertEquals(0, h1.tcpSend(c, buf, 2000, 0), "window full: 1000 bytes in flight");
        List<byte[]> data = router.take();
        assertEquals(3, data.size());
        assertEquals(iss + 1, u32(data.get(0), 38));
        assertEquals(iss + 401, u32(data.get(1), 38));
        assertEquals(iss + 801, u32(data.get(2), 38));
        for (byte[] f : data) assertTrue(l4ChecksumOk(f));

        // the first segment was lost: the peer acknowledges nothing new, three times
        for (int i = 0; i < 3; i++) routerSends(ipv4(H, R, FAR4, H4, 6, 63, tcp(80, 40000, 7001, iss + 1, 0x10, 1000, new byte[0], 0)));
        assertEquals(1, c.retransmits());
        assertEquals(400, h1.tcpSend(c, buf, 400, 0));
        assertEquals(iss + 1, u32(router.take().get(0), 38), "sending resumes at the first unacknowledged byte");

        // a real ACK opens the window again (the peer's MSS caps the segment)
        routerSends(ipv4(H, R, FAR4, H4, 6, 63, tcp(80, 40000, 7001, iss + 401, 0x10, 2000, new byte[0], 0)));
        assertEquals(536, h1.tcpSend(c, buf, 2000, 0));
    }
}
