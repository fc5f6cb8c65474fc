package org.flowgate.packet;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;

import org.flowgate.api.packet.Checksums;
import org.junit.jupiter.api.Test;

class ChecksumsTest {
    @Test
    void rfc1071Example() {
        // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2 (folded), checksum 220d
        byte[] b = {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7};
        assertEquals(0x220d, Checksums.checksum(b, 0, b.length));
        assertEquals(0xddf2, ~Checksums.finish(Checksums.sum(b, 0, b.length, 0)) & 0xFFFF);
    }

    @Test
    void knownIpv4Header() {
        // a classic example header: 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7
        byte[] h = TestFrames.ipv4(0xc0a80001, 0xc0a800c7, 17, 64, 0x4000, 0, new byte[0], new byte[0x73 - 20]);
        assertEquals(0xb861, TestFrames.u16(h, 10));
        assertEquals(0, Checksums.checksum(h, 0, 20), "a header with its checksum sums to zero");
    }

    @Test
    void oddLengthPadsWithZero() {
        byte[] b = {1, 2, 3};
        assertEquals(TestFrames.csum(new byte[] {1, 2, 3, 0}, 0, 4, 0), Checksums.checksum(b, 0, 3));
    }

    @Test
    void incrementalUpdatesMatchRecomputation() {
        Random r = new Random(7);
        for (int i = 0; i < 10_000; i++) {
            byte[] h = new byte[20];
            r.nextBytes(h);
            h[10] = h[11] = 0;
            int c = Checksums.checksum(h, 0, 20);
            h[10] = (byte) (c >> 8);
            h[11] = (byte) c;
            int at = 2 * r.nextInt(10);
            if (at == 10) continue;
            int old = TestFrames.u16(h, at), now = r.nextInt(0x10000);
            h[at] = (byte) (now >> 8);
            h[at + 1] = (byte) now;
            int updated = Checksums.update16(c, old, now);
            h[10] = (byte) (updated >> 8);
            h[11] = (byte) updated;
            assertEquals(0, Checksums.checksum(h, 0, 20) & 0xFFFF, "RFC 1624 update keeps the header valid");

            int a = 12 + 4 * r.nextInt(2);
            int oldA = TestFrames.u32(h, a), newA = r.nextInt();
            h[a] = (byte) (newA >>> 24); h[a + 1] = (byte) (newA >>> 16); h[a + 2] = (byte) (newA >>> 8); h[a + 3] = (byte) newA;
            int u32 = Checksums.update32(updated, oldA, newA);
            h[10] = (byte) (u32 >> 8);
            h[11] = (byte) u32;
            assertEquals(0, Checksums.checksum(h, 0, 20));
        }
    }

    @Test
    void ttlDecrementFromOneHundredTwentyEightAndZeroSumEdge() {
        // the RFC 1624 corner case: a header whose checksum field is 0x0000 must not become 0xFFFF wrongly
        byte[] h = TestFrames.ipv4(0x0A000001, 0x0A000002, 6, 128, new byte[0]);
        int c = TestFrames.u16(h, 10);
        int updated = Checksums.update16(c, (128 << 8) | 6, (127 << 8) | 6);
        h[8] = 127;
        assertEquals(TestFrames.csum(withZeroSum(h), 0, 20, 0), updated);
    }

    private static byte[] withZeroSum(byte[] h) {
        byte[] c = h.clone();
        c[10] = c[11] = 0;
        return c;
    }
}
