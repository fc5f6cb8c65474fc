package org.flowgate.driver.ebpf.e2e;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.flowgate.api.flowtable.FlowEntry.HwState;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.conntrack.core.Conntrack;
import org.flowgate.conntrack.hook.ConntrackHooks;
import org.flowgate.conntrack.proto.Timeouts;
import org.flowgate.conntrack.table.CtClock;
import org.flowgate.flowtable.service.FlowTableManager;
import org.flowgate.flowtable.service.Settings;
import org.flowgate.io.afpacket.AfPacketPort;
import org.flowgate.io.afpacket.ring.RingGeometry;
import org.flowgate.io.afpacket.socket.PacketSocket;
import org.flowgate.nft.engine.NftEngine;
import org.flowgate.nft.engine.NftEngine.HookKey;
import org.flowgate.offload.OffloadDriver;
import org.flowgate.offload.manager.core.OffloadManager;
import org.flowgate.packet.router.Router;

/**
 * Flowgate assembled without a framework on two AF_PACKET ports (create it on a thread in the
 * ports' network namespace): packet path, conntrack, nft with masquerade out of {@code out} and a
 * flowtable with {@code flags offload} over both ports, and the offload manager (drivers added later).
 */
public final class JavaRouter implements AutoCloseable {
    final Router router;
    final Conntrack ct;
    final FlowTableManager flows;
    final OffloadManager offload;
    final NftEngine nft;
    final FlowTable ft;
    private final List<AfPacketPort> ports = new ArrayList<>();
    private final Map<HookKey, PacketHook> registered = new HashMap<>();

    public JavaRouter(String in, String inAddr, String out, String outAddr) throws Exception {
        router = new Router();
        ct = new Conntrack(65536, 262144, Timeouts.linuxDefaults(), 1024, CtClock.SYSTEM).start();
        flows = new FlowTableManager(ct, router.routes(), router.neighbours(), router.devices(), Settings.DEFAULTS, (hook, props) -> {
            router.hooks().addService(hook, props);
            return () -> router.hooks().remove(hook);
        });
        offload = new OffloadManager(new org.flowgate.offload.manager.core.Settings(65536, 1, 64, 500, 500, 10_000));
        NftEngine engine = new NftEngine();
        nft = engine;
        try {
            router.devices().addAddress(in, IpPrefix.parse(inAddr));
            router.devices().addAddress(out, IpPrefix.parse(outAddr));
            for (String l : List.of(in, out)) {
                PacketSocket.Options o = new PacketSocket.Options(new RingGeometry(1 << 20, 16, 2048), new RingGeometry(1 << 18, 8, 2048), 1, false, true);
                AfPacketPort port = AfPacketPort.open(l, l, o, 20);
                ports.add(port);
                router.attach(port);
            }
            router.startTimers();
            for (ConntrackHooks.Spec s : ConntrackHooks.specs(ct, "default")) router.hooks().addService(s.hook(), s.properties());
            flows.start();
            offload.setTableSource(flows::tables);
            flows.addListener(offload);
            offload.start();
            nft.services().connTracker = ct;
            nft.setRegistrar(new NftEngine.HookRegistrar() {
                @Override
                public void ensure(Set<HookKey> points) {
                    for (HookKey k : points) registered.computeIfAbsent(k, key -> {
                        PacketHook h = (hook, p) -> engine.process(key.hook(), key.priority(), p);
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
            });
            nft.setFlowTableService(flows);
            nft.load("""
                    table inet x {
                    	flowtable ft {
                    		hook ingress priority 0; devices = { %s, %s }; flags offload; counter;
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
                    """.formatted(in, out, out), "bench.nft");
            ft = flows.table("inet", "x", "ft");
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    public FlowTable flowTable() { return ft; }

    /** The AF_PACKET port on Linux interface {@code name}: what its receive ring got. */
    public org.flowgate.io.afpacket.PortStatistics portStatistics(String name) {
        for (AfPacketPort p : ports) if (p.name().equals(name)) return p.statistics();
        throw new IllegalArgumentException("no port " + name);
    }

    public void addDriver(OffloadDriver d) { offload.addDriver(d); }

    public void removeDriver(OffloadDriver d) { offload.removeDriver(d); }

    /** Flow directions' flows in hardware state with driver {@code name}. */
    public long flowsInHardware(String name) {
        return offload.flows().stream().filter(f -> name.equals(f.driver()) && f.state() == HwState.HW).count();
    }

    @Override
    public void close() throws Exception {
        flows.stop();
        offload.stop();
        router.close();
        for (AfPacketPort p : ports) p.close();
        ct.close();
    }
}
