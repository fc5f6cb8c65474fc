package org.flowgate.conntrack.e2e;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.NatRange;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.conntrack.command.CtCommands;
import org.flowgate.conntrack.core.Conntrack;
import org.flowgate.conntrack.hook.ConntrackHooks;
import org.flowgate.conntrack.proto.Timeouts;
import org.flowgate.conntrack.table.CtClock;
import org.flowgate.io.afpacket.AfPacketPort;
import org.flowgate.io.afpacket.ring.RingGeometry;
import org.flowgate.io.afpacket.socket.PacketSocket;
import org.flowgate.packet.router.Router;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The netlab topology in namespaces of our own ({@code fgct-h1 -- fgct-r -- fgct-h2}): the
 * router is bundles/packet's path with conntrack and a masquerade rule (the programmatic form
 * of kernel-nat.nft's {@code oifname "rb" masquerade}) on AF_PACKET ports opened inside
 * {@code fgct-r}. h1 sends 1 MiB over TCP to h2, which has no route back to 10.0.1.0/24: only
 * masquerade makes the transfer work. Needs root, iproute2, ethtool and python3.
 */
class MasqueradeNamespaceTest {
    static final String H1 = "fgct-h1", H2 = "fgct-h2", R = "fgct-r";
    static boolean created;

    @BeforeAll
    static void topology() {
        assumeTrue(Netns.isRoot(), "MasqueradeNamespaceTest skipped: needs root for namespaces and AF_PACKET");
        assumeTrue(Netns.has("ip", "-V") && Netns.has("ethtool", "--version") && Netns.has("python3", "-V"),
                "MasqueradeNamespaceTest skipped: needs iproute2, ethtool and python3");
        down();
        created = true;
        for (String ns : new String[] {H1, H2, R}) {
            Netns.run(true, "ip", "netns", "add", ns);
            Netns.run(true, "ip", "-n", ns, "link", "set", "lo", "up");
            for (String k : new String[] {"all", "default"})
                Netns.run(false, "ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf." + k + ".disable_ipv6=1");
        }
        Netns.run(true, "ip", "link", "add", "fgct1", "netns", H1, "type", "veth", "peer", "name", "fgctra", "netns", R);
        Netns.run(true, "ip", "link", "add", "fgct2", "netns", H2, "type", "veth", "peer", "name", "fgctrb", "netns", R);
        Netns.run(true, "ip", "-n", H1, "addr", "add", "10.0.1.2/24", "dev", "fgct1");
        Netns.run(true, "ip", "-n", H2, "addr", "add", "10.0.2.2/24", "dev", "fgct2");
        for (String[] d : new String[][] {{H1, "fgct1"}, {H2, "fgct2"}, {R, "fgctra"}, {R, "fgctrb"}}) {
            Netns.run(true, "ip", "-n", d[0], "link", "set", d[1], "up");
            // full checksums on the wire: AF_PACKET would otherwise hand over partial ones
            Netns.run(false, "ip", "netns", "exec", d[0], "ethtool", "-K", d[1], "tx", "off", "gro", "off");
        }
        Netns.run(true, "ip", "-n", H1, "route", "add", "default", "via", "10.0.1.1");
    }

    @AfterAll
    static void down() {
        for (String ns : new String[] {H1, H2, R}) Netns.run(false, "ip", "netns", "del", ns);
    }

    static PacketSocket.Options options() {
        return new PacketSocket.Options(new RingGeometry(1 << 18, 16, 2048), new RingGeometry(1 << 18, 8, 2048), 1, false, true);
    }

    static final String SERVER = """
            import socket, sys
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("10.0.2.2", 5001)); s.listen(1)
            print("listening", flush=True)
            c, peer = s.accept(); n = 0
            while n < 1048576:
                b = c.recv(65536)
                if not b: break
                n += len(b)
            c.sendall(("ok %s %d\\n" % (peer[0], n)).encode())
            c.recv(1); c.close()
            """;

    static final String CLIENT = """
            import socket, sys
            c = socket.create_connection(("10.0.2.2", 5001), timeout=20)
            c.sendall(bytes(1048576))
            print(c.makefile().readline().strip(), flush=True)
            sys.stdin.read()
            c.close()
            """;

    @Test
    void tcpTransferThroughMasqueradeAndCtListShowsTheTranslatedReply() throws Exception {
        Router router = new Router();
        Conntrack ct = new Conntrack(4096, 65536, Timeouts.linuxDefaults(), 256, CtClock.SYSTEM).start();
        List<AfPacketPort> ports = Netns.inNamespace(R, () -> List.of(
                AfPacketPort.open("ra", "fgctra", options(), 20), AfPacketPort.open("rb", "fgctrb", options(), 20)));
        Process server = null, client = null;
        try {
            for (ConntrackHooks.Spec s : ConntrackHooks.specs(ct, "default")) router.hooks().addService(s.hook(), s.properties());
            NatRange masquerade = new NatRange(NatRange.Kind.MASQUERADE, null, null, 0, 0, false);
            PacketHook natPostrouting = (hook, p) -> {
                boolean first = p.conn() instanceof ConnEntry e && !e.isConfirmed();
                if (first && p.outDevice() != null && "rb".equals(p.outDevice().name()) && !ct.bindNat(p, masquerade)) return Verdict.DROP;
                return Verdict.ACCEPT;
            };
            router.hooks().addService(natPostrouting, Map.of(PacketHook.HOOK, "postrouting", PacketHook.PRIORITY, PacketHook.PRIORITY_NAT_SRC));
            router.attach(ports.get(0));
            router.attach(ports.get(1));
            router.devices().addAddress("ra", IpPrefix.parse("10.0.1.1/24"));
            router.devices().addAddress("rb", IpPrefix.parse("10.0.2.1/24"));
            router.startTimers();

            server = new ProcessBuilder("ip", "netns", "exec", H2, "python3", "-c", SERVER).redirectErrorStream(true).start();
            BufferedReader sout = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("listening", sout.readLine());

            client = new ProcessBuilder("ip", "netns", "exec", H1, "python3", "-c", CLIENT).redirectErrorStream(true).start();
            BufferedReader cout = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
            String result = cout.readLine();
            assertEquals("ok 10.0.2.1 1048576", result, "h2 got the whole MiB from the masqueraded address");

            // the timeout is 5 days, or 300 s while data is unacknowledged (a delayed ACK in flight)
            String list = new CtCommands(ct).list("-p", "tcp", "--dport", "5001");
            assertTrue(list.matches("(?s)ipv4 2 tcp 6 \\d+ ESTABLISHED src=10\\.0\\.1\\.2 dst=10\\.0\\.2\\.2 sport=\\d+ dport=5001 "
                    + "src=10\\.0\\.2\\.2 dst=10\\.0\\.2\\.1 sport=5001 dport=\\d+ \\[ASSURED\\] mark=0 zone=0 use=1\n"
                    + "conntrack: 1 flow entries have been shown\\."), list);

            client.getOutputStream().close(); // the client closes; FIN/ACK through the router
            assertTrue(client.waitFor(20, TimeUnit.SECONDS));
            assertTrue(server.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, client.exitValue());
            assertEquals(0L, ct.stats().get("insert_failed"));
        } finally {
            if (client != null) client.destroyForcibly();
            if (server != null) server.destroyForcibly();
            router.close();
            for (AfPacketPort p : ports) p.close();
            ct.close();
        }
    }
}
