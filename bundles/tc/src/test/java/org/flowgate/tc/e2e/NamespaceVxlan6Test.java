package org.flowgate.tc.e2e;

import static org.flowgate.testsupport.netns.Shell.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.route.Neighbour;
import org.flowgate.api.tc.TcException;
import org.flowgate.api.tc.TcFilter;
import org.flowgate.conntrack.core.Conntrack;
import org.flowgate.conntrack.hook.ConntrackHooks;
import org.flowgate.conntrack.proto.Timeouts;
import org.flowgate.conntrack.table.CtClock;
import org.flowgate.io.afpacket.AfPacketPort;
import org.flowgate.io.afpacket.ring.RingGeometry;
import org.flowgate.io.afpacket.socket.PacketSocket;
import org.flowgate.packet.router.Router;
import org.flowgate.tc.action.Devices;
import org.flowgate.tc.ct.CtEngine;
import org.flowgate.tc.ct.CtFlowTables;
import org.flowgate.tc.hook.TcIngressHook;
import org.flowgate.tc.service.TcEngine;
import org.flowgate.tc.vxlan.Underlay;
import org.flowgate.tc.vxlan.VxlanDecapHook;
import org.flowgate.tc.vxlan.VxlanPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The seed's filters over an IPv6 underlay, with a Linux VXLAN endpoint as the far end and the
 * VTEP's MAC found by NDP (nothing pre-seeded):
 * <pre>
 *   h1 (netns, 10.73.0.1, MAC 24:8a:07:a5:28:01) -- veth tc6a -- [Flowgate: AF_PACKET ports, tc, conntrack]
 *       -- veth tc6b 2001:db8:73::1 -- vtep (netns, eth0 2001:db8:73::8;
 *                                        vx0: Linux vxlan id 98 local 2001:db8:73::8 remote 2001:db8:73::1, 10.73.0.2)
 * </pre>
 * Linux decapsulates what the router encapsulates (so outer IPv6, UDP checksum and VXLAN header
 * are right by a kernel's standard), and its IPv6 VXLAN answers are decapsulated on vxlan0.
 * Needs root; namespaces and links are prefixed {@code tc6e2e}/{@code tc6} and removed even on failure.
 */
class NamespaceVxlan6Test {
    static final String NS1 = "tc6e2e-h1", NSV = "tc6e2e-vtep", L1 = "tc6a", L2 = "tc6b";
    static final IpAddress VTEP = IpAddress.parse("2001:db8:73::8");

    Router router;
    Conntrack conntrack;
    TcEngine tc;
    VxlanPort vxlan0;
    final List<AfPacketPort> ports = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(isRoot(), "NamespaceVxlan6Test skipped: needs root (network namespaces, AF_PACKET)");
        assumeTrue(run(false, "ip", "-V") == 0, "NamespaceVxlan6Test skipped: iproute2 missing");
        assumeTrue(run(false, "ethtool", "--version") == 0, "NamespaceVxlan6Test skipped: ethtool missing");
        cleanup();
        try {
            run(true, "ip", "netns", "add", NS1);
            run(true, "ip", "netns", "add", NSV);
            link(NS1, L1, false);
            link(NSV, L2, true);
            run(true, "ip", "-n", NS1, "link", "set", "eth0", "address", "24:8a:07:a5:28:01");
            run(true, "ip", "-n", NS1, "addr", "add", "10.73.0.1/24", "dev", "eth0");
            run(true, "ip", "-n", NSV, "addr", "add", "2001:db8:73::8/64", "dev", "eth0", "nodad");
            run(true, "ip", "-n", NSV, "link", "add", "vx0", "type", "vxlan", "id", "98", "local", "2001:db8:73::8",
                    "remote", "2001:db8:73::1", "dstport", "4789", "dev", "eth0");
            run(true, "ip", "-n", NSV, "addr", "add", "10.73.0.2/24", "dev", "vx0");
            run(true, "ip", "-n", NSV, "link", "set", "vx0", "up");
            run(true, "ip", "netns", "exec", NSV, "ethtool", "-K", "vx0", "tx", "off");

            router = new Router();
            router.devices().addAddress(L2, IpPrefix.parse("2001:db8:73::1/64"));
            for (String l : List.of(L1, L2)) {
                PacketSocket.Options o = new PacketSocket.Options(new RingGeometry(1 << 16, 8, 2048), new RingGeometry(1 << 16, 8, 2048), 1, false, true);
                AfPacketPort port = AfPacketPort.open(l, l, o, 20);
                ports.add(port);
                router.attach(port);
            }
            router.startTimers();
            conntrack = new Conntrack(1024, 65536, Timeouts.linuxDefaults(), 1024, CtClock.SYSTEM).start();
            CtEngine ct = new CtEngine();
            for (ConntrackHooks.Spec s : ConntrackHooks.specs(conntrack, "default")) {
                router.hooks().addService(s.hook(), s.properties());
            }
            ct.setTracker(conntrack);
            CtFlowTables ft = new CtFlowTables(System::nanoTime, 1024, TimeUnit.SECONDS.toNanos(30));
            ft.setTracker(conntrack);
            ct.setFlowTables(ft);
            Devices devices = new Devices();
            devices.set(router.devices());
            tc = new TcEngine(ct, devices);
            tc.trackers().set(conntrack);
            router.hooks().addService(new TcIngressHook(tc), Map.of(PacketHook.HOOK, "ingress", PacketHook.PRIORITY, TcIngressHook.DEFAULT_PRIORITY));
            vxlan0 = new VxlanPort("vxlan0", MacAddress.parse("02:00:00:00:73:01"), 1430, 4789,
                    new Underlay(router.routes(), router.neighbours(), router.devices(), router.path()::sendLocal));
            router.attach(vxlan0);
            router.hooks().addService(new VxlanDecapHook(vxlan0), Map.of(PacketHook.HOOK, "ingress", PacketHook.PRIORITY, VxlanDecapHook.PRIORITY));
        } catch (Exception | Error e) {
            tearDown();
            throw e;
        }
    }

    @AfterEach
    void tearDown() {
        if (router != null) router.close();
        for (AfPacketPort p : ports) p.close();
        ports.clear();
        if (conntrack != null) conntrack.close();
        cleanup();
    }

    void add(String cmd) throws TcException { tc.add(cmd); }

    TcFilter filter(String dev, int chain, int handle) {
        for (TcFilter f : tc.filters(dev)) if (f.chain() == chain && f.handle() == handle) return f;
        throw new AssertionError("no filter " + handle + " in chain " + chain + " of " + dev);
    }

    @Test
    void seedFiltersOverAnIpv6UnderlayWithTheVtepFoundByNdp() throws Exception {
        assertTrue(router.neighbours().list().stream().noneMatch(n -> n.address().equals(VTEP)), "nothing pre-seeded");
        add(SeedExampleTest.SEED.replace("ens1f0_0", L1));
        add(SeedExampleTest.SEED2.replace("ens1f0_0", L1).replace("src_ip 0.0.0.0", "src_ip 2001:db8:73::1")
                .replace("7.7.7.8", "2001:db8:73::8"));
        add(SeedExampleTest.SEED3.replace("ens1f0_0", L1).replace("src_ip 0.0.0.0", "src_ip ::").replace("7.7.7.8", "2001:db8:73::8"));
        add("tc filter add dev tc6a ingress prio 2 chain 0 proto arp flower action tunnel_key set dst_ip 2001:db8:73::8 id 98 dst_port 4789 "
                + "action mirred egress redirect dev vxlan0");
        add("tc filter add dev vxlan0 ingress prio 1 chain 0 proto ip flower ct_state -trk action ct pipe action goto chain 2");
        add("tc filter add dev vxlan0 ingress prio 1 chain 2 proto ip flower enc_src_ip 2001:db8:73::8 enc_key_id 98 ct_state +trk+est "
                + "action mirred egress redirect dev tc6a");
        add("tc filter add dev vxlan0 ingress prio 2 chain 0 proto arp flower action mirred egress redirect dev tc6a");

        assertEquals(0, run(false, "ip", "netns", "exec", NS1, "ping", "-c", "3", "-i", "0.3", "-W", "2", "10.73.0.2"),
                "h1 pings 10.73.0.2 behind the Linux VTEP over IPv6; " + diagnostics());
        assertEquals(1, filter(L1, 2, 1).packets(), "the first echo request: +trk+new, committed");
        assertTrue(filter(L1, 2, 2).packets() >= 2, "later echo requests: +trk+est");
        assertTrue(filter("vxlan0", 2, 1).packets() >= 3, "the echo replies came back as IPv6 VXLAN and matched enc_src_ip");
        Neighbour n = router.neighbours().list().stream().filter(x -> x.address().equals(VTEP)).findFirst()
                .orElseThrow(() -> new AssertionError("the VTEP was resolved by NDP: " + router.neighbours().list()));
        assertEquals(L2, n.device());
        assertNotEquals(Neighbour.State.PERMANENT, n.state());
        assertEquals(MacAddress.parse(output("ip", "netns", "exec", NSV, "cat", "/sys/class/net/eth0/address").trim()), n.mac());
        assertEquals(0, vxlan0.counters().get("rx_bad_checksum"));
        assertTrue(vxlan0.counters().get("encapsulated") >= 4, "3 echo requests and h1's ARP: " + vxlan0.counters());
        long linuxRx = Long.parseLong(output("ip", "netns", "exec", NSV, "cat", "/sys/class/net/vx0/statistics/rx_packets").trim());
        assertTrue(linuxRx >= 4, "Linux's vx0 accepted what the router encapsulated: " + linuxRx);
        assertTrue(vxlan0.counters().get("decapsulated") >= 3, "and the router decapsulated Linux's answers: " + vxlan0.counters());
    }

    String diagnostics() {
        StringBuilder sb = new StringBuilder();
        for (TcFilter f : tc.filters(null)) sb.append(f).append('\n');
        sb.append(tc.stats()).append('\n').append(vxlan0.counters()).append('\n').append(router.neighbours().list()).append('\n');
        for (var d : router.devices().all()) sb.append(d.name()).append(' ').append(d.counters()).append('\n');
        try {
            sb.append(output("ip", "-n", NSV, "-s", "link", "show", "vx0"));
            sb.append(output("ip", "-n", NSV, "-6", "neigh"));
            sb.append(output("ip", "netns", "exec", NSV, "bridge", "fdb", "show", "dev", "vx0"));
        } catch (Exception e) {
            sb.append(e);
        }
        return sb.toString();
    }

    // ---- namespaces ----

    static void link(String ns, String link, boolean ipv6) {
        run(true, "ip", "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", ns);
        writeProc("/proc/sys/net/ipv6/conf/" + link + "/disable_ipv6", "1"); // the router speaks NDP on it, not this kernel
        run(true, "ip", "link", "set", link, "up");
        run(true, "ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=" + (ipv6 ? 0 : 1));
        run(true, "ip", "-n", ns, "link", "set", "lo", "up");
        run(true, "ip", "-n", ns, "link", "set", "eth0", "up");
        run(true, "ip", "netns", "exec", ns, "ethtool", "-K", "eth0", "tx", "off");
    }

    static void cleanup() {
        run(false, "ip", "netns", "del", NS1);
        run(false, "ip", "netns", "del", NSV);
        run(false, "ip", "link", "del", L1);
        run(false, "ip", "link", "del", L2);
    }
}
