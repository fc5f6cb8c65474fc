package org.flowgate.driver.ebpf;

import java.util.List;
import java.util.function.BooleanSupplier;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.driver.ebpf.kernel.KernelDatapath;
import org.flowgate.offload.FlowRule;
import org.flowgate.testsupport.netns.Await;
import org.flowgate.testsupport.netns.Shell;
import org.flowgate.testsupport.netns.Topology;

/**
 * The world of the driver tests that run the driver in r on its own: {@link Lab}'s h1 -- r -- h2
 * with r's forwarding off (only the offload carries a packet across), the MACs of the four link
 * ends, r's port towards h2 plugged in again, and the UDP rules and frames they offload.
 */
final class DriverLab implements AutoCloseable {
    static final IpAddress H1_4 = IpAddress.parse("10.0.1.2"), H2_4 = IpAddress.parse("10.0.2.2"), RB_4 = IpAddress.parse("10.0.2.1");

    final long h1Mac, raMac, rbMac, h2Mac;
    private final Topology topo;
    private final String r; // netlab's <p>r (Topology.r() is null for it: no JVM-side router namespace)

    private DriverLab(Topology topo) {
        this.topo = topo;
        r = topo.prefix() + "r";
        h1Mac = Topology.mac(topo.h1(), topo.hostLink(1));
        h2Mac = Topology.mac(topo.h2(), topo.hostLink(2));
        raMac = Topology.mac(r, topo.routerLink(1));
        rbMac = Topology.mac(r, topo.routerLink(2));
    }

    /** Skips the calling test unless the kernel tests can run ({@link Lab#assumeKernel()}), then builds the world under prefix {@code p}. */
    static DriverLab up(String p) {
        Lab.assumeKernel();
        Topology topo = Lab.up(p);
        try {
            Shell.run(true, "ip", "netns", "exec", p + "r", "sysctl", "-qw", "net.ipv4.ip_forward=0");
            return new DriverLab(topo);
        } catch (RuntimeException | Error e) {
            topo.close();
            throw e;
        }
    }

    /** Starts {@code driver} in r on both of r's ports. */
    void start(EbpfOffloadDriver driver) throws Exception {
        Shell.inNamespace(r, () -> {
            driver.start(List.of(topo.routerLink(1), topo.routerLink(2)), 1024, KernelDatapath.Options.defaults());
            return null;
        });
    }

    /** Stops {@code driver} in r. */
    void stop(EbpfOffloadDriver driver) throws Exception {
        Shell.inNamespace(r, () -> {
            driver.stop();
            return null;
        });
    }

    /** (Re)creates r's port towards h2 with the MACs it had (as a NIC that is plugged in again), both ends up. */
    void plugB() {
        String b = topo.hostLink(2), rb = topo.routerLink(2);
        Shell.run(true, "ip", "link", "add", b, "address", mac(h2Mac), "type", "veth", "peer", "name", rb, "address", mac(rbMac));
        Shell.run(true, "ip", "link", "set", b, "netns", topo.h2());
        Shell.run(true, "ip", "link", "set", rb, "netns", r);
        Shell.run(true, "ip", "-n", topo.h2(), "link", "set", b, "up");
        Shell.run(true, "ip", "-n", r, "link", "set", rb, "up");
    }

    @Override
    public void close() {
        topo.close();
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        if (!Await.until(condition, 10_000)) throw new AssertionError("not within 10 s: " + what);
    }

    /** The UDP frames among {@code frames} (VLAN tags taken off) from or to {@code port}. */
    static List<byte[]> udp(List<byte[]> frames, int port) {
        return frames.stream().map(Frames::untagged)
                .filter(f -> Frames.isIp(f) && Frames.proto(f) == 17 && (Frames.dport(f) == port || Frames.sport(f) == port)).toList();
    }

    static FiveTuple tuple(IpAddress src, int sport, IpAddress dst, int dport) {
        return FiveTuple.of(src, sport, dst, dport, 17);
    }

    /** A rule that rewrites {@code match} to {@code rewrite} and sends it out of {@code out} with the given MACs (no VLAN, MTU 1500). */
    static FlowRule rule(long cookie, String in, FiveTuple match, FiveTuple rewrite, long srcMac, long dstMac, String out) {
        return new FlowRule(cookie, cookie, 0, in, -1, match, 0, 0, 0, 0, true, rewrite, srcMac, dstMac, true, out, -1, 1500);
    }

    private static String mac(long m) {
        return new MacAddress(m).toString();
    }
}
