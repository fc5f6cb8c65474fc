package org.flowgate.conntrack.e2e;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;

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
import org.flowgate.testsupport.netns.Shell;
import org.flowgate.testsupport.netns.Topology;
import org.flowgate.testsupport.netns.Traffic;
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
    static Topology topo;

    @BeforeAll
    static void topology() {
        assumeTrue(Topology.unavailable() == null, () -> "MasqueradeNamespaceTest skipped: " + Topology.unavailable());
        topo = Topology.builder("fgct").routerNamespace().noRouteBackFromH2().create();
    }

    @AfterAll
    static void down() {
        if (topo != null) topo.close();
    }

    static PacketSocket.Options options() {
        return new PacketSocket.Options(new RingGeometry(1 << 18, 16, 2048), new RingGeometry(1 << 18, 8, 2048), 1, false, true);
    }

    @Test
    void tcpTransferThroughMasqueradeAndCtListShowsTheTranslatedReply() throws Exception {
        Router router = new Router();
        Conntrack ct = new Conntrack(4096, 65536, Timeouts.linuxDefaults(), 256, CtClock.SYSTEM).start();
        List<AfPacketPort> ports = Shell.inNamespace(topo.r(), () -> List.of(
                AfPacketPort.open("ra", topo.routerLink(1), options(), 20), AfPacketPort.open("rb", topo.routerLink(2), options(), 20)), 30);
        Traffic.Peer server = null, client = null;
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
            router.devices().addAddress("ra", IpPrefix.parse(topo.routerPrefix(1)));
            router.devices().addAddress("rb", IpPrefix.parse(topo.routerPrefix(2)));
            router.startTimers();

            server = Traffic.tcpSink(topo.h2(), 5001, 1048576);
            client = Traffic.tcpSend(topo.h1(), topo.h2Address(), 5001, 1048576, 65536, 0, true);
            assertEquals("ok 10.0.2.1 1048576", client.line(), "h2 got the whole MiB from the masqueraded address");

            // the timeout is 5 days, or 300 s while data is unacknowledged (a delayed ACK in flight)
            String list = new CtCommands(ct).list("-p", "tcp", "--dport", "5001");
            assertTrue(list.matches("(?s)ipv4 2 tcp 6 \\d+ ESTABLISHED src=10\\.0\\.1\\.2 dst=10\\.0\\.2\\.2 sport=\\d+ dport=5001 "
                    + "src=10\\.0\\.2\\.2 dst=10\\.0\\.2\\.1 sport=5001 dport=\\d+ \\[ASSURED\\] mark=0 zone=0 use=1\n"
                    + "conntrack: 1 flow entries have been shown\\."), list);

            client.closeInput(); // the client closes; FIN/ACK through the router
            assertEquals(0, client.await(20));
            assertEquals(0, server.await(20));
            assertEquals(0L, ct.stats().get("insert_failed"));
        } finally {
            if (client != null) client.close();
            if (server != null) server.close();
            router.close();
            for (AfPacketPort p : ports) p.close();
            ct.close();
        }
    }
}
