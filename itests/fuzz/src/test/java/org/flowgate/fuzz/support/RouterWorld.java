package org.flowgate.fuzz.support;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.netdev.Port;
import org.flowgate.api.netdev.PortReceiver;
import org.flowgate.api.packet.DropReason;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.ruleset.RulesetException;
import org.flowgate.conntrack.core.Conntrack;
import org.flowgate.conntrack.hook.ConntrackHooks;
import org.flowgate.conntrack.proto.Timeouts;
import org.flowgate.conntrack.table.CtClock;
import org.flowgate.flowtable.service.FlowTableManager;
import org.flowgate.flowtable.service.Settings;
import org.flowgate.io.virtual.demo.DemoNetworks;
import org.flowgate.io.virtual.host.EmulatedHost;
import org.flowgate.io.virtual.port.VirtualPort;
import org.flowgate.nft.engine.NftEngine;
import org.flowgate.nft.engine.NftEngine.HookKey;
import org.flowgate.packet.device.Device;
import org.flowgate.packet.router.Router;

/**
 * The demo topology in one process, wired as the OSGi components wire it:
 * <pre>h1 10.0.1.2 -- v0 [packet path + conntrack + nft + flow table] v1 -- h2 10.0.2.2</pre>
 * Conntrack runs on a clock the test moves ({@link #advance}). Every frame the router receives
 * goes through an {@link Accounting} receiver that checks it ended in exactly one of: forwarded,
 * delivered locally, stolen by the fast path, or dropped with a counted reason.
 */
public final class RouterWorld implements AutoCloseable {
    public static final IpAddress H1 = IpAddress.parse("10.0.1.2"), H2 = IpAddress.parse("10.0.2.2"), R1 = IpAddress.parse("10.0.2.1");

    /** The seed's ruleset (flow table + masquerade) plus filter rules that drop, reject, count and limit. */
    public static final String RULESET = """
            table inet x {
            	flowtable ft {
            		hook ingress priority 0; devices = { v0, v1 }; counter;
            	}
            	set blocked { type ipv4_addr; flags interval; elements = { 10.0.1.200-10.0.1.250, 192.0.2.0/24 } }
            	chain in {
            		type filter hook input priority 0; policy accept;
            		ct state invalid counter drop
            		tcp dport 22 counter reject with tcp reset
            		udp dport 7 counter reject
            	}
            	chain y {
            		type filter hook forward priority 0; policy accept;
            		ct state invalid counter drop
            		ip saddr @blocked counter drop
            		tcp dport 23 counter reject with tcp reset
            		udp dport 9 counter reject with icmpx admin-prohibited
            		icmp type echo-request limit rate 1000/second burst 50 packets counter accept
            		meta l4proto { tcp, udp } ct state established flow add @ft counter
            		counter
            	}
            }
            table ip nat {
            	chain postrouting {
            		type nat hook postrouting priority srcnat; policy accept;
            		oifname "v1" masquerade
            	}
            }
            """;

    public final AtomicLong now = new AtomicLong(1_000_000_000L);
    public final CtClock ctClock = now::get;
    public volatile Router router = new Router();
    public final DemoNetworks net;
    public final EmulatedHost h1, h2;
    public final Conntrack ct;
    public final NftEngine nft = new NftEngine();
    public volatile FlowTableManager flows;
    public final Accounting accounting = new Accounting();
    public volatile Device v0, v1;
    private final Port w0, w1;

    /** The same without the flow table statement: everything takes the classic path. */
    public static final String CLASSIC_RULESET = RULESET.replace("meta l4proto { tcp, udp } ct state established flow add @ft counter", "");

    public RouterWorld(int conntrackMax, int buckets) throws RulesetException { this(conntrackMax, buckets, RULESET); }

    public RouterWorld(int conntrackMax, int buckets, String ruleset) throws RulesetException {
        this(conntrackMax, buckets, ruleset, VirtualPort.Mode.SYNCHRONOUS);
    }

    /**
     * With {@link VirtualPort.Mode#THREADED} ports each port has its own packet thread; the per-frame
     * {@link Accounting} is then not meaningful (it is single-threaded), only its {@code escaped}.
     */
    public RouterWorld(int conntrackMax, int buckets, String ruleset, VirtualPort.Mode mode) throws RulesetException {
        net = mode == VirtualPort.Mode.SYNCHRONOUS ? DemoNetworks.synchronous() : DemoNetworks.create(mode, 4096);
        h1 = net.h1();
        h2 = net.h2();
        net.addRouterAddresses(router.devices());
        w0 = accounting.wrap(net.v0());
        w1 = accounting.wrap(net.v1());
        v0 = router.attach(w0);
        v1 = router.attach(w1);
        ct = new Conntrack(buckets, conntrackMax, Timeouts.linuxDefaults(), 1024, ctClock).start();
        nft.services().connTracker = ct;
        nft.load(ruleset, "world.nft");
        wire();
    }

    /** What the DS components do when the router (re)appears: hooks of conntrack, nft, the flow table, the observers. */
    private void wire() {
        Router r = router;
        for (ConntrackHooks.Spec s : ConntrackHooks.specs(ct, "default")) r.hooks().addService(s.hook(), s.properties());
        flows = new FlowTableManager(ct, r.routes(), r.neighbours(), r.devices(), Settings.DEFAULTS, (hook, props) -> {
            r.hooks().addService(hook, props);
            return () -> r.hooks().remove(hook);
        });
        nft.setRegistrar(new RouterHooks(r));
        nft.setFlowTableService(flows);
        // the observers run last at their hook point: what reaches them was accepted by everything before
        r.hooks().add((h, p) -> { accounting.local++; return Verdict.ACCEPT; }, Integer.MAX_VALUE, Hook.INPUT);
        r.hooks().add((h, p) -> {
            if (p.inDevice() != null) accounting.forwarded++;
            else accounting.originated++;
            return Verdict.ACCEPT;
        }, Integer.MAX_VALUE, Hook.POSTROUTING);
        r.hooks().add((h, p) -> {
            if (p.etherType() == Packet.ETHERTYPE_ARP) accounting.arp++;
            return Verdict.ACCEPT;
        }, Integer.MAX_VALUE, Hook.INGRESS);
    }

    public VirtualPort p0() { return net.v0(); }

    public VirtualPort p1() { return net.v1(); }

    /** A UDP flow h1 -> h2 that h2 answered (masqueraded on v1): conntrack ESTABLISHED; returns h2's view of it. */
    public org.flowgate.api.tuple.FiveTuple establishUdp(int srcPort) {
        if (!h1.sendUdp(H2, srcPort, 5001, 18)) throw new AssertionError("h1 could not send");
        var e = ct.find(0, org.flowgate.api.tuple.FiveTuple.of(H1, srcPort, H2, 5001, Packet.PROTO_UDP));
        if (e == null) throw new AssertionError("no conntrack entry for udp " + srcPort);
        int natPort = e.reply().dstPort;
        if (!h2.sendUdp(R1, 5001, natPort, 18)) throw new AssertionError("h2 could not reply");
        return org.flowgate.api.tuple.FiveTuple.of(R1, natPort, H2, 5001, Packet.PROTO_UDP);
    }

    /**
     * Detaches v1 (the port stops, its device, routes and neighbours go) and attaches it again, as
     * when the port's driver restarts. Drops counted on the old device are carried in {@link #retiredDrops}.
     */
    public void restartV1() {
        retiredDrops += drops(v1);
        router.detach(w1);
        v1 = router.attach(w1);
    }

    public volatile long retiredDrops;

    /**
     * The routing instance restarts (as when the packet bundle is updated): the router is closed and
     * a new one attaches the same ports; conntrack and the ruleset (other bundles) stay, the flow
     * table service restarts with the router it depends on, so its software flows are re-learned.
     */
    public void restartRouter() throws InterruptedException {
        retiredDrops += drops(v0) + drops(v1);
        nft.setFlowTableService(null);
        flows.stop();
        router.close();
        router = new Router();
        net.addRouterAddresses(router.devices());
        v0 = router.attach(w0);
        v1 = router.attach(w1);
        wire();
    }

    /** Moves conntrack's clock and runs a whole GC pass over the table. */
    public void advance(long seconds) {
        now.addAndGet(seconds * 1_000_000_000L);
        gcAll();
    }

    public void gcAll() {
        int b = ct.table().bucketCount();
        for (int from = 0; from < b; ) from = Math.max(from + 1, ct.gcStep(from, 1024));
    }

    public long drops() { return drops(v0) + drops(v1) + retiredDrops; }

    public static long drops(Device d) {
        long s = 0;
        for (int i = 0; i < DropReason.count(); i++) s += d.counterSet().drops(DropReason.ofOrdinal(i));
        return s;
    }

    long[] reasons() {
        int n = DropReason.count();
        long[] r = new long[2 * n];
        for (int i = 0; i < n; i++) {
            r[i] = v0.counterSet().drops(DropReason.ofOrdinal(i));
            r[n + i] = v1.counterSet().drops(DropReason.ofOrdinal(i));
        }
        return r;
    }

    public long stolen() {
        long s = 0;
        for (var t : flows.tables()) s += t.stats().hits();
        return s;
    }

    @Override
    public void close() throws Exception {
        flows.stop();
        router.close();
        ct.close();
    }

    /** The nft hook points as PacketHooks in the router, as the nft DS component does with services. */
    final class RouterHooks implements NftEngine.HookRegistrar {
        final Map<HookKey, PacketHook> registered = new HashMap<>();
        final Router router;

        RouterHooks(Router router) { this.router = router; }

        @Override
        public synchronized void ensure(Set<HookKey> points) {
            for (HookKey k : points) registered.computeIfAbsent(k, key -> {
                PacketHook h = (hook, p) -> nft.process(key.hook(), key.priority(), p);
                router.hooks().add(h, key.priority(), key.hook());
                return h;
            });
        }

        @Override
        public synchronized void retainOnly(Set<HookKey> points) {
            registered.entrySet().removeIf(e -> {
                if (points.contains(e.getKey())) return false;
                router.hooks().remove(e.getValue());
                return true;
            });
        }
    }

    /**
     * Checks every frame the router receives for an outcome. Synchronous ports never re-enter the
     * router, so the counters' deltas around one {@code receive} belong to that frame.
     * Single-threaded worlds only.
     */
    public final class Accounting {
        long local, forwarded, arp, originated;
        public long frames, lost, doubleCounted;
        public String firstProblem;
        public volatile Throwable escaped;

        Port wrap(VirtualPort port) {
            return new Port() {
                @Override public String name() { return port.name(); }
                @Override public org.flowgate.api.net.MacAddress mac() { return port.mac(); }
                @Override public int mtu() { return port.mtu(); }
                @Override public boolean isLinkUp() { return port.isLinkUp(); }
                @Override public void stop() { port.stop(); }
                @Override public boolean send(Packet p) { return port.send(p); }
                @Override public void flush() { port.flush(); }
                @Override public void start(PortReceiver r) {
                    port.start(new PortReceiver() {
                        @Override public void receive(Packet p) { account(r, p); }
                        @Override public void endOfBatch() { r.endOfBatch(); }
                    });
                }
            };
        }

        void account(PortReceiver r, Packet p) {
            long[] r0 = reasons();
            long d0 = drops(), o0 = originated, f0 = forwarded, l0 = local, a0 = arp, s0 = stolen();
            byte[] copy = java.util.Arrays.copyOfRange(p.array(), p.start(), p.start() + p.length());
            try {
                r.receive(p);
            } catch (RuntimeException | Error e) {
                if (escaped == null) escaped = e;
                throw e;
            }
            frames++;
            long o = originated - o0, d = drops() - d0, f = forwarded - f0, l = local - l0, s = stolen() - s0;
            boolean arpHandled = arp - a0 > 0 && d == 0;
            // a packet the router sent because of this frame (ICMP error, RST, echo reply) may itself be
            // dropped after POSTROUTING (neighbour resolution): one more drop per such packet is not the frame's
            long outcomes = d + f + l + s + (arpHandled ? 1 : 0);
            String problem = null;
            if (outcomes == 0) { lost++; problem = "no outcome"; }
            else if (d > 1 + o || (d == 1 && f == 0 && l == 0 && outcomes > 1) || s > 1 || f > 1) { doubleCounted++; problem = "drops " + d + " fwd " + f + " local " + l + " stolen " + s; }
            if (problem != null && firstProblem == null) {
                long[] r1 = reasons();
                StringBuilder why = new StringBuilder();
                for (int i = 0; i < r1.length; i++) if (r1[i] != r0[i]) why.append(' ').append(i < DropReason.count() ? "v0:" + DropReason.ofOrdinal(i).label() : "v1:" + DropReason.ofOrdinal(i - DropReason.count()).label()).append('+').append(r1[i] - r0[i]);
                firstProblem = problem + " (" + why.toString().trim() + "): " + java.util.HexFormat.of().formatHex(copy);
            }
        }
    }
}
