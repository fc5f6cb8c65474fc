package org.flowgate.driver.ebpf;

import static org.flowgate.driver.ebpf.DriverLab.H1_4;
import static org.flowgate.driver.ebpf.DriverLab.H2_4;
import static org.flowgate.driver.ebpf.DriverLab.RB_4;
import static org.flowgate.driver.ebpf.DriverLab.rule;
import static org.flowgate.driver.ebpf.DriverLab.tuple;
import static org.flowgate.driver.ebpf.DriverLab.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;

import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.driver.ebpf.kernel.KernelDatapath;
import org.flowgate.io.afpacket.AfPacketPort;
import org.flowgate.io.afpacket.ring.RingGeometry;
import org.flowgate.io.afpacket.socket.PacketSocket;
import org.flowgate.offload.FlowBlock;
import org.flowgate.testsupport.netns.Await;
import org.flowgate.testsupport.netns.Shell;
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

    private DriverLab lab;
    private EbpfOffloadDriver driver;
    private AfPacketPort portA, portB;
    private RawSocket h1, h2;

    @BeforeEach
    void world() throws Exception {
        lab = DriverLab.up(P);
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
            if (lab != null) lab.close();
        }
    }

    @Test
    void portServicesTakeTheFilterThroughTheirApi() throws Throwable {
        driver = new EbpfOffloadDriver();
        driver.addPort(portA); // as DS binds the Port services
        driver.addPort(portB);
        lab.start(driver);
        assertEquals(2, driver.datapath().portSocketsFiltered(), "both port sockets through KernelSocketPort");
        assertEquals(0, driver.datapath().descriptorSocketsFiltered(), "no socket of a served device left to /proc/self/fd");

        FlowBlock block = driver.bind(new FlowTableSpec("inet", "filter", "ft", 0, Set.of(RA, RB), true, false));
        block.add(rule(1, RA, tuple(H1_4, 5555, H2_4, 9), tuple(RB_4, 40000, H2_4, 9), lab.rbMac, lab.h2Mac, RB));
        h2.drain(50);

        long a0 = portA.statistics().kernelPackets();
        byte[] offloaded = Frames.udp(lab.raMac, lab.h1Mac, H1_4, 5555, H2_4, 9, 64, new byte[18]);
        for (int i = 0; i < 20; i++) h1.send(offloaded);
        assertEquals(20, udp(h2.drain(300), 9).size(), "forwarded in the kernel");
        long a1 = portA.statistics().kernelPackets();
        assertTrue(a1 - a0 < 5, "frames the kernel queued to the port socket: " + (a1 - a0));

        byte[] miss = Frames.udp(lab.raMac, lab.h1Mac, H1_4, 5556, H2_4, 9, 64, new byte[18]);
        for (int i = 0; i < 10; i++) h1.send(miss);
        Thread.sleep(200);
        long a2 = portA.statistics().kernelPackets();
        assertTrue(a2 - a1 >= 10, "misses reach the port socket: " + (a2 - a1));

        // stop detaches: with the ports still open, no socket holds the program any more
        stopDriver();
        // programs are freed after an RCU grace period
        assertTrue(Await.until(() -> !Shell.read("bpftool", "prog", "show").contains(KernelDatapath.SOCKET_PROG), 5000),
                "the open port sockets no longer hold the socket filter");
    }

    private void stopDriver() throws Exception {
        if (driver == null) return;
        EbpfOffloadDriver d = driver;
        driver = null;
        lab.stop(d);
    }
}
