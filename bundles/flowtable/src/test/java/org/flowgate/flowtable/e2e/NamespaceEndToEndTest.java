package org.flowgate.flowtable.e2e;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.conntrack.command.CtCommands;
import org.flowgate.conntrack.core.Conntrack;
import org.flowgate.conntrack.hook.ConntrackHooks;
import org.flowgate.conntrack.proto.Timeouts;
import org.flowgate.conntrack.table.CtClock;
import org.flowgate.flowtable.command.FlowCommands;
import org.flowgate.flowtable.service.FlowTableManager;
import org.flowgate.flowtable.service.Settings;
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
 * h1 (netns) -- veth -- [Flowgate: AF_PACKET ports, packet path, conntrack, nft with the seed's
 * ruleset, flow table] -- veth -- h2 (netns), real kernel sockets at both ends: a TCP transfer and a
 * UDP stream, masqueraded. After the first packets the flow is listed, conntrack shows [OFFLOAD],
 * fast-path hits grow while the classic path's rule counter stays put, closing TCP removes the flow.
 * Needs root; namespaces and links are prefixed {@code ftns} and removed even on failure.
 */
class NamespaceEndToEndTest {
    static final String NS1 = "ftns-h1", NS2 = "ftns-h2", L1 = "ftns1", L2 = "ftns2";

    Router router;
    Conntrack ct;
    NftEngine nft;
    FlowTableManager flows;
    FlowTable ft;
    final List<AfPacketPort> ports = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(isRoot(), "NamespaceEndToEndTest skipped: needs root (network namespaces, AF_PACKET)");
        assumeTrue(run(false, "ip", "-V") == 0, "NamespaceEndToEndTest skipped: iproute2 missing");
        assumeTrue(run(false, "python3", "-c", "pass") == 0, "NamespaceEndToEndTest skipped: python3 missing");
        assumeTrue(run(false, "ethtool", "--version") == 0, "NamespaceEndToEndTest skipped: ethtool missing");
        cleanup();
        try {
            host(NS1, L1, "10.72.1.2/24", "10.72.1.1");
            host(NS2, L2, "10.72.2.2/24", "10.72.2.1");
            router = new Router();
            router.devices().addAddress(L1, IpPrefix.parse("10.72.1.1/24"));
            router.devices().addAddress(L2, IpPrefix.parse("10.72.2.1/24"));
            for (String l : List.of(L1, L2)) {
                PacketSocket.Options o = new PacketSocket.Options(new RingGeometry(1 << 16, 8, 2048), new RingGeometry(1 << 16, 8, 2048), 1, false, true);
                AfPacketPort port = AfPacketPort.open(l, l, o, 20);
                ports.add(port);
                router.attach(port);
            }
            router.startTimers();
            ct = new Conntrack(1024, 65536, Timeouts.linuxDefaults(), 1024, CtClock.SYSTEM).start();
            for (ConntrackHooks.Spec s : ConntrackHooks.specs(ct, "default")) router.hooks().addService(s.hook(), s.properties());
            flows = new FlowTableManager(ct, router.routes(), router.neighbours(), router.devices(), Settings.DEFAULTS, (hook, props) -> {
                router.hooks().addService(hook, props);
                return () -> router.hooks().remove(hook);
            });
            flows.start();
            nft = new NftEngine();
            nft.services().connTracker = ct;
            nft.setRegistrar(new RouterHooks());
            nft.setFlowTableService(flows);
            nft.load("""
                    table inet x {
                    	flowtable ft {
                    		hook ingress priority 0; devices = { ftns1, ftns2 }; counter;
                    	}
                    	chain y {
                    		type filter hook forward priority 0; policy accept;
                    		meta l4proto { tcp, udp } flow add @ft counter
                    	}
                    }
                    table ip nat {
                    	chain postrouting {
                    		type nat hook postrouting priority srcnat; policy accept;
                    		oifname "ftns2" masquerade
                    	}
                    }
                    """, "seed.nft");
            ft = flows.table("inet", "x", "ft");
        } catch (Exception | Error e) {
            tearDown();
            throw e;
        }
    }

    final class RouterHooks implements NftEngine.HookRegistrar {
        final Map<HookKey, PacketHook> registered = new HashMap<>();

        @Override
        public void ensure(Set<HookKey> points) {
            for (HookKey k : points) registered.computeIfAbsent(k, key -> {
                PacketHook h = (hook, p) -> nft.process(key.hook(), key.priority(), p);
                router.hooks().add(h, key.priority(), key.hook());
                return h;
            });
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
    void tearDown() throws Exception {
        if (flows != null) flows.stop();
        if (router != null) router.close();
        for (AfPacketPort p : ports) p.close();
        ports.clear();
        if (ct != null) ct.close();
        cleanup();
    }

    long classicPackets() {
        Matcher m = Pattern.compile("flow add @ft counter packets (\\d+)").matcher(nft.list());
        assertTrue(m.find(), nft.list());
        return Long.parseLong(m.group(1));
    }

    String diagnostics() {
        return nft.list() + new FlowCommands(flows).list() + new FlowCommands(flows).stats() + new CtCommands(ct).list();
    }

    static boolean await(BooleanSupplier c, long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < end) {
            if (c.getAsBoolean()) return true;
            Thread.sleep(20);
        }
        return c.getAsBoolean();
    }

    @Test
    void tcpTransferAndUdpStreamGoThroughTheFastPath() throws Exception {
        // h2: a TCP sink that reports the peer and the byte count, and a UDP echo
        Process server = new ProcessBuilder("ip", "netns", "exec", NS2, "python3", "-u", "-c", """
                import socket, threading
                u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); u.bind(('0.0.0.0',7002))
                def echo():
                    while True:
                        d,a=u.recvfrom(2000); u.sendto(d,a)
                threading.Thread(target=echo,daemon=True).start()
                s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); s.bind(('0.0.0.0',7001)); s.listen(1)
                print('ready')
                c,a=s.accept(); n=0
                while True:
                    d=c.recv(65536)
                    if not d: break
                    n+=len(d)
                print(a[0], n); c.close()
                """).redirectErrorStream(true).start();
        // h1: a slow TCP transfer (so the test sees it in flight), then close; a UDP ping-pong stream
        Process client = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("ready", out.readLine());
            client = new ProcessBuilder("ip", "netns", "exec", NS1, "python3", "-u", "-c", """
                    import socket, time
                    s=socket.create_connection(('10.72.2.2',7001),timeout=10)
                    u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); u.settimeout(2)
                    got=0
                    for i in range(40):
                        s.sendall(b'x'*20000)
                        u.sendto(b'p'*64,('10.72.2.2',7002))
                        try:
                            u.recvfrom(2000); got+=1
                        except socket.timeout: pass
                        time.sleep(0.1)
                    s.close()
                    print('udp', got)
                    """).redirectErrorStream(true).start();

            assertTrue(await(() -> ft.count() == 2, 5000), "both connections offloaded: " + diagnostics());
            assertTrue(new CtCommands(ct).list().contains("[OFFLOAD]"), diagnostics());
            String listed = new FlowCommands(flows).list();
            assertTrue(listed.contains("src=10.72.1.2 dst=10.72.2.2") && listed.contains("snat 10.72.2.1:"), listed);
            long classic = classicPackets(), hits = ft.stats().hits();
            Thread.sleep(1000);
            assertTrue(ft.stats().hits() > hits + 20, "the fast path forwards the transfer: " + diagnostics());
            assertEquals(classic, classicPackets(), "the classic path sees none of it: " + diagnostics());

            assertTrue(client.waitFor(30, TimeUnit.SECONDS), "client done");
            String clientOut = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals("udp 40", clientOut, "every UDP echo came back: " + diagnostics());
            assertEquals("10.72.2.1 800000", out.readLine(), "h2 got every byte from the masqueraded address: " + diagnostics());
            assertTrue(await(() -> ft.count() == 1, 5000), "closing TCP removed its flow, the UDP one stays: " + diagnostics());
            assertTrue(ft.stats().gcEvictions().get("tcp-fin-rst") >= 1, diagnostics());
        } finally {
            server.destroyForcibly();
            if (client != null) client.destroyForcibly();
        }
    }

    // ---- namespaces (as bundles/nft's end-to-end test sets them up) ----

    static void host(String ns, String link, String addr, String gw) {
        run(true, "ip", "netns", "add", ns);
        run(true, "ip", "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", ns);
        writeProc("/proc/sys/net/ipv6/conf/" + link + "/disable_ipv6", "1");
        run(true, "ip", "link", "set", link, "up");
        run(true, "ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
        run(true, "ip", "-n", ns, "link", "set", "lo", "up");
        run(true, "ip", "-n", ns, "addr", "add", addr, "dev", "eth0");
        run(true, "ip", "-n", ns, "link", "set", "eth0", "up");
        // veth leaves TCP/UDP checksums partial; a userspace router reading AF_PACKET needs complete ones
        run(true, "ip", "netns", "exec", ns, "ethtool", "-K", "eth0", "tx", "off");
        run(true, "ip", "netns", "exec", ns, "ethtool", "-K", "eth0", "tso", "off", "gso", "off");
        run(true, "ip", "-n", ns, "route", "add", "default", "via", gw);
    }

    static void cleanup() {
        run(false, "ip", "netns", "del", NS1);
        run(false, "ip", "netns", "del", NS2);
        run(false, "ip", "link", "del", L1);
        run(false, "ip", "link", "del", L2);
    }
}
