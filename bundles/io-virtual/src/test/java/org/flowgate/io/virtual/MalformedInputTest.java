package org.flowgate.io.virtual;

import static org.flowgate.io.virtual.Rfc.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.io.virtual.host.EmulatedHost;
import org.flowgate.io.virtual.port.VirtualPort;
import org.junit.jupiter.api.Test;

/** Truncated, bit-flipped and random frames never throw out of a host: they are counted and dropped. */
class MalformedInputTest {
    static final long R = 0x02_00_00_00_00_01L, H = 0x02_00_00_00_01_02L;

    @Test
    void mutatedFramesAreCountedNeverThrown() {
        VirtualPort v0 = new VirtualPort("v0", new MacAddress(R), 1500);
        EmulatedHost h = new EmulatedHost("h", new MacAddress(H), IpPrefix.parse("10.0.1.2/24"), IpAddress.parse("10.0.1.1"),
                IpPrefix.parse("fd00:1::2/64"), IpAddress.parse("fd00:1::1"));
        h.attach(v0);
        Capture router = new Capture();
        v0.start(router);

        IpAddress r4 = IpAddress.parse("10.0.1.1"), h4 = IpAddress.parse("10.0.1.2"), far4 = IpAddress.parse("10.0.2.2");
        IpAddress r6 = IpAddress.parse("fd00:1::1"), h6 = IpAddress.parse("fd00:1::2");
        byte[] synOpts = {2, 4, 0x05, (byte) 0xB4, 3, 3, 7, 0}; // MSS, WS, end
        List<byte[]> seeds = new ArrayList<>(List.of(
                arpRequest(R, r4, h4),
                ipv4(H, R, far4, h4, 1, 63, echo(8, 1, 1, 32)),
                ipv4(H, R, far4, h4, 17, 63, udp(1, 2, 40)),
                ipv4(H, R, far4, h4, 6, 63, tcp(1000, 80, 5, 0, 0x02, 1000, synOpts, 0)),
                ipv6(multicastMac(solicitedNode(h6)), R, r6, solicitedNode(h6), 58, 255, neighbourSolicit(h6, R)),
                ipv6(H, R, r6, h6, 58, 255, neighbourAdvert(r6, R, true)),
                ipv6(H, R, r6, h6, 58, 64, echo(128, 1, 1, 16))));

        SplittableRandom rnd = new SplittableRandom(42);
        int frames = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] seed = seeds.get(rnd.nextInt(seeds.size()));
            byte[] f;
            switch (rnd.nextInt(4)) {
                case 0 -> f = java.util.Arrays.copyOf(seed, 14 + rnd.nextInt(seed.length - 13)); // truncated
                case 1 -> { // a few bits flipped anywhere after the MAC addresses
                    f = seed.clone();
                    for (int k = 1 + rnd.nextInt(4); k > 0; k--) f[12 + rnd.nextInt(f.length - 12)] ^= (byte) (1 << rnd.nextInt(8));
                }
                case 2 -> { // a header byte set to an extreme
                    f = seed.clone();
                    f[14 + rnd.nextInt(Math.min(60, f.length - 14))] = (byte) (rnd.nextBoolean() ? 0xFF : 0);
                }
                default -> { // random bytes behind a valid Ethernet header
                    f = new byte[14 + rnd.nextInt(200)];
                    rnd.nextBytes(f);
                    System.arraycopy(seed, 0, f, 0, 14);
                }
            }
            assertDoesNotThrow(() -> v0.send(packet(f)));
            frames++;
        }
        EmulatedHost.Counters c = h.counters();
        assertEquals(frames, c.rxFrames());
        assertTrue(c.malformed() + c.badChecksum() + c.unhandled() + c.notForUs() > 0);
        assertEquals(0, v0.counters().errors(), "nothing escaped from the host");
        // still answers properly afterwards
        router.take();
        v0.send(packet(arpRequest(R, r4, h4)));
        assertEquals(2, u16(router.take().get(0), 20), "ARP reply");
    }
}
