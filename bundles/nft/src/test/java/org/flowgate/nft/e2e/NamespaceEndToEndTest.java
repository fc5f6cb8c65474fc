package org.flowgate.nft.e2e;

import static org.flowgate.testsupport.netns.Shell.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.CtStatus;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.conntrack.core.Conntrack;
import org.flowgate.conntrack.hook.ConntrackHooks;
import org.flowgate.conntrack.proto.Timeouts;
import org.flowgate.conntrack.table.CtClock;
import org.flowgate.io.afpacket.AfPacketPort;
import org.flowgate.io.afpacket.ring.RingGeometry;
import org.flowgate.io.afpacket.socket.PacketSocket;
import org.flowgate.nft.engine.NftEngine;
import org.flowgate.nft.engine.NftEngine.HookKey;
import org.flowgate.packet.router.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * h1 (netns) -- veth -- [Flowgate: AF_PACKET ports, packet path, conntrack, nft] -- veth -- h2 (netns).
 * A drop rule blocks h1 -> h2 pings; a masquerade rule makes h2 see the router's address. Needs
 * root; namespaces and links are prefixed {@code nfte2e}/{@code nfte} and removed even on failure.
 */
class NamespaceEndToEndTest {
    static final String NS1 = "nfte2e-h1", NS2 = "nfte2e-h2", L1 = "nfte1", L2 = "nfte2";

    Router router;
    Conntrack ct;
    NftEngine nft;
    final List<AfPacketPort> ports = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(isRoot(), "NamespaceEndToEndTest skipped: needs root (network namespaces, AF_PACKET)");
        assumeTrue(run(false, "ip", "-V") == 0, "NamespaceEndToEndTest skipped: iproute2 missing");
        assumeTrue(run(false, "python3", "-c", "pass") == 0, "NamespaceEndToEndTest skipped: python3 missing");
        assumeTrue(run(false, "ethtool", "--version") == 0, "NamespaceEndToEndTest skipped: ethtool missing");
        cleanup();
        try {
            host(NS1, L1, "10.71.1.2/24", "10.71.1.1");
            host(NS2, L2, "10.71.2.2/24", "10.71.2.1");
            router = new Router();
            router.devices().addAddress(L1, IpPrefix.parse("10.71.1.1/24"));
            router.devices().addAddress(L2, IpPrefix.parse("10.71.2.1/24"));
            for (String l : List.of(L1, L2)) {
                PacketSocket.Options o = new PacketSocket.Options(new RingGeometry(1 << 16, 8, 2048), new RingGeometry(1 << 16, 8, 2048), 1, false, true);
                AfPacketPort port = AfPacketPort.open(l, l, o, 20);
                ports.add(port);
                router.attach(port);
            }
            router.startTimers();
            ct = new Conntrack(1024, 65536, Timeouts.linuxDefaults(), 1024, CtClock.SYSTEM).start();
            for (ConntrackHooks.Spec s : ConntrackHooks.specs(ct, "default")) router.hooks().addService(s.hook(), s.properties());
            nft = new NftEngine();
            nft.services().connTracker = ct;
            nft.setRegistrar(new RouterHooks());
        } catch (Exception | Error e) {
            tearDown();
            throw e;
        }
    }

    /** Registers the engine's hook points in the router, as the DS component does with services. */
    final class RouterHooks implements NftEngine.HookRegistrar {
        final Map<HookKey, PacketHook> registered = new HashMap<>();

        @Override
        public void ensure(Set<HookKey> points) {
            for (HookKey k : points) {
                registered.computeIfAbsent(k, key -> {
                    PacketHook h = (hook, p) -> nft.process(key.hook(), key.priority(), p);
                    router.hooks().add(h, key.priority(), key.hook());
                    return h;
                });
            }
        }

        @Override
        public void retainOnly(Set<HookKey> points) {
            registered.entrySet().removeIf(e -> {
                if (points.contains(e.getKey())) return false;
                router.hooks().remove(e.getValue());
                return true;
            });
        }
    }

    @AfterEach
    void tearDown() {
        if (router != null) router.close();
        for (AfPacketPort p : ports) p.close();
        ports.clear();
        if (ct != null) ct.close();
        cleanup();
    }

    @Test
    void dropRuleBlocksH1ToH2() throws Exception {
        nft.load("""
                table inet filter {
                	chain forward {
                		type filter hook forward priority filter; policy accept;
                		ip saddr 10.71.1.2 ip daddr 10.71.2.2 icmp type echo-request counter drop
                	}
                }
                """, "e2e.nft");
        assertNotEquals(0, ping(NS1, "10.71.2.2"), "the drop rule blocks the ping");
        assertTrue(nft.list().matches("(?s).*icmp type echo-request counter packets [1-9]\\d* bytes \\d+ drop.*"), nft.list());
        nft.execute("flush ruleset", "<cmdline>");
        assertEquals(0, ping(NS1, "10.71.2.2"), "without the rule the same ping passes");
    }

    @Test
    void masqueradeTranslatesTheSource() throws Exception {
        nft.load("""
                table ip nat {
                	chain postrouting {
                		type nat hook postrouting priority srcnat; policy accept;
                		oifname "nfte2" counter masquerade
                	}
                }
                """, "e2e.nft");
        Process listener = new ProcessBuilder("ip", "netns", "exec", NS2, "python3", "-u", "-c",
                "import socket\n"
                + "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                + "s.bind(('0.0.0.0',7000)); s.settimeout(10); print('ready')\n"
                + "d,a=s.recvfrom(100); print(a[0]); s.sendto(b'pong',a)\n").redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("ready", out.readLine());
            String reply = output("ip", "netns", "exec", NS1, "python3", "-c",
                    "import socket\n"
                    + "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.settimeout(5)\n"
                    + "for i in range(5):\n"
                    + "  s.sendto(b'ping',('10.71.2.2',7000))\n"
                    + "  try:\n"
                    + "    print(s.recvfrom(100)[0].decode()); break\n"
                    + "  except socket.timeout: pass\n");
            assertEquals("10.71.2.1", out.readLine(), "h2 sees the router's address, not 10.71.1.2; " + diagnostics());
            assertEquals("pong", reply.trim(), "the reply is translated back to h1");
        } finally {
            listener.destroyForcibly();
        }
        boolean masqueraded = false;
        for (ConnEntry e : ct.list()) masqueraded |= (e.status() & CtStatus.SRC_NAT) != 0;
        assertTrue(masqueraded, "conntrack holds a source-NATed connection");
        assertTrue(nft.list().contains("counter packets 1 bytes"), "the nat chain saw the first packet only: " + nft.list());
    }

    String diagnostics() {
        StringBuilder sb = new StringBuilder(nft.list()).append(nft.stats());
        for (ConnEntry e : ct.list()) sb.append("ct ").append(e.original()).append(" -> ").append(e.reply()).append(" status ").append(e.status()).append('\n');
        for (var d : router.devices().all()) sb.append(d.name()).append(' ').append(d.counters()).append('\n');
        try {
            sb.append(output("ip", "netns", "exec", NS2, "sh", "-c", "grep -E '^(Udp|Ip):' /proc/net/snmp; ip -s link show eth0"));
        } catch (Exception e) {
            sb.append(e);
        }
        return sb.toString();
    }

    // ---- namespaces ----

    static void host(String ns, String link, String addr, String gw) {
        run(true, "ip", "netns", "add", ns);
        run(true, "ip", "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", ns);
        writeProc("/proc/sys/net/ipv6/conf/" + link + "/disable_ipv6", "1");
        run(true, "ip", "link", "set", link, "up");
        run(true, "ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
        run(true, "ip", "-n", ns, "link", "set", "lo", "up");
        run(true, "ip", "-n", ns, "addr", "add", addr, "dev", "eth0");
        run(true, "ip", "-n", ns, "link", "set", "eth0", "up");
        // veth leaves TCP/UDP checksums partial for the receiver to complete; a userspace router
        // reading them with AF_PACKET must get complete ones (as from a real NIC)
        run(true, "ip", "netns", "exec", ns, "ethtool", "-K", "eth0", "tx", "off");
        run(true, "ip", "-n", ns, "route", "add", "default", "via", gw);
    }

    static void cleanup() {
        run(false, "ip", "netns", "del", NS1);
        run(false, "ip", "netns", "del", NS2);
        run(false, "ip", "link", "del", L1);
        run(false, "ip", "link", "del", L2);
    }

    static int ping(String ns, String dst) {
        return run(false, "ip", "netns", "exec", ns, "ping", "-c", "3", "-i", "0.3", "-W", "2", dst);
    }
}
