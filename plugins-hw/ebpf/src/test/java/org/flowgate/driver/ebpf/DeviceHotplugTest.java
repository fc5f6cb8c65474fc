package org.flowgate.driver.ebpf;

import static org.flowgate.driver.ebpf.DriverLab.H1_4;
import static org.flowgate.driver.ebpf.DriverLab.H2_4;
import static org.flowgate.driver.ebpf.DriverLab.RB_4;
import static org.flowgate.driver.ebpf.DriverLab.await;
import static org.flowgate.driver.ebpf.DriverLab.rule;
import static org.flowgate.driver.ebpf.DriverLab.tuple;
import static org.flowgate.driver.ebpf.DriverLab.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.driver.ebpf.kernel.KernelDatapath;
import org.flowgate.offload.FlowBlock;
import org.flowgate.offload.FlowRule;
import org.flowgate.offload.OffloadException;
import org.flowgate.testsupport.netns.Shell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Devices that appear after the driver started, go away and come back (prefix {@code fgbph}):
 * h1 -- r -- h2 with r's port towards h2 missing when the driver starts. The driver must attach
 * its program to the port once it exists (and its socket filter to a packet socket opened on it
 * later, standing for a router port registered later), park the flows over it when it goes
 * and put them back, counters intact, when it returns. r's own forwarding is off: only the
 * offload carries a packet across.
 */
class DeviceHotplugTest {
    private static final String P = "fgbph";
    private static final String H1 = P + "h1", R = P + "r", H2 = P + "h2";
    private static final String RA = P + "ra", RB = P + "rb";

    private DriverLab lab;
    private EbpfOffloadDriver driver;
    private RawSocket h1, h2, portA, portB;

    @BeforeEach
    void world() throws Exception {
        lab = DriverLab.up(P);
        Shell.run(true, "ip", "-n", R, "link", "del", RB); // takes h2's end with it
        h1 = Shell.inNamespace(H1, () -> RawSocket.open(P + "a"));
        portA = Shell.inNamespace(R, () -> RawSocket.open(RA));
    }

    @AfterEach
    void cleanup() throws Throwable {
        try {
            if (driver != null) lab.stop(driver);
        } finally {
            for (RawSocket s : new RawSocket[] {h1, h2, portA, portB}) if (s != null) s.close();
            if (lab != null) lab.close();
        }
    }

    @Test
    void attachesToDevicesThatAppearParksFlowsOfDevicesThatGo() throws Throwable {
        driver = new EbpfOffloadDriver();
        driver.rescanInterval(100);
        lab.start(driver);
        assertEquals(Set.of(RA), driver.attachedDevices().keySet(), "only the port that exists");
        assertEquals(Set.of(RA, RB), driver.devices(), "but it can offload both");
        FlowBlock block = driver.bind(new FlowTableSpec("inet", "filter", "ft", 0, Set.of(RA, RB), true, false));
        assertNotNull(block, "a table over a device that is not there yet is bound");
        FlowRule original = rule(1, RA, tuple(H1_4, 5555, H2_4, 9), tuple(RB_4, 40000, H2_4, 9), lab.rbMac, lab.h2Mac, RB);
        FlowRule reply = rule(2, RB, tuple(H2_4, 9, RB_4, 40000), tuple(H2_4, 9, H1_4, 5555), lab.raMac, lab.h1Mac, RA);
        assertEquals(OffloadException.Reason.DEVICE, assertThrows(OffloadException.class, () -> block.add(original)).reason(),
                "no flow over a missing device (the manager retries it)");

        // the port appears; the router opens its socket on it right away
        plugB();
        portB = Shell.inNamespace(R, () -> RawSocket.open(RB));
        await(() -> driver.attachedDevices().containsKey(RB), "the driver attaches to the new port");
        assertTrue(Shell.inNamespace(R, () -> driver.datapath().attached(RB)), "tc filter on the new port");
        await(() -> driver.datapath().socketsFiltered() >= 2, "socket filter on the socket opened later");
        block.add(original);
        block.add(reply);
        drain();

        byte[] out = Frames.udp(lab.raMac, lab.h1Mac, H1_4, 5555, H2_4, 9, 64, new byte[18]);
        for (int i = 0; i < 5; i++) h1.send(out);
        assertEquals(5, udp(h2.drain(300), 9).size(), "forwarded in the kernel out of the new port");
        byte[] back = Frames.udp(lab.rbMac, lab.h2Mac, H2_4, 9, RB_4, 40000, 64, new byte[18]);
        for (int i = 0; i < 3; i++) h2.send(back);
        assertEquals(3, udp(h1.drain(300), 5555).size(), "replies arriving on the new port forwarded in the kernel");
        assertEquals(0, udp(portB.drain(100), 9).size(), "the socket opened on the new port sees no offloaded frame");
        assertEquals(0, udp(portA.drain(100), 9).size());

        // the port goes: its flows are parked, their packets go to software
        h2.close();
        h2 = null;
        portB.close();
        portB = null;
        Shell.run(true, "ip", "-n", R, "link", "del", RB);
        await(() -> !driver.attachedDevices().containsKey(RB), "the driver notices the port went away");
        assertEquals(2, driver.flows().parked(), "both directions cross the missing port");
        assertEquals(5, block.stats(original).packets(), "counters kept while parked");
        assertEquals(3, block.stats(reply).packets());
        h1.send(out);
        assertEquals(1, udp(portA.drain(200), 9).size(), "a parked flow's packet goes to software");

        // it comes back: the flows are in the kernel again, counters continue
        plugB();
        await(() -> driver.flows().parked() == 0, "parked flows back once the port returns");
        assertTrue(Shell.inNamespace(R, () -> driver.datapath().attached(RB)));
        for (int i = 0; i < 4; i++) h1.send(out);
        List<byte[]> at = udp(h2.drain(300), 9);
        assertEquals(4, at.size(), "forwarded in the kernel again");
        assertEquals(RB_4, Frames.src(at.get(0)));
        assertTrue(Frames.ipv4HeaderChecksumOk(at.get(0)) && Frames.l4ChecksumOk(at.get(0)));
        assertEquals(9, block.stats(original).packets(), "cumulative across the parking");
        assertEquals(0, udp(portA.drain(100), 9).size());

        EbpfOffloadDriver d = driver;
        driver = null;
        lab.stop(d);
        for (String dev : new String[] {RA, RB}) {
            assertFalse(Shell.read("ip", "netns", "exec", R, "tc", "filter", "show", "dev", dev, "ingress").contains(KernelDatapath.TC_PROG));
        }
        assertFalse(Shell.read("ip", "netns", "exec", R, "tc", "qdisc", "show", "dev", RB).contains("clsact"),
                "the clsact the driver added to the returned port is gone too");
    }

    /** (Re)creates r's port towards h2 with the MACs and addresses it had (as a NIC that is plugged in again). */
    private void plugB() throws Exception {
        lab.plugB();
        Shell.run(true, "ip", "-n", H2, "addr", "add", "10.0.2.2/24", "dev", P + "b");
        Shell.run(true, "ip", "-n", R, "addr", "add", "10.0.2.1/24", "dev", RB);
        h2 = Shell.inNamespace(H2, () -> RawSocket.open(P + "b"));
    }

    private void drain() throws Throwable {
        for (RawSocket s : new RawSocket[] {h1, h2, portA, portB}) if (s != null) s.drain(50);
    }
}
