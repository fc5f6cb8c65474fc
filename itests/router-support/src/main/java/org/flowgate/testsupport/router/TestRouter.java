package org.flowgate.testsupport.router;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

import org.flowgate.api.flowtable.FlowTableListener;
import org.flowgate.api.flowtable.FlowTableService;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.Port;
import org.flowgate.api.ruleset.RulesetException;
import org.flowgate.conntrack.core.Conntrack;
import org.flowgate.conntrack.hook.ConntrackHooks;
import org.flowgate.conntrack.proto.Timeouts;
import org.flowgate.conntrack.table.CtClock;
import org.flowgate.io.afpacket.AfPacketPort;
import org.flowgate.io.afpacket.ring.RingGeometry;
import org.flowgate.io.afpacket.socket.PacketSocket;
import org.flowgate.nft.engine.NftEngine;
import org.flowgate.offload.manager.core.OffloadManager;
import org.flowgate.offload.manager.core.Settings;
import org.flowgate.packet.device.DeviceTable;
import org.flowgate.packet.router.Router;

/**
 * Flowgate assembled without a framework, wired as the DS components wire it: the packet path
 * ({@link Router}) with conntrack's hooks, AF_PACKET ports on Linux interfaces and/or ports the test
 * made (virtual ports, an emulated NIC's), and what the test asks for: flow tables, the offload
 * manager (fed by the flow tables), the nft engine (its hook points registered in the router, the
 * flow tables as its flowtable service, a ruleset loaded). {@link #close()} stops and closes it all,
 * dependents first: flow tables, offload manager, router (detaches the ports), AF_PACKET sockets,
 * conntrack.
 *
 * <pre>
 * router = TestRouter.builder()
 *         .afPacket(topo.routerLink(1), topo.routerLink(2))
 *         .address(topo.routerLink(1), topo.routerPrefix(1)).address(topo.routerLink(2), topo.routerPrefix(2))
 *         .startThreads()
 *         .ruleset(text, "seed.nft")
 *         .build();
 * </pre>
 *
 * Build it on a thread in the namespace of the AF_PACKET ports' interfaces.
 */
public final class TestRouter implements AutoCloseable {
    /** The rings of the namespace tests' AF_PACKET ports: 8 blocks of 64 KiB, 2 KiB frames. */
    public static final RingGeometry SMALL_RING = new RingGeometry(1 << 16, 8, 2048);

    /**
     * How to make and run the flow tables: bundles/flowtable's {@code FlowTableManager}, which this
     * module cannot name (bundles/flowtable's own tests use this module and depend on bundles/nft,
     * which this module needs). {@code make} gets the router being built, conntrack and its hooks in
     * place; register the fast path's hooks with {@link TestRouter#addHook}:
     *
     * <pre>
     * new TestRouter.FlowTables&lt;&gt;(r -&gt; new FlowTableManager(r.conntrack(), r.router().routes(), r.router().neighbours(),
     *         r.router().devices(), Settings.DEFAULTS, (hook, props) -&gt; r.addHook(hook, props)::run),
     *         FlowTableManager::start, FlowTableManager::stop, FlowTableManager::addListener)
     * </pre>
     *
     * {@code start} runs only with {@link Builder#startThreads()}, {@code addListener} only with an
     * offload manager; {@code stop} runs when the router closes.
     */
    public record FlowTables<F extends FlowTableService>(Function<TestRouter, F> make, Consumer<F> start, Stop<F> stop,
            BiConsumer<F, FlowTableListener> addListener) {}

    /** Stops a part; may fail like {@code FlowTableManager.stop()}. */
    @FunctionalInterface
    public interface Stop<F> {
        void stop(F part) throws Exception;
    }

    /**
     * The seed's ruleset between {@code in} and {@code out}: flowtable {@code inet x ft} over both
     * ({@code flags offload} when {@code offload}, counter), forwarded TCP and UDP added to it by
     * {@code flow add @ft counter} in chain {@code y}, and {@code ip nat} masquerade out of {@code out}.
     */
    public static String seedRuleset(String in, String out, boolean offload) {
        return """
                table inet x {
                	flowtable ft {
                		hook ingress priority 0; devices = { %s, %s }; %scounter;
                	}
                	chain y {
                		type filter hook forward priority 0; policy accept;
                		meta l4proto { tcp, udp } flow add @ft counter
                	}
                }
                table ip nat {
                	chain postrouting {
                		type nat hook postrouting priority srcnat; policy accept;
                		oifname "%s" masquerade
                	}
                }
                """.formatted(in, out, offload ? "flags offload; " : "", out);
    }

    private final Router router = new Router();
    private Conntrack conntrack;
    private final List<AfPacketPort> afPacketPorts = new ArrayList<>();
    private FlowTableService flowTables;
    private Step stopFlowTables;
    private OffloadManager offload;
    private NftEngine nft;
    private boolean closed;

    private TestRouter() {}

    public static Builder builder() { return new Builder(); }

    public Router router() { return router; }

    public Conntrack conntrack() { return conntrack; }

    /** The flow tables {@link Builder#flowTables} made, or null. */
    public FlowTableService flowTables() { return flowTables; }

    /** The flow tables as the class the test made them of, e.g. {@code flowTables(FlowTableManager.class)}. */
    public <F> F flowTables(Class<F> type) { return type.cast(flowTables); }

    /** The offload manager {@link Builder#offload} asked for, or null. */
    public OffloadManager offload() { return offload; }

    /** The nft engine {@link Builder#nft()} or {@link Builder#ruleset} asked for, or null. */
    public NftEngine nft() { return nft; }

    public List<AfPacketPort> afPacketPorts() { return List.copyOf(afPacketPorts); }

    /** The AF_PACKET port on Linux interface {@code name}. */
    public AfPacketPort afPacketPort(String name) {
        for (AfPacketPort p : afPacketPorts) if (p.name().equals(name)) return p;
        throw new IllegalArgumentException("no AF_PACKET port " + name);
    }

    /**
     * Registers {@code hook} in the router with its service properties ({@link PacketHook#HOOK},
     * {@link PacketHook#PRIORITY}), as the packet path's whiteboard does with a service; running the
     * result removes it.
     */
    public Runnable addHook(PacketHook hook, Map<String, ?> properties) {
        router.hooks().addService(hook, properties);
        return () -> router.hooks().remove(hook);
    }

    private void assemble(Builder b) throws IOException {
        conntrack = new Conntrack(b.ctBuckets, b.ctMax, Timeouts.linuxDefaults(), b.ctEventQueue, CtClock.SYSTEM).start();
        for (String link : b.afPacket) {
            AfPacketPort port = AfPacketPort.open(link, link, new PacketSocket.Options(b.rx, b.tx, 1, false, true), 20);
            afPacketPorts.add(port);
            router.attach(port);
        }
        for (Port p : b.ports) router.attach(p);
        for (Consumer<Router> step : b.setup) step.accept(router);
        if (b.threads) router.startTimers();
        for (ConntrackHooks.Spec s : ConntrackHooks.specs(conntrack, "default")) router.hooks().addService(s.hook(), s.properties());
        Consumer<FlowTableListener> listeners = b.flowTables == null ? null : makeFlowTables(b.flowTables, b.threads);
        if (b.offload != null) {
            offload = new OffloadManager(b.offload);
            if (flowTables != null) {
                offload.setTableSource(flowTables::tables);
                listeners.accept(offload);
            } else {
                offload.setTableSource(List::of);
            }
            if (b.threads) offload.start();
        }
        if (b.nft) {
            nft = new NftEngine();
            nft.services().connTracker = conntrack;
            nft.setRegistrar(new NftHooks(nft, router.hooks()));
            if (flowTables != null) nft.setFlowTableService(flowTables);
            if (b.ruleset != null) load(b.ruleset, b.rulesetSource);
        }
    }

    /** A test's ruleset that does not load is the test's mistake: unchecked. */
    private void load(String ruleset, String source) {
        try {
            nft.load(ruleset, source);
        } catch (RulesetException e) {
            throw new IllegalArgumentException(source + " does not load: " + e.getMessage(), e);
        }
    }

    /** Makes the flow tables, starts them with the threads; returns how to add a listener. */
    private <F extends FlowTableService> Consumer<FlowTableListener> makeFlowTables(FlowTables<F> part, boolean start) {
        F f = part.make().apply(this);
        flowTables = f;
        stopFlowTables = () -> part.stop().stop(f);
        if (start) part.start().accept(f);
        return l -> part.addListener().accept(f, l);
    }

    /**
     * Stops the flow tables (their flows go back to conntrack) and the offload manager, closes the
     * router, the AF_PACKET sockets and conntrack, each even when one before it failed; the first
     * failure is thrown (unchecked) with the others suppressed. A second call does nothing.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        List<Step> steps = new ArrayList<>();
        if (stopFlowTables != null) steps.add(stopFlowTables);
        if (offload != null) steps.add(offload::stop);
        steps.add(router::close);
        for (AfPacketPort p : afPacketPorts) steps.add(p::close);
        if (conntrack != null) steps.add(conntrack::close);
        Throwable failure = null;
        for (Step s : steps) {
            try {
                s.run();
            } catch (Exception | Error e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                if (failure == null) failure = e;
                else failure.addSuppressed(e);
            }
        }
        if (failure instanceof RuntimeException e) throw e;
        if (failure instanceof Error e) throw e;
        if (failure != null) throw new IllegalStateException("closing the router", failure);
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    /** What to assemble; every part but the router and conntrack is optional. */
    public static final class Builder {
        private int ctBuckets = 1024, ctMax = 65536, ctEventQueue = 1024;
        private final List<String> afPacket = new ArrayList<>();
        private RingGeometry rx = SMALL_RING, tx = SMALL_RING;
        private final List<Port> ports = new ArrayList<>();
        private final List<Consumer<Router>> setup = new ArrayList<>();
        private boolean threads;
        private FlowTables<?> flowTables;
        private Settings offload;
        private boolean nft;
        private String ruleset, rulesetSource;

        private Builder() {}

        /** Conntrack's hash buckets and maximum entries (default 1024 and 65536). */
        public Builder conntrack(int buckets, int max) { return conntrack(buckets, max, ctEventQueue); }

        /** ... and its event queue's size (default 1024). */
        public Builder conntrack(int buckets, int max, int eventQueueSize) {
            ctBuckets = buckets;
            ctMax = max;
            ctEventQueue = eventQueueSize;
            return this;
        }

        /** AF_PACKET ports on these Linux interfaces, each named as its interface. */
        public Builder afPacket(String... links) {
            afPacket.addAll(List.of(links));
            return this;
        }

        /** The AF_PACKET ports' receive and transmit rings (default {@link #SMALL_RING} both). */
        public Builder afPacketRings(RingGeometry rx, RingGeometry tx) {
            this.rx = rx;
            this.tx = tx;
            return this;
        }

        /** Ports the test made (virtual ports, an emulated NIC's), attached after the AF_PACKET ones. */
        public Builder port(Port... ports) {
            this.ports.addAll(List.of(ports));
            return this;
        }

        /** An address on a device, added once the ports are attached. */
        public Builder address(String device, String prefix) {
            IpPrefix p = IpPrefix.parse(prefix);
            setup.add(r -> r.devices().addAddress(device, p));
            return this;
        }

        /** A permanent neighbour, added once the ports are attached. */
        public Builder neighbour(IpAddress address, String device, MacAddress mac) {
            setup.add(r -> r.neighbours().addStatic(address, device, mac));
            return this;
        }

        /** Anything else on the device table (e.g. {@code DemoNetworks::addRouterAddresses}), in order with the addresses. */
        public Builder devices(Consumer<? super DeviceTable> step) {
            setup.add(r -> step.accept(r.devices()));
            return this;
        }

        /**
         * Starts the router's neighbour timer, the flow tables' worker and the offload manager's
         * workers. Without it a test drives them itself ({@code Router.tick},
         * {@code FlowTableManager.runWorkerOnce}, {@code OffloadManager.tick/drain}).
         */
        public Builder startThreads() {
            threads = true;
            return this;
        }

        public Builder flowTables(FlowTables<?> part) {
            flowTables = part;
            return this;
        }

        /** The offload manager with these settings, fed by the flow tables if any (no drivers: add them). */
        public Builder offload(Settings settings) {
            offload = settings;
            return this;
        }

        /** The nft engine with an empty ruleset. */
        public Builder nft() {
            nft = true;
            return this;
        }

        /** The nft engine with this ruleset loaded ({@code source}: the name errors and listings give it). */
        public Builder ruleset(String text, String source) {
            nft = true;
            ruleset = text;
            rulesetSource = source;
            return this;
        }

        /**
         * Assembles it; what was made is closed again when a step fails.
         *
         * @throws IOException when an AF_PACKET port cannot be opened
         * @throws IllegalArgumentException when the ruleset does not load
         */
        public TestRouter build() throws IOException {
            TestRouter r = new TestRouter();
            try {
                r.assemble(this);
            } catch (IOException | RuntimeException | Error e) {
                try {
                    r.close();
                } catch (RuntimeException | Error suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            return r;
        }
    }
}
