package org.flowgate.fuzz;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.tc.TcException;
import org.flowgate.api.tc.TcFilter;
import org.flowgate.conntrack.core.Conntrack;
import org.flowgate.conntrack.hook.ConntrackHooks;
import org.flowgate.conntrack.proto.Timeouts;
import org.flowgate.conntrack.table.CtClock;
import org.flowgate.fuzz.support.SeedFrames;
import org.flowgate.io.virtual.port.VirtualPort;
import org.flowgate.packet.router.Router;
import org.flowgate.tc.action.Devices;
import org.flowgate.tc.ct.CtEngine;
import org.flowgate.tc.ct.CtFlowTables;
import org.flowgate.tc.service.TcEngine;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Arbitrary text as {@code tc filter add} commands (one per line) against devices p0 and p1 of a
 * router with conntrack and act_ct's flow tables. A refused command throws {@link TcException} and
 * changes no filter and no chain; an accepted set of filters then classifies real frames (ct, NAT,
 * mirred, pedit...) without a hook failing or an exception escaping.
 */
class TcParserFuzzTest {
    static final Router router = new Router();
    static final Conntrack conntrack = new Conntrack(256, 256, Timeouts.linuxDefaults(), 64, CtClock.SYSTEM).start();
    static final CtEngine ct = new CtEngine();
    static final Devices devices = new Devices();
    static final VirtualPort p0 = new VirtualPort("p0", MacAddress.parse("02:00:00:00:00:01"), 1500),
            p1 = new VirtualPort("p1", MacAddress.parse("02:00:00:00:01:01"), 1500);
    static volatile TcEngine current;

    static {
        for (ConntrackHooks.Spec s : ConntrackHooks.specs(conntrack, "default")) router.hooks().addService(s.hook(), s.properties());
        ct.setTracker(conntrack);
        CtFlowTables tables = new CtFlowTables(System::nanoTime, 64, 30_000_000_000L);
        tables.setTracker(conntrack);
        ct.setFlowTables(tables);
        devices.set(router.devices());
        router.hooks().addService((h, p) -> { TcEngine e = current; return e == null ? Verdict.ACCEPT : e.process(p); },
                Map.of(PacketHook.HOOK, "ingress", PacketHook.PRIORITY, -500));
        p0.connect(f -> { });
        p1.connect(f -> { });
        router.attach(p0);
        router.attach(p1);
    }

    @FuzzTest(maxDuration = "60s")
    void tcParser(byte[] input) {
        TcEngine tc = new TcEngine(ct, devices);
        String text = new String(input, StandardCharsets.UTF_8);
        for (String line : text.split("\n", 8)) {
            List<TcFilter> before = tc.filters(null);
            List<Integer> chains0 = tc.chains("p0"), chains1 = tc.chains("p1");
            try {
                tc.add(line);
            } catch (TcException e) {
                assertNotNull(e.getMessage());
                assertEquals(before.toString(), tc.filters(null).toString(), "a refused command changed the filters");
                assertEquals(chains0, tc.chains("p0"));
                assertEquals(chains1, tc.chains("p1"));
            }
        }
        if (tc.filters(null).isEmpty()) return;
        current = tc;
        long failures = router.hooks().failures();
        try {
            for (byte[] f : SeedFrames.all()) {
                p0.inject(f, 0, f.length);
                p1.inject(f, 0, f.length);
            }
        } finally {
            current = null;
        }
        assertEquals(failures, router.hooks().failures(), "a hook threw while classifying with:\n" + tc.filters(null));
        assertEquals(0, p0.counters().errors() + p1.counters().errors());
    }
}
