package org.flowgate.conntrack.core;

import static org.flowgate.conntrack.testing.Frames.*;
import static org.junit.jupiter.api.Assertions.*;

import java.lang.management.ManagementFactory;

import org.flowgate.api.conntrack.NatRange;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.conntrack.testing.Router;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Packets of established connections, NATed or not, cost no allocation in conntrack. */
class AllocationTest {
    static final IpAddress C = IpAddress.parse("10.0.1.2"), S = IpAddress.parse("10.0.2.2"), PUB = IpAddress.parse("203.0.113.1");

    @Test
    void establishedTcpAndUdpPacketsAllocateNothing() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(mx.isThreadAllocatedMemorySupported(), "thread allocation counter not supported by this JVM");
        Router r = new Router();
        r.snat = new NatRange(NatRange.Kind.SNAT, PUB, PUB, 0, 0, false);
        assertTrue(r.forward(packet(ip(C, S, Packet.PROTO_TCP, tcp(5000, 80, 1, 0, SYN, 60000)))));
        assertTrue(r.forward(packet(ip(S, PUB, Packet.PROTO_TCP, tcp(80, 5000, 100, 2, SYN | ACK, 60000)))));
        assertTrue(r.forward(packet(ip(C, S, Packet.PROTO_TCP, tcp(5000, 80, 2, 101, ACK, 60000)))));
        assertTrue(r.forward(packet(ip(C, S, Packet.PROTO_UDP, udp(5000, 53, new byte[10])))));
        r.snat = null;

        byte[] tcpOut = eth(ip(C, S, Packet.PROTO_TCP, tcp(5000, 80, 2, 101, ACK, 60000)));
        byte[] tcpBack = eth(ip(S, PUB, Packet.PROTO_TCP, tcp(80, 5000, 101, 2, ACK, 60000)));
        byte[] udpOut = eth(ip(C, S, Packet.PROTO_UDP, udp(5000, 53, new byte[10])));
        Packet p = new Packet();
        int rounds = 20_000;
        for (int warm = 0; warm < 2; warm++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < rounds; i++) {
                p.setFrame(tcpOut, 0, tcpOut.length);
                p.parse();
                if (!r.forward(p)) fail("dropped");
                p.setFrame(tcpBack, 0, tcpBack.length);
                p.parse();
                if (!r.forward(p)) fail("dropped");
                p.setFrame(udpOut, 0, udpOut.length);
                p.parse();
                if (!r.forward(p)) fail("dropped");
            }
            long bytes = mx.getCurrentThreadAllocatedBytes() - before;
            if (warm == 1) assertTrue(bytes < 1024, "allocated " + bytes + " bytes for " + 3 * rounds + " packets");
        }
    }
}
