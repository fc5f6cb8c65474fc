package org.flowgate.fuzz;

import static org.junit.jupiter.api.Assertions.*;

import org.flowgate.fuzz.support.Frames;
import org.flowgate.fuzz.support.RouterWorld;
import org.flowgate.io.virtual.port.VirtualPort;
import org.junit.jupiter.api.AfterAll;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Arbitrary bytes as frames on a virtual port of a router with conntrack, an nft ruleset (drop,
 * reject, limit, masquerade, flow add) and the flow table. Crash-free means: no exception escapes
 * the path, no hook fails, and every frame has exactly one outcome (forwarded, delivered locally,
 * stolen by the fast path, or dropped with a counted reason). One world serves all inputs, so
 * conntrack and the flow table fill, churn and evict as the fuzzer goes.
 *
 * <p>Input layout: byte 0 = {@link Frames} flags (port, our MAC, fix checksums), then the frame.
 * Corpus: {@code src/test/resources/org/flowgate/fuzz/PacketPathFuzzTestInputs/packetPath/}.
 */
class PacketPathFuzzTest {
    static RouterWorld world;

    static RouterWorld world() throws Exception {
        if (world == null) world = new RouterWorld(256, 256);
        return world;
    }

    @AfterAll
    static void close() throws Exception {
        if (world != null) world.close();
        world = null;
    }

    @FuzzTest(maxDuration = "60s")
    void packetPath(byte[] input) throws Exception {
        RouterWorld w = world();
        boolean onV1 = input.length > 0 && (input[0] & Frames.ON_V1) != 0;
        VirtualPort port = onV1 ? w.p1() : w.p0();
        byte[] mac = new byte[6];
        port.mac().write(mac, 0);
        byte[] f = Frames.frame(input, mac);
        port.inject(f, 0, f.length);
        check(w);
        if (input.length > 0 && (input[0] & 0x40) != 0) w.advance(input[0] & 0x3f); // now and then let time pass: timeouts, GC
    }

    static void check(RouterWorld w) {
        RouterWorld.Accounting a = w.accounting;
        if (a.escaped != null) fail("exception escaped the packet path", a.escaped);
        assertEquals(0, w.router.hooks().failures(), "a hook threw");
        assertEquals(0, a.lost, () -> "frame without outcome: " + a.firstProblem);
        assertEquals(0, a.doubleCounted, () -> "frame counted twice: " + a.firstProblem);
        assertEquals(0, w.p0().counters().errors() + w.p1().counters().errors(), "a far end (emulated host) failed");
    }
}
