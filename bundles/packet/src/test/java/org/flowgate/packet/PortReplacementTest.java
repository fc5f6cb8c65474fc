package org.flowgate.packet;

import static org.flowgate.packet.TestFrames.*;
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** A port replacing another of the same name (a NIC taking over a wire) may arrive before the old one leaves. */
class PortReplacementTest extends RouterFixture {
    @Test
    void aReplacementPortWaitsForTheNameAndTakesOver() {
        FakePort replacement = new FakePort("eth1", R1, 1500);
        assertNull(router.attach(replacement), "the name is still held: the replacement waits");
        learnHosts();
        p0.inject(eth(R0, H1, 0x0800, ipv4(H1_IP, H2_IP, 17, 64, udp4(H1_IP, H2_IP, 1, 2, new byte[0]))));
        assertEquals(1, p1.take().size(), "the old port still forwards");
        assertTrue(replacement.take().isEmpty());

        router.detach(p1);
        assertTrue(router.devices().byName("eth1").isPresent(), "the waiting port took the name over");
        router.neighbours().addStatic(org.flowgate.api.net.IpAddress.v4(H2_IP), "eth1", new org.flowgate.api.net.MacAddress(H2));
        p0.inject(eth(R0, H1, 0x0800, ipv4(H1_IP, H2_IP, 17, 64, udp4(H1_IP, H2_IP, 1, 2, new byte[0]))));
        assertEquals(1, replacement.take().size(), "frames now leave through the replacement");
    }

    @Test
    void aWaitingPortThatLeavesIsForgotten() {
        FakePort replacement = new FakePort("eth1", R1, 1500);
        router.attach(replacement);
        router.detach(replacement);
        router.detach(p1);
        assertFalse(router.devices().byName("eth1").isPresent());
    }
}
