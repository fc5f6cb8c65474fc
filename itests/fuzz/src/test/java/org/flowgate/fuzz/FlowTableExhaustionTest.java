package org.flowgate.fuzz;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;

import org.flowgate.api.flowtable.FlowTable;
import org.flowgate.api.packet.DropReason;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.flowtable.service.Settings;
import org.flowgate.fuzz.support.RouterWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The flow table has no limit of its own: every flow holds an offloaded conntrack entry, so
 * conntrack's {@code max} bounds it. When every entry is offloaded, early drop finds nothing to
 * evict (Linux never evicts offloaded entries either): a new connection is dropped and counted,
 * the offloaded flows keep forwarding on the fast path, and once they go idle the flow table gives
 * them back, conntrack times them out, and new connections get through again.
 */
class FlowTableExhaustionTest {
    static final int MAX = 64;
    RouterWorld w;

    @AfterEach
    void tearDown() throws Exception { if (w != null) w.close(); }

    @Test
    void fullTableRefusesNewFlowsKeepsForwardingAndRecovers() throws Exception {
        w = new RouterWorld(MAX, MAX);
        FlowTable ft = w.flows.table("inet", "x", "ft");
        List<FiveTuple> atH2 = new ArrayList<>();
        for (int i = 0; i < MAX; i++) atH2.add(w.establishUdp(20000 + i));
        assertEquals(MAX, w.ct.count());
        assertEquals(MAX, ft.count(), "every established flow offloaded");

        long hookDrops = w.v0.counterSet().drops(DropReason.HOOK_DROP);
        long refused = w.ct.stats().get("drop");
        for (int i = 0; i < 100; i++) assertTrue(w.h1.sendUdp(RouterWorld.H2, 40000 + i, 5001, 18));
        assertEquals(MAX, w.ct.count(), "no room: the table stays at its limit");
        assertEquals(MAX, ft.count());
        assertEquals(refused + 100, w.ct.stats().get("drop"), "new connections refused and counted: " + w.ct.stats());
        assertEquals(hookDrops + 100, w.v0.counterSet().drops(DropReason.HOOK_DROP), "dropped with a reason on the ingress device");
        assertEquals(0, w.h2.flowPackets(FiveTuple.of(RouterWorld.R1, 40000, RouterWorld.H2, 5001, Packet.PROTO_UDP)));

        long hits = ft.stats().hits();
        for (int i = 0; i < MAX; i++) {
            long before = w.h2.flowPackets(atH2.get(i));
            assertTrue(w.h1.sendUdp(RouterWorld.H2, 20000 + i, 5001, 18));
            assertEquals(before + 1, w.h2.flowPackets(atH2.get(i)), "offloaded flow " + i + " still forwards");
        }
        assertEquals(hits + MAX, ft.stats().hits(), "on the fast path");
        PacketPathFuzzTest.check(w);

        // traffic stops: the flows go idle (1 s flow timeout here), conntrack gets them back and times them out
        w.flows.update(new Settings(1, 10, 16384, 64));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ft.count() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            w.flows.runWorkerOnce();
        }
        assertEquals(0, ft.count(), "idle flows left the flow table");
        w.advance(200);
        assertEquals(0, w.ct.count(), () -> "conntrack drained: " + w.ct.list());

        FiveTuple again = w.establishUdp(50000);
        assertTrue(w.h2.flowPackets(again) > 0, "new connections get through again");
        assertEquals(1, ft.count());
    }
}
