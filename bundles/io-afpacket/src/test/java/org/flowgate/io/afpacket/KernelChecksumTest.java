package org.flowgate.io.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.ConcurrentLinkedQueue;

import org.flowgate.api.netdev.PortReceiver;
import org.flowgate.api.packet.Packet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A host's kernel on a veth hands UDP over with the checksum left to the "device" (CHECKSUM_PARTIAL,
 * TP_STATUS_CSUMNOTREADY on our ring). The port must complete it, or a router forwarding the frame
 * would deliver a datagram the far host drops. The host lives in namespace {@code fgafcs}.
 */
class KernelChecksumTest {
    static final String NS = "fgafcs", PORT = "fgafg", HOST = "fgafh";
    static boolean created;

    @BeforeAll
    static void createHost() {
        assumeTrue(Netns.isRoot(), "KernelChecksumTest skipped: needs root for namespaces and AF_PACKET");
        assumeTrue(Netns.hasIp(), "KernelChecksumTest skipped: the ip command (iproute2) is not installed");
        deleteHost();
        created = true;
        Netns.run(true, "ip", "netns", "add", NS);
        Netns.run(true, "ip", "link", "add", PORT, "type", "veth", "peer", "name", HOST);
        Netns.writeProc("/proc/sys/net/ipv6/conf/" + PORT + "/disable_ipv6", "1");
        Netns.run(true, "ip", "link", "set", HOST, "netns", NS);
        Netns.run(true, "ip", "link", "set", PORT, "up");
        Netns.run(true, "ip", "-n", NS, "addr", "add", "10.99.0.1/24", "dev", HOST);
        Netns.run(true, "ip", "-n", NS, "link", "set", HOST, "up");
        Netns.run(true, "ip", "-n", NS, "neigh", "replace", "10.99.0.2", "lladdr", "02:00:5e:fa:fa:02", "dev", HOST);
    }

    @AfterAll
    static void deleteHost() {
        Netns.run(false, "ip", "link", "del", PORT);
        Netns.run(false, "ip", "netns", "del", NS);
    }

    @Test
    void udpFromALocalSenderArrivesWithAValidChecksum() throws Exception {
        ConcurrentLinkedQueue<byte[]> udp = new ConcurrentLinkedQueue<>();
        try (AfPacketPort port = AfPacketPort.open("cs", PORT, VethPortTest.options(), 20)) {
            port.start(new PortReceiver() {
                @Override
                public void receive(Packet p) {
                    if (p.parse() == null && p.l4Proto() == Packet.PROTO_UDP && p.dstPort() == 9) udp.add(p.toByteArray());
                }

                @Override
                public void endOfBatch() { }
            });
            Netns.run(true, "ip", "netns", "exec", NS, "python3", "-c",
                    "import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
                            + "[s.sendto(b'flowgate checksum test', ('10.99.0.2', 9)) for _ in range(3)]");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (udp.size() < 3 && System.nanoTime() < deadline) Thread.sleep(5);
            assertEquals(3, udp.size(), "datagrams seen on " + PORT);
            assertTrue(port.statistics().rxChecksumsCompleted() >= 3,
                    "the kernel left the checksums to us: " + port.statistics());
        }
        Packet p = new Packet();
        for (byte[] f : udp) {
            p.setFrame(f, 0, f.length);
            assertNull(p.parse());
            int carried = p.u16(p.l4ChecksumOffset());
            assertTrue(p.computeL4Checksum());
            assertEquals(p.u16(p.l4ChecksumOffset()), carried, "UDP checksum as delivered is the full one");
        }
    }
}
