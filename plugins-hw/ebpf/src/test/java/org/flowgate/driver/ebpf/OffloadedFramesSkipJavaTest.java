package org.flowgate.driver.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.function.BooleanSupplier;

import org.flowgate.driver.ebpf.e2e.JavaRouter;
import org.flowgate.driver.ebpf.kernel.KernelDatapath;
import org.flowgate.io.afpacket.PortStatistics;
import org.flowgate.testsupport.netns.Await;
import org.flowgate.testsupport.netns.Shell;
import org.flowgate.testsupport.netns.Topology;
import org.flowgate.testsupport.netns.Traffic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * With Flowgate itself in r (AF_PACKET ports, conntrack, nft masquerade, a flowtable with
 * {@code flags offload}, the offload manager) and this driver added, an offloaded UDP echo
 * stream must cost the Java router nothing: neither port's socket gets the frames (the socket
 * filter drops the ones the tc program forwards on ingress, PACKET_IGNORE_OUTGOING the redirected
 * ones leaving), so nothing is copied into a receive ring and Java's fast path counts no hit —
 * the "Java + eBPF" bench row then costs what the driver alone costs. Prefix {@code fgbpj}.
 */
class OffloadedFramesSkipJavaTest {
    private static final String P = "fgbpj";
    private static final String R = P + "r", RA = P + "ra", RB = P + "rb";
    private static final int N = 400;

    private Topology topo;
    private JavaRouter router;
    private EbpfOffloadDriver driver;
    private Traffic.Peer echo;

    @AfterEach
    void cleanup() throws Exception {
        try {
            if (driver != null) {
                router.removeDriver(driver);
                Shell.inNamespace(R, () -> {
                    driver.stop();
                    return null;
                });
            }
        } finally {
            try {
                if (router != null) router.close();
            } finally {
                if (echo != null) echo.close();
                if (topo != null) topo.close();
            }
        }
    }

    @Test
    void offloadedStreamNeverReachesTheJavaPorts() throws Exception {
        Lab.assumeKernel();
        assumeTrue(Shell.hasCommand("python3", "-c", "pass"), "skipped: python3 missing");
        topo = Lab.up(P);
        Shell.run(true, "ip", "netns", "exec", R, "sysctl", "-qw", "net.ipv4.ip_forward=0");
        for (String dev : new String[] {RA, RB}) Shell.run(true, "ip", "-n", R, "addr", "flush", "dev", dev);
        router = Shell.inNamespace(R, () -> new JavaRouter(RA, "10.0.1.1/24", RB, "10.0.2.1/24"));
        echo = Traffic.udpEcho(topo.h2(), 9);

        // a few echoes through Java: the connection is established and enters the flow table
        // (the first datagrams may be lost while the hosts and the router resolve neighbours)
        int echoed = 0;
        for (int i = 0; i < 5 && echoed == 0; i++) echoed = send(3);
        assertTrue(echoed > 0, "echoes through the Java router");
        await(() -> router.flowTable().count() == 1, "the flow in the flow table");

        driver = new EbpfOffloadDriver();
        Shell.inNamespace(R, () -> {
            driver.start(List.of(RA, RB), 1024, KernelDatapath.Options.defaults());
            return null;
        });
        router.addDriver(driver);
        await(() -> router.flowsInHardware("ebpf") == 1, "the flow in state hw");
        assertEquals(2, driver.datapath().socketsFiltered(), "the socket filter on both port sockets");

        PortStatistics a0 = router.portStatistics(RA), b0 = router.portStatistics(RB);
        long hits0 = router.flowTable().stats().hits();
        assertEquals(N, send(N), "every echo of the offloaded stream");
        PortStatistics a1 = router.portStatistics(RA), b1 = router.portStatistics(RB);

        assertEquals(0, router.flowTable().stats().hits() - hits0, "Java's fast path saw none of the offloaded packets");
        assertEquals(2, driver.flows().size(), "both directions offloaded");
        // a neighbour probe may reach Java meanwhile; the offloaded stream is 2 x N frames
        for (String[] c : new String[][] {{RA, "" + (a1.kernelPackets() - a0.kernelPackets()), "" + (a1.rxFrames() - a0.rxFrames()), "" + (a1.rxOutgoingSkipped() - a0.rxOutgoingSkipped())},
                {RB, "" + (b1.kernelPackets() - b0.kernelPackets()), "" + (b1.rxFrames() - b0.rxFrames()), "" + (b1.rxOutgoingSkipped() - b0.rxOutgoingSkipped())}}) {
            assertTrue(Long.parseLong(c[1]) < 5, c[0] + ": frames the kernel queued to the port socket: " + c[1]);
            assertTrue(Long.parseLong(c[2]) < 5, c[0] + ": frames Java took from the receive ring: " + c[2]);
            assertTrue(Long.parseLong(c[3]) < 5, c[0] + ": own outgoing frames in the receive ring: " + c[3]);
        }
    }

    /** h1 sends n datagrams from port 5555 to h2:9 and counts the echoes. */
    private int send(int n) {
        return Traffic.udpBurst(topo.h1(), 5555, topo.h2Address(), 9, n);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        if (!Await.until(condition, 15_000)) throw new AssertionError("not within 15 s: " + what);
    }
}
