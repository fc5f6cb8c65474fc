package org.flowgate.driver.ebpf.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.function.BooleanSupplier;

import org.flowgate.api.flowtable.FlowEntry.HwState;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.conntrack.core.Conntrack;
import org.flowgate.conntrack.hook.ConntrackHooks;
import org.flowgate.conntrack.proto.Timeouts;
import org.flowgate.conntrack.table.CtClock;
import org.flowgate.driver.ebpf.EbpfDrivers;
import org.flowgate.flowtable.command.FlowCommands;
import org.flowgate.flowtable.service.FlowTableManager;
import org.flowgate.flowtable.service.Settings;
import org.flowgate.io.afpacket.AfPacketPort;
import org.flowgate.io.afpacket.ring.RingGeometry;
import org.flowgate.io.afpacket.socket.PacketSocket;
import org.flowgate.nft.engine.NftEngine;
import org.flowgate.nft.engine.NftEngine.HookKey;
import org.flowgate.offload.OffloadDriver;
import org.flowgate.offload.manager.command.OffloadCommands;
import org.flowgate.offload.manager.core.OffloadManager;
import org.flowgate.packet.router.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole chain: h1 (netns) -- veth -- [Flowgate: AF_PACKET ports, packet path, conntrack, nft
 * with masquerade and a flowtable with {@code flags offload}, the offload manager, this driver] --
 * veth -- h2 (netns). Real kernel sockets at both ends: a TCP transfer and a UDP echo stream. Once
 * the flows are in hardware state, the kernel forwards them: the map's counters grow while Java's
 * fast path sees nothing. Then the driver leaves under traffic and Java takes the flows back with
 * nothing lost. tcpdump at h2 records the whole run and tshark verifies the IPv4, TCP and UDP
 * checksums of every packet h2 received (the kernel's incremental rewrites included). Needs root,
 * python3, ethtool, tcpdump, tshark; prefix {@code fgbe}, removed even on failure.
 */
class RouterOffloadEndToEndTest {
    static final String NS1 = "fgbe-h1", NS2 = "fgbe-h2", L1 = "fgbe1", L2 = "fgbe2";
    static final String RULESET = """
            table inet x {
            	flowtable ft {
            		hook ingress priority 0; devices = { fgbe1, fgbe2 }; flags offload; counter;
            	}
            	chain y {
            		type filter hook forward priority 0; policy accept;
            		meta l4proto { tcp, udp } flow add @ft counter
            	}
            }
            table ip nat {
            	chain postrouting {
            		type nat hook postrouting priority srcnat; policy accept;
            		oifname "fgbe2" masquerade
            	}
            }
            """;

    Router router;
    Conntrack ct;
    NftEngine nft;
    FlowTableManager flows;
    OffloadManager offload;
    OffloadDriver driver;
    FlowTable ft;
    final List<AfPacketPort> ports = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(isRoot(), "skipped: needs root (network namespaces, AF_PACKET, BPF)");
        assumeTrue(run(false, "python3", "-c", "pass") == 0, "skipped: python3 missing");
        assumeTrue(run(false, "ethtool", "--version") == 0, "skipped: ethtool missing");
        assumeTrue(run(false, "bpftool", "version") == 0 && run(false, "tc", "-V") == 0, "skipped: bpftool or tc missing");
        assumeTrue(run(false, "tcpdump", "--version") == 0 && run(false, "tshark", "-v") == 0, "skipped: tcpdump or tshark missing");
        cleanup();
        try {
            host(NS1, L1, "10.73.1.2/24", "10.73.1.1");
            host(NS2, L2, "10.73.2.2/24", "10.73.2.1");
            router = new Router();
            router.devices().addAddress(L1, IpPrefix.parse("10.73.1.1/24"));
            router.devices().addAddress(L2, IpPrefix.parse("10.73.2.1/24"));
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
            offload = new OffloadManager(new org.flowgate.offload.manager.core.Settings(1024, 1, 16, 200, 500, 10_000));
            offload.setTableSource(flows::tables);
            flows.addListener(offload);
            offload.start();
            nft = new NftEngine();
            nft.services().connTracker = ct;
            nft.setRegistrar(new RouterHooks());
            nft.setFlowTableService(flows);
            nft.load(RULESET, "offload.nft");
            ft = flows.table("inet", "x", "ft");
            driver = EbpfDrivers.start(List.of(L1, L2), 1024); // after the ports: their sockets get the filter
            offload.addDriver(driver);
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
        if (driver != null) {
            if (offload != null) offload.removeDriver(driver);
            EbpfDrivers.stop(driver);
            driver = null;
        }
        if (flows != null) flows.stop();
        if (offload != null) offload.stop();
        if (router != null) router.close();
        for (AfPacketPort p : ports) p.close();
        ports.clear();
        if (ct != null) ct.close();
        cleanup();
    }

    String diagnostics() {
        return new FlowCommands(flows).list() + new FlowCommands(flows).stats() + new OffloadCommands(offload).stats()
                + new OffloadCommands(offload).flows();
    }

    long hwPackets() {
        long n = 0;
        for (OffloadManager.FlowInfo f : offload.flows()) n += f.hwPackets();
        return n;
    }

    long hwFlows() {
        return offload.flows().stream().filter(f -> "ebpf".equals(f.driver()) && f.state() == HwState.HW).count();
    }

    @Test
    void kernelForwardsOffloadedFlowsThenJavaTakesThemBack() throws Exception {
        Path pcap = Files.createTempFile("fgbe-h2", ".pcap");
        Process capture = new ProcessBuilder("ip", "netns", "exec", NS2, "tcpdump", "-i", "eth0", "-U", "-s", "0", "-w", pcap.toString(),
                "ip and (tcp or udp)").redirectErrorStream(true).start();
        try {
            BufferedReader said = new BufferedReader(new InputStreamReader(capture.getInputStream(), StandardCharsets.UTF_8));
            String line = said.readLine(); // "listening on eth0, ...": attached before the first packet
            assertTrue(line != null && line.contains("listening on"), "tcpdump at h2: " + line);
            Thread.ofVirtual().start(() -> said.lines().forEach(l -> { })); // keep its stderr drained
            kernelForwardsThenJavaTakesBack();
        } finally {
            capture.destroy(); // SIGTERM: tcpdump flushes and closes the file
            capture.waitFor(10, TimeUnit.SECONDS);
        }
        try {
            assertChecksumsCorrectAtH2(pcap);
        } finally {
            Files.deleteIfExists(pcap);
        }
    }

    /**
     * tshark with checksum validation on: every packet h2 received (from the masqueraded address)
     * has correct IPv4, TCP and UDP checksums, over enough packets to cover the offloaded phase.
     */
    void assertChecksumsCorrectAtH2(Path pcap) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("tshark", "-n", "-r", pcap.toString(), "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
                "-o", "udp.check_checksum:TRUE", "-Y", "ip.dst == 10.73.2.2", "-T", "fields", "-E", "separator=,",
                "-e", "ip.src", "-e", "ip.checksum.status", "-e", "tcp.checksum.status", "-e", "udp.checksum.status")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "tshark read the capture");
        int tcp = 0, udp = 0;
        List<String> bad = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(",", -1);
            assertEquals(4, f.length, "tshark line: " + line);
            assertEquals("10.73.2.1", f[0], "h2 only hears the masqueraded address");
            // 1 = good; 0 = bad, 2 = unverified (a truncated or partial checksum would end up there). The
            // counts are lower bounds: tcpdump may lose a few packets on a loaded machine
            if (!f[1].equals("1") || !(f[2].equals("1") || f[3].equals("1"))) bad.add(line);
            if (f[2].equals("1")) tcp++;
            if (f[3].equals("1")) udp++;
        }
        assertTrue(bad.isEmpty(), bad.size() + " packets with bad or unverified checksums at h2, e.g. " + bad.subList(0, Math.min(5, bad.size())));
        assertTrue(tcp > 500 && udp >= 40, "tshark verified " + tcp + " TCP and " + udp + " UDP packets at h2");
    }

    void kernelForwardsThenJavaTakesBack() throws Exception {
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
        Process client = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("ready", out.readLine());
            client = new ProcessBuilder("ip", "netns", "exec", NS1, "python3", "-u", "-c", """
                    import socket, time
                    s=socket.create_connection(('10.73.2.2',7001),timeout=10)
                    u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); u.settimeout(2)
                    got=0
                    for i in range(80):
                        s.sendall(b'x'*20000)
                        u.sendto(b'p'*64,('10.73.2.2',7002))
                        try:
                            u.recvfrom(2000); got+=1
                        except socket.timeout: pass
                        time.sleep(0.1)
                    s.close()
                    print('udp', got)
                    """).redirectErrorStream(true).start();

            assertTrue(await(() -> hwFlows() == 2, 5000), "both connections in the kernel: " + diagnostics());
            Thread.sleep(300); // the last software-forwarded packets of the transition
            long javaHits = ft.stats().hits(), hw = hwPackets();
            Thread.sleep(1500);
            assertEquals(javaHits, ft.stats().hits(), "Java's fast path sees nothing of offloaded flows: " + diagnostics());
            assertTrue(hwPackets() > hw + 20, "the kernel forwards them (map counters): " + diagnostics());

            offload.removeDriver(driver); // under traffic: the flows go back to software
            EbpfDrivers.stop(driver);
            driver = null;
            long back = ft.stats().hits();
            assertTrue(await(() -> ft.stats().hits() > back + 20, 3000), "Java forwards them again: " + diagnostics());

            assertTrue(client.waitFor(30, TimeUnit.SECONDS), "client done");
            String clientOut = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals("udp 80", clientOut, "every UDP echo came back: " + diagnostics());
            assertEquals("10.73.2.1 1600000", out.readLine(), "h2 got every byte from the masqueraded address: " + diagnostics());
        } finally {
            server.destroyForcibly();
            if (client != null) client.destroyForcibly();
        }
    }

    static boolean await(BooleanSupplier c, long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < end) {
            if (c.getAsBoolean()) return true;
            Thread.sleep(20);
        }
        return c.getAsBoolean();
    }

    // ---- namespaces (as bundles/flowtable's end-to-end test sets them up) ----

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

    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0");
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    static void writeProc(String path, String value) {
        try {
            Files.writeString(Path.of(path), value);
        } catch (IOException e) {
            // IPv6 may be disabled in the kernel
        }
    }

    static int run(boolean check, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + ": timed out");
            }
            if (check && p.exitValue() != 0) throw new IllegalStateException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + out);
            return p.exitValue();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
