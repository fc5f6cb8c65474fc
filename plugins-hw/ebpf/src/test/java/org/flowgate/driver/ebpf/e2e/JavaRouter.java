package org.flowgate.driver.ebpf.e2e;

import java.util.List;

import org.flowgate.api.flowtable.FlowEntry.HwState;
import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.flowtable.service.FlowTableManager;
import org.flowgate.flowtable.service.Settings;
import org.flowgate.io.afpacket.AfPacketPort;
import org.flowgate.io.afpacket.ring.RingGeometry;
import org.flowgate.offload.OffloadDriver;
import org.flowgate.offload.manager.core.OffloadManager;
import org.flowgate.testsupport.router.TestRouter;

/**
 * Flowgate assembled without a framework on two AF_PACKET ports (create it on a thread in the
 * ports' network namespace): packet path, conntrack, nft with masquerade out of {@code out} and a
 * flowtable with {@code flags offload} over both ports, and the offload manager (drivers added later).
 */
public final class JavaRouter implements AutoCloseable {
    final TestRouter assembly;
    final FlowTableManager flows;
    final OffloadManager offload;
    final FlowTable ft;

    public JavaRouter(String in, String inAddr, String out, String outAddr) throws Exception {
        assembly = TestRouter.builder()
                .conntrack(65536, 262144)
                .afPacket(in, out)
                .afPacketRings(new RingGeometry(1 << 20, 16, 2048), new RingGeometry(1 << 18, 8, 2048))
                .address(in, inAddr).address(out, outAddr)
                .startThreads()
                .flowTables(new TestRouter.FlowTables<>(r -> new FlowTableManager(r.conntrack(), r.router().routes(), r.router().neighbours(),
                        r.router().devices(), Settings.DEFAULTS, (hook, props) -> r.addHook(hook, props)::run),
                        FlowTableManager::start, FlowTableManager::stop, FlowTableManager::addListener))
                .offload(new org.flowgate.offload.manager.core.Settings(65536, 1, 64, 500, 500, 10_000))
                .ruleset(TestRouter.seedRuleset(in, out, true), "bench.nft")
                .build();
        flows = assembly.flowTables(FlowTableManager.class);
        offload = assembly.offload();
        ft = flows.table("inet", "x", "ft");
    }

    public FlowTable flowTable() { return ft; }

    /** The AF_PACKET ports, in the order of the constructor's interfaces. */
    public List<AfPacketPort> ports() { return assembly.afPacketPorts(); }

    /** The AF_PACKET port on Linux interface {@code name}: what its receive ring got. */
    public org.flowgate.io.afpacket.PortStatistics portStatistics(String name) {
        return assembly.afPacketPort(name).statistics();
    }

    public void addDriver(OffloadDriver d) { offload.addDriver(d); }

    public void removeDriver(OffloadDriver d) { offload.removeDriver(d); }

    /** Flow directions' flows in hardware state with driver {@code name}. */
    public long flowsInHardware(String name) {
        return offload.flows().stream().filter(f -> name.equals(f.driver()) && f.state() == HwState.HW).count();
    }

    @Override
    public void close() {
        assembly.close();
    }
}
