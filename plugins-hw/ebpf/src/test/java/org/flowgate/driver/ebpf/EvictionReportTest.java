package org.flowgate.driver.ebpf;

import static org.flowgate.driver.ebpf.DriverLab.H1_4;
import static org.flowgate.driver.ebpf.DriverLab.H2_4;
import static org.flowgate.driver.ebpf.DriverLab.RB_4;
import static org.flowgate.driver.ebpf.DriverLab.await;
import static org.flowgate.driver.ebpf.DriverLab.rule;
import static org.flowgate.driver.ebpf.DriverLab.tuple;
import static org.flowgate.driver.ebpf.DriverLab.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.driver.ebpf.bpf.BpfException;
import org.flowgate.driver.ebpf.bpf.BpfMap;
import org.flowgate.driver.ebpf.flows.FlowMapLayout;
import org.flowgate.offload.EvictionReason;
import org.flowgate.offload.FlowBlock;
import org.flowgate.offload.FlowRule;
import org.flowgate.offload.OffloadCallback;
import org.flowgate.testsupport.netns.Shell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Flow directions the driver loses without the manager asking are reported through the
 * callback the table was bound with (prefix {@code fgbpv}, h1 -- r -- h2, r's forwarding off):
 * an entry gone from the map ({@code RESET}), a parked flow whose key another rule took while its
 * device was away ({@code OTHER}), parked flows that find the map full when their device returns
 * ({@code CAPACITY}). Parking itself reports nothing: those flows come back with the device.
 */
class EvictionReportTest {
    private static final String P = "fgbpv";
    private static final String H1 = P + "h1", R = P + "r";
    private static final String RA = P + "ra", RB = P + "rb";

    private DriverLab lab;
    private EbpfOffloadDriver driver;
    private RawSocket h1, portA;
    private final List<String> reports = new CopyOnWriteArrayList<>();
    private final OffloadCallback callback = (cookie, reason) -> reports.add(cookie + " " + reason);
    private FlowRule original, reply;

    @BeforeEach
    void world() throws Exception {
        lab = DriverLab.up(P);
        h1 = Shell.inNamespace(H1, () -> RawSocket.open(P + "a"));
        portA = Shell.inNamespace(R, () -> RawSocket.open(RA));
        original = rule(1, RA, tuple(H1_4, 5555, H2_4, 9), tuple(RB_4, 40000, H2_4, 9), lab.rbMac, lab.h2Mac, RB);
        reply = rule(2, RB, tuple(H2_4, 9, RB_4, 40000), tuple(H2_4, 9, H1_4, 5555), lab.raMac, lab.h1Mac, RA);
        driver = new EbpfOffloadDriver();
        driver.rescanInterval(100);
        lab.start(driver);
    }

    @AfterEach
    void cleanup() throws Throwable {
        try {
            if (driver != null) lab.stop(driver);
        } finally {
            for (RawSocket s : new RawSocket[] {h1, portA}) if (s != null) s.close();
            if (lab != null) lab.close();
        }
    }

    @Test
    void entryGoneFromTheMapAndParkedFlowWhoseKeyWasTakenAreReported() throws Throwable {
        FlowBlock block = driver.bind(table(), callback);
        block.add(original);
        block.add(reply);
        portA.drain(50);

        // someone deletes the original direction's entry behind the driver's back
        int ra = driver.attachedDevices().get(RA);
        assertTrue(driver.datapath().flows().delete(FlowMapLayout.key(ra, -1, original.match())));
        byte[] out = Frames.udp(lab.raMac, lab.h1Mac, H1_4, 5555, H2_4, 9, 64, new byte[18]);
        h1.send(out);
        assertEquals(1, udp(portA.drain(200), 9).size(), "its packets reach software already");
        assertNull(block.stats(original), "the stats pull finds it gone");
        assertEquals(List.of("1 RESET"), reports, "and reports it");
        assertEquals(1, driver.flows().size(), "the driver no longer counts it");
        assertTrue(block.stats(reply) != null, "the other direction is untouched");
        block.del(original); // the manager removes the flow's other direction: unknown cookie, no harm
        block.del(reply);
        reports.clear();

        // both directions over rb; rb goes away: parked, nothing reported
        block.add(original);
        block.add(reply);
        Shell.run(true, "ip", "-n", R, "link", "del", RB);
        await(() -> driver.flows().parked() == 2, "both directions parked");
        assertEquals(List.of(), reports, "parking is no eviction");

        // meanwhile another rule takes the original direction's key (same port and tuple, hairpin back out of ra)
        FlowRule hairpin = rule(3, RA, original.match(), original.rewrite(), lab.raMac, lab.h1Mac, RA);
        block.add(hairpin);
        lab.plugB();
        await(() -> driver.flows().parked() == 0, "parked flows handled once rb is back");
        assertEquals(List.of("1 OTHER"), reports, "the original direction cannot go back: reported");
        assertNull(block.stats(original));
        assertEquals(2, driver.flows().size(), "the reply direction went back, the hairpin stays");
        assertTrue(block.stats(reply) != null);
    }

    @Test
    void parkedFlowsFindingTheMapFullAreReportedAsCapacity() throws Throwable {
        FlowBlock block = driver.bind(table(), callback);
        block.add(original);
        block.add(reply);
        Shell.run(true, "ip", "-n", R, "link", "del", RB);
        await(() -> driver.flows().parked() == 2, "both directions parked");

        // another writer fills the pinned map while rb is away
        BpfMap map = driver.datapath().flows();
        byte[] value = new byte[FlowMapLayout.VALUE_SIZE];
        int filled = 0;
        for (int i = 0; ; i++) {
            FiveTuple t = FiveTuple.of(IpAddress.parse("10.9." + (i >>> 16 & 0xFF) + "." + (i >>> 8 & 0xFF)), i & 0xFF, H2_4, 9, 17);
            try {
                map.update(FlowMapLayout.key(9999, -1, t), value, BpfMap.BPF_NOEXIST);
                filled++;
            } catch (BpfException e) {
                break;
            }
        }
        assertEquals(map.maxEntries(), filled, "the map is full");
        assertThrows(BpfException.class,
                () -> map.update(FlowMapLayout.key(9998, -1, original.match()), value, BpfMap.BPF_NOEXIST));

        lab.plugB();
        await(() -> reports.size() == 2, "both directions reported");
        assertEquals(Set.of("1 CAPACITY", "2 CAPACITY"), Set.copyOf(reports));
        assertEquals(0, driver.flows().size(), "their slots are free again");
        assertEquals(0, driver.flows().parked());
        assertNull(block.stats(original));
        assertNull(block.stats(reply));
    }

    private static FlowTableSpec table() {
        return new FlowTableSpec("inet", "filter", "ft", 0, Set.of(RA, RB), true, false);
    }
}
