package org.flowgate.tc.e2e;

import static org.flowgate.testsupport.netns.Shell.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
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
 * The seed's filters in real namespaces, with a Linux VXLAN endpoint as the far end:
 * <pre>
 *   h1 (netns, 10.72.0.1, MAC 24:8a:07:a5:28:01) -- veth tce1 -- [Flowgate: AF_PACKET ports, tc, conntrack]
 *       -- veth tce2 7.72.0.1 -- vtep (netns, eth0 7.72.0.8; vx0: Linux vxlan id 98 remote 7.72.0.1, 10.72.0.2)
 * </pre>
 * h1's traffic for 10.72.0.2 is tracked, committed and VXLAN-encapsulated by the seed's filters;
 * Linux decapsulates it (so the encapsulation is correct by a real kernel's standard) and its
 * answers come back through the router's vxlan0 to h1. Needs root; namespaces and links are
 * prefixed {@code tce2e}/{@code tce} and removed even on failure. The VTEP's MAC is not pre-seeded:
 * the router resolves it by ARP when the vxlan device first sends to it.
 */
class NamespaceEndToEndTest {
    static final String NS1 = "tce2e-h1", NSV = "tce2e-vtep", L1 = "tce1", L2 = "tce2";

    Router router;
    Conntrack conntrack;
    TcEngine tc;
    MacAddress vtepMacAddress;
    final List<AfPacketPort> ports = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(isRoot(), "NamespaceEndToEndTest skipped: needs root (network namespaces, AF_PACKET)");
        assumeTrue(run(false, "ip", "-V") == 0, "NamespaceEndToEndTest skipped: iproute2 missing");
        assumeTrue(run(false, "python3", "-c", "pass") == 0, "NamespaceEndToEndTest skipped: python3 missing");
        assumeTrue(run(false, "ethtool", "--version") == 0, "NamespaceEndToEndTest skipped: ethtool missing");
        cleanup();
        try {
            run(true, "ip", "netns", "add", NS1);
            run(true, "ip", "netns", "add", NSV);
            link(NS1, L1);
            link(NSV, L2);
            run(true, "ip", "-n", NS1, "link", "set", "eth0", "address", "24:8a:07:a5:28:01");
            run(true, "ip", "-n", NS1, "addr", "add", "10.72.0.1/24", "dev", "eth0");
            run(true, "ip", "-n", NSV, "addr", "add", "7.72.0.8/24", "dev", "eth0");
            run(true, "ip", "-n", NSV, "link", "add", "vx0", "type", "vxlan", "id", "98", "local", "7.72.0.8", "remote", "7.72.0.1",
                    "dstport", "4789", "dev", "eth0");
            run(true, "ip", "-n", NSV, "addr", "add", "10.72.0.2/24", "dev", "vx0");
            run(true, "ip", "-n", NSV, "link", "set", "vx0", "up");
            run(true, "ip", "netns", "exec", NSV, "ethtool", "-K", "vx0", "tx", "off");
            MacAddress vtepMac = MacAddress.parse(output("ip", "netns", "exec", NSV, "cat", "/sys/class/net/eth0/address").trim());

            router = new Router();
            router.devices().addAddress(L2, IpPrefix.parse("7.72.0.1/24"));
            for (String l : List.of(L1, L2)) {
                PacketSocket.Options o = new PacketSocket.Options(new RingGeometry(1 << 16, 8, 2048), new RingGeometry(1 << 16, 8, 2048), 1, false, true);
                AfPacketPort port = AfPacketPort.open(l, l, o, 20);
                ports.add(port);
                router.attach(port);
            }
            vtepMacAddress = vtepMac; // not pre-seeded: the vxlan device has the router resolve it by ARP
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
            VxlanPort vxlan0 = new VxlanPort("vxlan0", MacAddress.parse("02:00:00:00:72:01"), 1450, 4789,
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
    void seedFiltersCarryH1TrafficThroughALinuxVtep() throws Exception {
        // the seed's filters, with this router's device and this VTEP's address (the seed's is 7.7.7.8)
        add(SeedExampleTest.SEED.replace("ens1f0_0", L1));
        add(SeedExampleTest.SEED2.replace("ens1f0_0", L1).replace("7.7.7.8", "7.72.0.8"));
        add(SeedExampleTest.SEED3.replace("ens1f0_0", L1).replace("7.7.7.8", "7.72.0.8"));
        // ARP crosses the tunnel untracked; the return path is tracked on vxlan0
        add("tc filter add dev tce1 ingress prio 2 chain 0 proto arp flower action tunnel_key set src_ip 0.0.0.0 dst_ip 7.72.0.8 id 98 dst_port 4789 "
                + "action mirred egress redirect dev vxlan0");
        add("tc filter add dev vxlan0 ingress prio 1 chain 0 proto ip flower ct_state -trk action ct pipe action goto chain 2");
        add("tc filter add dev vxlan0 ingress prio 1 chain 2 proto ip flower ct_state +trk+est action mirred egress redirect dev tce1");
        add("tc filter add dev vxlan0 ingress prio 2 chain 0 proto arp flower action mirred egress redirect dev tce1");

        assertEquals(0, run(false, "ip", "netns", "exec", NS1, "ping", "-c", "3", "-i", "0.3", "-W", "2", "10.72.0.2"),
                "h1 pings 10.72.0.2 behind the Linux VTEP; " + diagnostics());
        assertEquals(1, filter(L1, 2, 1).packets(), "the first echo request: +trk+new, committed");
        assertTrue(router.neighbours().list().stream().anyMatch(n -> n.address().equals(IpAddress.parse("7.72.0.8"))
                && vtepMacAddress.equals(n.mac()) && n.state() != org.flowgate.api.route.Neighbour.State.PERMANENT),
                "the VTEP was resolved by ARP: " + router.neighbours().list());
        assertTrue(filter(L1, 2, 2).packets() >= 2, "later echo requests: +trk+est");

        Process listener = new ProcessBuilder("ip", "netns", "exec", NSV, "python3", "-u", "-c",
                "import socket\n"
                + "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                + "s.bind(('10.72.0.2',7000)); s.settimeout(10); print('ready')\n"
                + "for i in range(3):\n"
                + "  d,a=s.recvfrom(100); s.sendto(d.upper(),a)\n"
                + "print(a[0])\n").redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("ready", out.readLine());
            String replies = output("ip", "netns", "exec", NS1, "python3", "-c",
                    "import socket\n"
                    + "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.settimeout(3); s.bind(('10.72.0.1',7001))\n"
                    + "for m in ['one','two','three']:\n"
                    + "  s.sendto(m.encode(),('10.72.0.2',7000)); print(s.recvfrom(100)[0].decode())\n");
            assertEquals("ONE\nTWO\nTHREE", replies.trim(), diagnostics());
            assertEquals("10.72.0.1", out.readLine(), "no NAT in the seed: the VTEP's host sees h1's address");
        } finally {
            listener.destroyForcibly();
        }
        assertTrue(tc.ctFlows().stream().anyMatch(f -> f.zone() == 0 && f.original().proto == 17 && f.original().dstPort == 7000),
                "the established UDP connection is in zone 0's flow table: " + tc.ctFlows());
        assertTrue(tc.stats().get("ct_flow_hits") >= 1, "and its third datagram took the ct state from it: " + tc.stats());
    }

    String diagnostics() {
        StringBuilder sb = new StringBuilder();
        for (TcFilter f : tc.filters(null)) sb.append(f).append('\n');
        sb.append(tc.stats()).append('\n');
        for (var d : router.devices().all()) sb.append(d.name()).append(' ').append(d.counters()).append('\n');
        try {
            sb.append(output("ip", "-n", NSV, "-s", "link", "show", "vx0"));
            sb.append(output("ip", "netns", "exec", NSV, "bridge", "fdb", "show", "dev", "vx0"));
        } catch (Exception e) {
            sb.append(e);
        }
        return sb.toString();
    }

    // ---- namespaces ----

    static void link(String ns, String link) {
        run(true, "ip", "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", ns);
        writeProc("/proc/sys/net/ipv6/conf/" + link + "/disable_ipv6", "1");
        run(true, "ip", "link", "set", link, "up");
        run(true, "ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
        run(true, "ip", "-n", ns, "link", "set", "lo", "up");
        run(true, "ip", "-n", ns, "link", "set", "eth0", "up");
        // veth leaves checksums partial for the receiver to complete; AF_PACKET must see complete ones
        run(true, "ip", "netns", "exec", ns, "ethtool", "-K", "eth0", "tx", "off");
    }

    static void cleanup() {
        run(false, "ip", "netns", "del", NS1);
        run(false, "ip", "netns", "del", NSV);
        run(false, "ip", "link", "del", L1);
        run(false, "ip", "link", "del", L2);
    }
}
