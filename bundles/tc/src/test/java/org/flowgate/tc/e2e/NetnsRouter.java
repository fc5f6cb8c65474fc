package org.flowgate.tc.e2e;

import static org.flowgate.testsupport.netns.Shell.output;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.tc.TcException;
import org.flowgate.api.tc.TcFilter;
import org.flowgate.conntrack.core.Conntrack;
import org.flowgate.packet.router.Router;
import org.flowgate.tc.action.Devices;
import org.flowgate.tc.ct.CtEngine;
import org.flowgate.tc.ct.CtFlowTables;
import org.flowgate.tc.hook.TcIngressHook;
import org.flowgate.tc.service.TcEngine;
import org.flowgate.tc.vxlan.Underlay;
import org.flowgate.tc.vxlan.VxlanDecapHook;
import org.flowgate.tc.vxlan.VxlanPort;
import org.flowgate.testsupport.netns.Topology;
import org.flowgate.testsupport.router.TestRouter;

/**
 * The router under test of the namespace tests, in the JVM's namespace on a {@link Topology}'s
 * router links: AF_PACKET ports on both, conntrack's hooks, the tc ingress hook and an external
 * {@code vxlan0} (dstport 4789) whose outer packets leave through the path's LocalOutput, as the
 * OSGi components wire them. Side 2's link carries {@code underlayPrefix}.
 */
final class NetnsRouter implements AutoCloseable {
    private final TestRouter assembly;
    final Router router;
    final Conntrack conntrack;
    final TcEngine tc;
    final VxlanPort vxlan0;
    final Topology topology;

    /**
     * Creates the topology with h1 as the seed's host (MAC 24:8a:07:a5:28:01, its {@code src_mac})
     * and h2 as a Linux VTEP ({@code vx0}, VNI 98, remote the router's side-2 address, IPv6 with
     * {@code v6Underlay}; {@code overlayPeer}/24 on it), then the router; all removed on failure.
     */
    static NetnsRouter withLinuxVtep(Topology.Builder b, boolean v6Underlay, String overlayPeer, MacAddress vxlanMac, int vxlanMtu)
            throws IOException {
        Topology t = b.create();
        try {
            t.setHostMac(1, "24:8a:07:a5:28:01");
            t.vxlanPeer(2, "vx0", 98, v6Underlay ? t.routerAddress6(2) : t.routerAddress(2), overlayPeer + "/24");
            return new NetnsRouter(t, v6Underlay ? t.routerPrefix6(2) : t.routerPrefix(2), vxlanMac, vxlanMtu);
        } catch (IOException | RuntimeException | Error e) {
            t.close();
            throw e;
        }
    }

    /** The router on {@code t}'s links (closing it closes {@code t} too). */
    NetnsRouter(Topology t, String underlayPrefix, MacAddress vxlanMac, int vxlanMtu) throws IOException {
        topology = t;
        try {
            assembly = TestRouter.builder()
                    .afPacket(t.routerLink(1), t.routerLink(2))
                    .address(t.routerLink(2), underlayPrefix)
                    .startThreads()
                    .build();
            router = assembly.router();
            conntrack = assembly.conntrack();
            CtEngine ct = new CtEngine();
            ct.setTracker(conntrack);
            CtFlowTables ft = new CtFlowTables(System::nanoTime, 1024, TimeUnit.SECONDS.toNanos(30));
            ft.setTracker(conntrack);
            ct.setFlowTables(ft);
            Devices devices = new Devices();
            devices.set(router.devices());
            tc = new TcEngine(ct, devices);
            tc.trackers().set(conntrack);
            router.hooks().addService(new TcIngressHook(tc), Map.of(PacketHook.HOOK, "ingress", PacketHook.PRIORITY, TcIngressHook.DEFAULT_PRIORITY));
            vxlan0 = new VxlanPort("vxlan0", vxlanMac, vxlanMtu, 4789,
                    new Underlay(router.routes(), router.neighbours(), router.devices(), router.path()::sendLocal));
            router.attach(vxlan0);
            router.hooks().addService(new VxlanDecapHook(vxlan0), Map.of(PacketHook.HOOK, "ingress", PacketHook.PRIORITY, VxlanDecapHook.PRIORITY));
        } catch (IOException | RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** Adds filters, the seed's device name {@code ens1f0_0} replaced by side 1's link. */
    void add(String... commands) throws TcException {
        for (String c : commands) tc.add(c.replace("ens1f0_0", topology.routerLink(1)));
    }

    TcFilter filter(String dev, int chain, int handle) {
        for (TcFilter f : tc.filters(dev)) if (f.chain() == chain && f.handle() == handle) return f;
        throw new AssertionError("no filter " + handle + " in chain " + chain + " of " + dev);
    }

    /** Filters, counters, neighbours, and the Linux VTEP's view of {@code vx0} in host 2, for failure messages. */
    String diagnostics() {
        StringBuilder sb = new StringBuilder();
        for (TcFilter f : tc.filters(null)) sb.append(f).append('\n');
        sb.append(tc.stats()).append('\n').append(vxlan0.counters()).append('\n').append(router.neighbours().list()).append('\n');
        for (var d : router.devices().all()) sb.append(d.name()).append(' ').append(d.counters()).append('\n');
        try {
            sb.append(output("ip", "-n", topology.h2(), "-s", "link", "show", "vx0"));
            sb.append(output("ip", "-n", topology.h2(), "neigh"));
            sb.append(output("ip", "netns", "exec", topology.h2(), "bridge", "fdb", "show", "dev", "vx0"));
        } catch (Exception e) {
            sb.append(e);
        }
        return sb.toString();
    }

    @Override
    public void close() {
        try {
            if (assembly != null) assembly.close();
        } finally {
            topology.close();
        }
    }
}
