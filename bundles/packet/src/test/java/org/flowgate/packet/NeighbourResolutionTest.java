package org.flowgate.packet;

import static org.flowgate.packet.TestFrames.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.packet.DropReason;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.route.Neighbour;
import org.junit.jupiter.api.Test;

/** Resolution with queueing, retries on the timer, failure, aging. */
class NeighbourResolutionTest extends RouterFixture {

    byte[] udpToH2(int n) {
        return eth(R0, H1, 0x0800, ipv4(H1_IP, H2_IP, 17, 64, udp4(H1_IP, H2_IP, 1000 + n, 2, new byte[] {(byte) n})));
    }

    void learnH1() {
        p0.inject(pad(eth(BCAST, H1, 0x0806, arp(1, H1, H1_IP, 0, R0_IP))));
        p0.take();
    }

    @Test
    void queuesUntilTheArpReplyThenSendsInOrder() {
        learnH1();
        p0.inject(udpToH2(1));
        p0.inject(udpToH2(2));
        byte[] req = only(p1.take());
        assertEquals(BCAST, mac(req, 0));
        assertEquals(1, u16(req, 20), "ARP request");
        assertEquals(R1, mac(req, 22));
        assertEquals(R1_IP, u32(req, 28), "from our address on that network");
        assertEquals(H2_IP, u32(req, 38));
        Neighbour n = router.neighbours().list().stream().filter(x -> x.device().equals("eth1")).findFirst().orElseThrow();
        assertEquals(Neighbour.State.INCOMPLETE, n.state());
        assertEquals(2, n.queued());
        assertEquals(2, router.neighbours().queuedPackets());

        p1.inject(pad(eth(R1, H2, 0x0806, arp(2, H2, H2_IP, R1, R1_IP))));
        List<byte[]> out = p1.take();
        assertEquals(2, out.size());
        for (int i = 0; i < 2; i++) {
            assertEquals(H2, mac(out.get(i), 0));
            assertEquals(R1, mac(out.get(i), 6));
            assertEquals(63, u8(out.get(i), 22));
            assertEquals(1001 + i, u16(out.get(i), 34), "order kept");
        }
        assertEquals(0, router.neighbours().queuedPackets(), "buffers back in the pool");
        assertEquals(Neighbour.State.REACHABLE, router.neighbours().list().stream().filter(x -> x.device().equals("eth1")).findFirst().orElseThrow().state());
        p0.inject(udpToH2(3));
        assertEquals(H2, mac(only(p1.take()), 0), "resolved: sent at once");
    }

    @Test
    void retriesThreeTimesOneSecondApartThenFailsWithHostUnreachable() {
        learnH1();
        p0.inject(udpToH2(1));
        assertEquals(1, p1.take().size(), "first probe sent at once");
        advance(500);
        assertTrue(p1.take().isEmpty());
        advance(600);
        assertEquals(1, p1.take().size(), "second probe after 1 s, by the timer");
        advance(1000);
        assertEquals(1, p1.take().size(), "third probe");
        assertTrue(p0.take().isEmpty());
        advance(1000);
        assertTrue(p1.take().isEmpty(), "no fourth probe");
        Packet err = assertIcmp4(only(p0.take()), 3, 1);
        assertEquals(H1_IP, err.ipv4Dst());
        assertEquals(1, drops(eth1, DropReason.NEIGHBOUR_FAILED));
        assertEquals(Neighbour.State.FAILED, router.neighbours().list().stream().filter(x -> x.device().equals("eth1")).findFirst().orElseThrow().state());
        assertEquals(0, router.neighbours().queuedPackets());
        assertTrue(p0.flushes() > 0, "the timer flushed what it sent");

        // a new packet restarts resolution, as Linux does for a FAILED entry
        p0.inject(udpToH2(2));
        assertEquals(1, p1.take().size());
        advance(10_000);
        advance(10_000);
        advance(10_000);
        advance(10_000);
        assertEquals(2, drops(eth1, DropReason.NEIGHBOUR_FAILED));
    }

    @Test
    void ipv6ResolutionUsesTheSolicitedNodeGroup() {
        router.neighbours().addStatic(IpAddress.of(H1_6), "eth0", new MacAddress(H1));
        p0.inject(eth(R0, H1, 0x86DD, ipv6(H1_6, H2_6, 17, 64, udp6(H1_6, H2_6, 1, 2, new byte[3]))));
        byte[] ns = only(p1.take());
        Packet p = assertIcmp6(ns, 135, 0);
        assertEquals(solicitedNodeMac(H2_6), p.ethDst());
        assertArrayEquals(solicitedNode(H2_6), slice(ns, 38, 16));
        assertArrayEquals(R1_6, slice(ns, 22, 16));
        assertEquals(255, p.ttl());
        assertArrayEquals(H2_6, slice(ns, p.l4() - p.start() + 8, 16));
        assertEquals(R1, p.mac(p.l4() + 26), "source link-layer option");

        byte[] na = icmp6(H2_6, R1_6, 136, 0, naBody(0x6000_0000, H2_6, H2));
        p1.inject(eth(R1, H2, 0x86DD, ipv6(H2_6, R1_6, 58, 255, na)));
        byte[] fwd = only(p1.take());
        assertEquals(H2, mac(fwd, 0));
        assertEquals(63, u8(fwd, 21));
    }

    @Test
    void ipv6FailureSendsAddressUnreachable() {
        router.neighbours().addStatic(IpAddress.of(H1_6), "eth0", new MacAddress(H1));
        p0.inject(eth(R0, H1, 0x86DD, ipv6(H1_6, H2_6, 17, 64, udp6(H1_6, H2_6, 1, 2, new byte[3]))));
        for (int i = 0; i < 4; i++) advance(1000);
        assertEquals(3, p1.take().size(), "three solicitations");
        assertIcmp6(only(p0.take()), 1, 3);
    }

    @Test
    void queuePerNeighbourIsBoundedDroppingTheOldest() {
        learnH1();
        for (int i = 0; i < 20; i++) p0.inject(udpToH2(i));
        assertEquals(4, drops(eth1, DropReason.NEIGHBOUR_QUEUE_FULL));
        p1.take();
        p1.inject(pad(eth(R1, H2, 0x0806, arp(2, H2, H2_IP, R1, R1_IP))));
        List<byte[]> out = p1.take();
        assertEquals(16, out.size());
        assertEquals(1004, u16(out.get(0), 34), "the four oldest were dropped");
        assertEquals(1019, u16(out.get(15), 34));
    }

    @Test
    void reachableTurnsStaleAndAStaleEntryInUseIsReprobedUnicast() {
        learnH1();
        p0.inject(udpToH2(1));
        p1.inject(pad(eth(R1, H2, 0x0806, arp(2, H2, H2_IP, R1, R1_IP))));
        p1.take();
        advance(31_000);
        assertEquals(Neighbour.State.STALE, state("eth1"));
        p0.inject(udpToH2(2));
        assertEquals(H2, mac(only(p1.take()), 0), "a stale entry is still used");
        advance(100);  // starts the delay
        advance(5000); // delay over: unicast probe
        byte[] probe = only(p1.take());
        assertEquals(H2, mac(probe, 0), "unicast probe to the known MAC");
        assertEquals(1, u16(probe, 20));
        p1.inject(pad(eth(R1, H2, 0x0806, arp(2, H2, H2_IP, R1, R1_IP))));
        assertEquals(Neighbour.State.REACHABLE, state("eth1"));
    }

    @Test
    void unusedStaleEntriesAreCollected() {
        learnH1();
        assertEquals(Neighbour.State.STALE, state("eth0"));
        advance(61_000);
        assertTrue(router.neighbours().list().isEmpty());
    }

    @Test
    void permanentEntriesStayAndAreNotOverwritten() {
        router.neighbours().addStatic(IpAddress.v4(H2_IP), "eth1", new MacAddress(0x0200_0000_0BADL));
        p1.inject(pad(eth(BCAST, H2, 0x0806, arp(1, H2, H2_IP, 0, R1_IP))));
        advance(100_000);
        assertEquals(Neighbour.State.PERMANENT, state("eth1"));
        assertEquals(0x0200_0000_0BADL, router.neighbours().resolved(eth1.ifIndex(), 4, 0, H2_IP & 0xFFFF_FFFFL));
        router.neighbours().flush();
        assertEquals(1, router.neighbours().list().size(), "flush keeps permanent entries");
        assertTrue(router.neighbours().remove(IpAddress.v4(H2_IP), "eth1"));
        assertTrue(router.neighbours().list().isEmpty());
    }

    @Test
    void detachingADeviceForgetsItsNeighboursAndStopsThePort() {
        learnH1();
        router.detach(p0);
        assertTrue(p0.stopped());
        assertTrue(router.neighbours().list().isEmpty());
        assertNull(router.devices().byIndex(eth0.ifIndex()));
        FakePort again = new FakePort("eth0", R0, 1500);
        assertEquals(eth0.ifIndex(), router.attach(again).ifIndex(), "same name, same ifIndex");
        assertTrue(router.devices().byName("eth0").orElseThrow().addresses().toString().contains("10.0.1.1/24"), "configuration kept by name");
    }

    @Test
    void aSolicitationFromTheWaitedForNeighbourReleasesTheQueue() {
        router.neighbours().addStatic(IpAddress.of(H1_6), "eth0", new MacAddress(H1));
        p0.inject(eth(R0, H1, 0x86DD, ipv6(H1_6, H2_6, 17, 64, udp6(H1_6, H2_6, 1, 2, new byte[3]))));
        assertEquals(1, p1.take().size(), "our solicitation");
        // h2 happens to solicit us first: its source link-layer option is enough (entry becomes STALE)
        byte[] ns = icmp6(H2_6, solicitedNode(R1_6), 135, 0, nsBody(R1_6, H2));
        p1.inject(eth(solicitedNodeMac(R1_6), H2, 0x86DD, ipv6(H2_6, solicitedNode(R1_6), 58, 255, ns)));
        List<byte[]> out = p1.take();
        assertEquals(2, out.size(), "the waiting packet and our advertisement");
        assertEquals(H2, mac(out.get(0), 0));
        assertEquals(17, u8(out.get(0), 20));
        assertIcmp6(out.get(1), 136, 0);
        assertEquals(Neighbour.State.STALE, state("eth1"));
    }

    Neighbour.State state(String dev) {
        return router.neighbours().list().stream().filter(x -> x.device().equals(dev)).findFirst().orElseThrow().state();
    }
}
