package org.flowgate.driver.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.driver.ebpf.kernel.KernelDatapath;
import org.flowgate.io.afpacket.AfPacketPort;
import org.flowgate.io.afpacket.ring.RingGeometry;
import org.flowgate.io.afpacket.socket.PacketSocket;
import org.flowgate.offload.FlowBlock;
import org.flowgate.offload.FlowRule;
import org.flowgate.testsupport.netns.Shell;
import org.flowgate.testsupport.netns.Topology;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The socket filter reaches the router's AF_PACKET ports through their {@code KernelSocketPort}
 * when they are known as {@code Port} services (prefix {@code fgbpk}, h1 -- r -- h2, r's
 * forwarding off): no /proc/self/fd scan is needed for them, their sockets get none of the
 * offloaded frames but do get the misses, and stop takes the filter off again.
 */
class PortSocketFilterTest {
    private static final String P = "fgbpk";
    private static final String H1 = P + "h1", R = P + "r", H2 = P + "h2";
    private static final String RA = P + "ra", RB = P + "rb";
    private static final IpAddress H1_4 = IpAddress.parse("10.0.1.2"), H2_4 = IpAddress.parse("10.0.2.2"), RB_4 = IpAddress.parse("10.0.2.1");

    private Topology topo;
    private EbpfOffloadDriver driver;
    private AfPacketPort portA, portB;
    private RawSocket h1, h2;

    @BeforeEach
    void world() throws Exception {
        Lab.assumeKernel();
        topo = Lab.up(P);
        Shell.run(true, "ip", "netns", "exec", R, "sysctl", "-qw", "net.ipv4.ip_forward=0");
        PacketSocket.Options o = new PacketSocket.Options(new RingGeometry(1 << 18, 4, 2048), new RingGeometry(1 << 18, 4, 2048), 1, false, true);
        portA = Shell.inNamespace(R, () -> AfPacketPort.open(RA, RA, o, 20));
        portB = Shell.inNamespace(R, () -> AfPacketPort.open(RB, RB, o, 20));
        h1 = Shell.inNamespace(H1, () -> RawSocket.open(P + "a"));
        h2 = Shell.inNamespace(H2, () -> RawSocket.open(P + "b"));
    }

    @AfterEach
    void cleanup() throws Throwable {
        try {
            stopDriver();
        } finally {
            for (AutoCloseable c : new AutoCloseable[] {portA, portB}) if (c != null) c.close();
            for (RawSocket s : new RawSocket[] {h1, h2}) if (s != null) s.close();
            if (topo != null) topo.close();
        }
    }

    @Test
    void portServicesTakeTheFilterThroughTheirApi() throws Throwable {
        long h1Mac = Topology.mac(H1, P + "a"), h2Mac = Topology.mac(H2, P + "b"), raMac = Topology.mac(R, RA), rbMac = Topology.mac(R, RB);
        driver = new EbpfOffloadDriver();
        driver.addPort(portA); // as DS binds the Port services
        driver.addPort(portB);
        Shell.inNamespace(R, () -> {
            driver.start(List.of(RA, RB), 1024, KernelDatapath.Options.defaults());
            return null;
        });
        assertEquals(2, driver.datapath().portSocketsFiltered(), "both port sockets through KernelSocketPort");
        assertEquals(0, driver.datapath().descriptorSocketsFiltered(), "no socket of a served device left to /proc/self/fd");

        FlowBlock block = driver.bind(new FlowTableSpec("inet", "filter", "ft", 0, Set.of(RA, RB), true, false));
        FiveTuple match = FiveTuple.of(H1_4, 5555, H2_4, 9, 17), rewrite = FiveTuple.of(RB_4, 40000, H2_4, 9, 17);
        block.add(new FlowRule(1, 1, 0, RA, -1, match, 0, 0, 0, 0, true, rewrite, rbMac, h2Mac, true, RB, -1, 1500));
        h2.drain(50);

        long a0 = portA.statistics().kernelPackets();
        byte[] offloaded = Frames.udp(raMac, h1Mac, H1_4, 5555, H2_4, 9, 64, new byte[18]);
        for (int i = 0; i < 20; i++) h1.send(offloaded);
        assertEquals(20, udp(h2.drain(300), 9).size(), "forwarded in the kernel");
        long a1 = portA.statistics().kernelPackets();
        assertTrue(a1 - a0 < 5, "frames the kernel queued to the port socket: " + (a1 - a0));

        byte[] miss = Frames.udp(raMac, h1Mac, H1_4, 5556, H2_4, 9, 64, new byte[18]);
        for (int i = 0; i < 10; i++) h1.send(miss);
        Thread.sleep(200);
        long a2 = portA.statistics().kernelPackets();
        assertTrue(a2 - a1 >= 10, "misses reach the port socket: " + (a2 - a1));

        // stop detaches: with the ports still open, no socket holds the program any more
        stopDriver();
        long deadline = System.currentTimeMillis() + 5000; // programs are freed after an RCU grace period
        boolean gone;
        do {
            gone = !Shell.read("bpftool", "prog", "show").contains(KernelDatapath.SOCKET_PROG);
            if (!gone) Thread.sleep(100);
        } while (!gone && System.currentTimeMillis() < deadline);
        assertTrue(gone, "the open port sockets no longer hold the socket filter");
    }

    private void stopDriver() throws Exception {
        if (driver == null) return;
        EbpfOffloadDriver d = driver;
        driver = null;
        Shell.inNamespace(R, () -> {
            d.stop();
            return null;
        });
    }

    private static List<byte[]> udp(List<byte[]> frames, int port) {
        return frames.stream().map(Frames::untagged)
                .filter(f -> Frames.isIp(f) && Frames.proto(f) == 17 && (Frames.dport(f) == port || Frames.sport(f) == port)).toList();
    }
}
