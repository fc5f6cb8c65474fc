package org.flowgate.driver.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.flowgate.api.flowtable.FlowTableSpec;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.driver.ebpf.bpf.BpfException;
import org.flowgate.driver.ebpf.bpf.BpfMap;
import org.flowgate.driver.ebpf.flows.FlowMapLayout;
import org.flowgate.driver.ebpf.kernel.KernelDatapath;
import org.flowgate.offload.EvictionReason;
import org.flowgate.offload.FlowBlock;
import org.flowgate.offload.FlowRule;
import org.flowgate.offload.OffloadCallback;
import org.flowgate.testsupport.netns.Shell;
import org.flowgate.testsupport.netns.Topology;
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
    private static final String H1 = P + "h1", R = P + "r", H2 = P + "h2";
    private static final String RA = P + "ra", RB = P + "rb";
    private static final IpAddress H1_4 = IpAddress.parse("10.0.1.2"), H2_4 = IpAddress.parse("10.0.2.2"), RB_4 = IpAddress.parse("10.0.2.1");

    private Topology topo;
    private EbpfOffloadDriver driver;
    private RawSocket h1, portA;
    private long h1Mac, raMac, rbMac, h2Mac;
    private final List<String> reports = new CopyOnWriteArrayList<>();
    private final OffloadCallback callback = (cookie, reason) -> reports.add(cookie + " " + reason);
    private FlowRule original, reply;

    @BeforeEach
    void world() throws Exception {
        Lab.assumeKernel();
        topo = Lab.up(P);
        Shell.run(true, "ip", "netns", "exec", R, "sysctl", "-qw", "net.ipv4.ip_forward=0");
        h1Mac = Topology.mac(H1, P + "a");
        h2Mac = Topology.mac(H2, P + "b");
        raMac = Topology.mac(R, RA);
        rbMac = Topology.mac(R, RB);
        h1 = Shell.inNamespace(H1, () -> RawSocket.open(P + "a"));
        portA = Shell.inNamespace(R, () -> RawSocket.open(RA));
        original = rule(1, RA, tuple(H1_4, 5555, H2_4, 9), tuple(RB_4, 40000, H2_4, 9), rbMac, h2Mac, RB);
        reply = rule(2, RB, tuple(H2_4, 9, RB_4, 40000), tuple(H2_4, 9, H1_4, 5555), raMac, h1Mac, RA);
        driver = new EbpfOffloadDriver();
        driver.rescanInterval(100);
        Shell.inNamespace(R, () -> {
            driver.start(List.of(RA, RB), 1024, KernelDatapath.Options.defaults());
            return null;
        });
    }

    @AfterEach
    void cleanup() throws Throwable {
        try {
            if (driver != null) {
                EbpfOffloadDriver d = driver;
                driver = null;
                Shell.inNamespace(R, () -> {
                    d.stop();
                    return null;
                });
            }
        } finally {
            for (RawSocket s : new RawSocket[] {h1, portA}) if (s != null) s.close();
            if (topo != null) topo.close();
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
        byte[] out = Frames.udp(raMac, h1Mac, H1_4, 5555, H2_4, 9, 64, new byte[18]);
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
        FlowRule hairpin = rule(3, RA, original.match(), original.rewrite(), raMac, h1Mac, RA);
        block.add(hairpin);
        plugB();
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

        plugB();
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

    /** (Re)creates r's port towards h2 with the MACs it had. */
    private void plugB() throws Exception {
        Shell.run(true, "ip", "link", "add", P + "b", "address", mac(h2Mac), "type", "veth", "peer", "name", RB, "address", mac(rbMac));
        Shell.run(true, "ip", "link", "set", P + "b", "netns", H2);
        Shell.run(true, "ip", "link", "set", RB, "netns", R);
        Shell.run(true, "ip", "-n", H2, "link", "set", P + "b", "up");
        Shell.run(true, "ip", "-n", R, "link", "set", RB, "up");
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("not within 10 s: " + what);
            Thread.sleep(20);
        }
    }

    private static String mac(long m) {
        return String.format("%02x:%02x:%02x:%02x:%02x:%02x", m >>> 40 & 0xff, m >>> 32 & 0xff, m >>> 24 & 0xff, m >>> 16 & 0xff, m >>> 8 & 0xff, m & 0xff);
    }

    private static List<byte[]> udp(List<byte[]> frames, int port) {
        return frames.stream().map(Frames::untagged)
                .filter(f -> Frames.isIp(f) && Frames.proto(f) == 17 && (Frames.dport(f) == port || Frames.sport(f) == port)).toList();
    }

    private static FiveTuple tuple(IpAddress src, int sport, IpAddress dst, int dport) {
        return FiveTuple.of(src, sport, dst, dport, 17);
    }

    private static FlowRule rule(long cookie, String in, FiveTuple match, FiveTuple rewrite, long srcMac, long dstMac, String out) {
        return new FlowRule(cookie, cookie, 0, in, -1, match, 0, 0, 0, 0, true, rewrite, srcMac, dstMac, true, out, -1, 1500);
    }
}
