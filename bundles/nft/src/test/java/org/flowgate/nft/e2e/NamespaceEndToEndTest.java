package org.flowgate.nft.e2e;

import static org.flowgate.testsupport.netns.Shell.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
import org.flowgate.testsupport.netns.Topology;
import org.flowgate.testsupport.netns.Traffic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * h1 (netns) -- veth -- [Flowgate: AF_PACKET ports, packet path, conntrack, nft] -- veth -- h2 (netns).
 * A drop rule blocks h1 -> h2 pings; a masquerade rule makes h2 see the router's address. Needs
 * root; namespaces and links are prefixed {@code nfte2e} and removed even on failure.
 */
class NamespaceEndToEndTest {
    Topology topo;
    Router router;
    Conntrack ct;
    NftEngine nft;
    final List<AfPacketPort> ports = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Topology.unavailable() == null, () -> "NamespaceEndToEndTest skipped: " + Topology.unavailable());
        try {
            topo = Topology.builder("nfte2e").v4("10.71.1.0/24", "10.71.2.0/24").create();
            router = new Router();
            for (int side = 1; side <= 2; side++) router.devices().addAddress(topo.routerLink(side), IpPrefix.parse(topo.routerPrefix(side)));
            for (String l : List.of(topo.routerLink(1), topo.routerLink(2))) {
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
        if (topo != null) topo.close();
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
        assertNotEquals(0, Topology.ping(topo.h1(), topo.h2Address(), 3), "the drop rule blocks the ping");
        assertTrue(nft.list().matches("(?s).*icmp type echo-request counter packets [1-9]\\d* bytes \\d+ drop.*"), nft.list());
        nft.execute("flush ruleset", "<cmdline>");
        assertEquals(0, Topology.ping(topo.h1(), topo.h2Address(), 3), "without the rule the same ping passes");
    }

    @Test
    void masqueradeTranslatesTheSource() throws Exception {
        nft.load("""
                table ip nat {
                	chain postrouting {
                		type nat hook postrouting priority srcnat; policy accept;
                		oifname "%s" counter masquerade
                	}
                }
                """.formatted(topo.routerLink(2)), "e2e.nft");
        try (Traffic.Peer echo = Traffic.udpEcho(topo.h2(), 7000)) {
            assertEquals("ping", Traffic.udpAsk(topo.h1(), topo.h2Address(), 7000, "ping"), "the reply is translated back to h1");
            assertEquals(topo.routerAddress(2), echo.line(), "h2 sees the router's address, not h1's; " + diagnostics());
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
            sb.append(output("ip", "netns", "exec", topo.h2(), "sh", "-c", "grep -E '^(Udp|Ip):' /proc/net/snmp; ip -s link show eth0"));
        } catch (Exception e) {
            sb.append(e);
        }
        return sb.toString();
    }
}
