package org.flowgate.packet;

import static org.flowgate.packet.TestFrames.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.Packet;
import org.junit.jupiter.api.Test;

/** {@link NetDevice#receive}: a frame handed to a device is received there as from its wire (tc mirred ingress). */
class DeviceReceiveTest extends RouterFixture {

    @Test
    void aFrameGivenToADeviceIsReceivedOnItAndForwarded() {
        learnHosts();
        List<String> ingress = new ArrayList<>();
        router.hooks().add((h, p) -> {
            ingress.add(p.inDevice().name());
            return Verdict.ACCEPT;
        }, 0, Hook.INGRESS);
        // addressed to eth1's MAC, from h2: as if it had arrived on eth1, towards h1 on eth0
        byte[] f = eth(R1, H2, 0x0800, ipv4(H2_IP, H1_IP, 17, 64, udp4(H2_IP, H1_IP, 7, 8, new byte[4])));
        Packet p = new Packet();
        p.setFrame(f, 0, f.length);
        p.setMark(0x42);
        NetDevice d = router.devices().byName("eth1").orElseThrow();
        long rx = d.counters().rxPackets();
        assertTrue(d.receive(p));
        router.path().endOfBatch();
        assertEquals(List.of("eth1"), ingress, "the INGRESS hooks ran with eth1 as the input device");
        assertEquals(rx + 1, d.counters().rxPackets(), "counted as received on eth1");
        byte[] out = only(p0.take());
        assertEquals(63, out[22] & 0xFF, "forwarded (TTL decremented) out of eth0");
        assertEquals(0x42, p.mark(), "metadata is kept");
    }

    @Test
    void addressedToAnotherMacItIsNotForUs() {
        byte[] f = eth(R0, H2, 0x0800, ipv4(H2_IP, H1_IP, 17, 64, udp4(H2_IP, H1_IP, 7, 8, new byte[4])));
        Packet p = new Packet();
        p.setFrame(f, 0, f.length);
        NetDevice d = router.devices().byName("eth1").orElseThrow();
        assertTrue(d.receive(p));
        assertTrue(p0.take().isEmpty());
        assertEquals(1, d.counters().drops().getOrDefault(org.flowgate.api.packet.DropReason.NOT_FOR_US, 0L));
    }

    @Test
    void aFrameThatWasForTheFirstDeviceStaysForUsOnTheNext() {
        learnHosts();
        // addressed to eth0's MAC (PACKET_HOST where it arrived), handed to eth1: Linux keeps pkt_type
        byte[] f = eth(R0, H2, 0x0800, ipv4(H2_IP, H1_IP, 17, 64, udp4(H2_IP, H1_IP, 7, 8, new byte[4])));
        Packet p = new Packet();
        p.setFrame(f, 0, f.length);
        p.setPktType(Packet.PACKET_HOST);
        assertTrue(eth1.receive(p));
        router.path().endOfBatch();
        byte[] out = only(p0.take());
        assertEquals(63, out[22] & 0xFF, "routed from eth1 to h1");
        assertEquals(0, drops(eth1, org.flowgate.api.packet.DropReason.NOT_FOR_US));
        assertEquals(Packet.PACKET_HOST, p.pktType());
    }

    @Test
    void aFrameForAnotherHostStaysSoEvenWhenItCarriesTheNextDevicesMac() {
        learnHosts();
        byte[] f = eth(R1, H2, 0x0800, ipv4(H2_IP, H1_IP, 17, 64, udp4(H2_IP, H1_IP, 7, 8, new byte[4])));
        Packet p = new Packet();
        p.setFrame(f, 0, f.length);
        p.setPktType(Packet.PACKET_OTHERHOST);
        assertTrue(eth1.receive(p));
        assertTrue(p0.take().isEmpty());
        assertEquals(1, drops(eth1, org.flowgate.api.packet.DropReason.NOT_FOR_US));
    }

    @Test
    void theINGRESSHooksSeeThePacketTypeAndAFrameFromTheWireIsClassifiedAnew() {
        learnHosts();
        List<Integer> seen = new ArrayList<>();
        router.hooks().add((h, p) -> { seen.add(p.pktType()); return Verdict.ACCEPT; }, 0, Hook.INGRESS);
        p1.inject(eth(R1, H2, 0x0800, ipv4(H2_IP, H1_IP, 17, 64, udp4(H2_IP, H1_IP, 7, 8, new byte[4]))));
        p1.inject(eth(R0, H2, 0x0800, ipv4(H2_IP, H1_IP, 17, 64, udp4(H2_IP, H1_IP, 7, 8, new byte[4]))));
        p1.inject(pad(eth(BCAST, H2, 0x0806, arp(1, H2, H2_IP, 0, R1_IP))));
        assertEquals(List.of(Packet.PACKET_HOST, Packet.PACKET_OTHERHOST, Packet.PACKET_BROADCAST), seen, "decided before INGRESS");
        assertEquals(1, p0.take().size(), "only the frame for eth1's MAC was routed");
        // a port's reused buffer with a stale type: a frame from the wire is classified by this device
        byte[] f = eth(R0, H2, 0x0800, ipv4(H2_IP, H1_IP, 17, 64, udp4(H2_IP, H1_IP, 7, 8, new byte[4])));
        Packet p = new Packet();
        p.setFrame(f, 0, f.length);
        p.setPktType(Packet.PACKET_HOST);
        router.path().receive(eth1, p);
        assertTrue(p0.take().isEmpty(), "not for eth1: dropped");
        assertEquals(2, drops(eth1, org.flowgate.api.packet.DropReason.NOT_FOR_US));
    }

    @Test
    void aDetachedDeviceReceivesNothing() {
        NetDevice d = router.devices().byName("eth1").orElseThrow();
        router.detach(p1);
        byte[] f = eth(R1, H2, 0x0800, ipv4(H2_IP, H1_IP, 17, 64, udp4(H2_IP, H1_IP, 7, 8, new byte[4])));
        Packet p = new Packet();
        p.setFrame(f, 0, f.length);
        assertFalse(d.receive(p));
    }
}
