package org.flowgate.api.packet;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;

import org.junit.jupiter.api.Test;

class ChecksumsTest {
    /** RFC 1071 section 3 example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
    @Test
    void rfc1071Example() {
        byte[] b = {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7};
        assertEquals(~0xddf2 & 0xFFFF, Checksums.checksum(b, 0, b.length));
    }

    @Test
    void incrementalUpdateMatchesRecomputation() {
        Random r = new Random(1);
        for (int round = 0; round < 2000; round++) {
            byte[] b = new byte[20 + r.nextInt(40) * 2];
            r.nextBytes(b);
            b[10] = 0; b[11] = 0;
            int c = Checksums.checksum(b, 0, b.length);
            b[10] = (byte) (c >>> 8); b[11] = (byte) c;
            int off = 12 + 2 * r.nextInt((b.length - 16) / 2);
            int old = ((b[off] & 0xFF) << 8 | (b[off + 1] & 0xFF)) << 16 | ((b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF));
            int now = r.nextInt();
            b[off] = (byte) (now >>> 24); b[off + 1] = (byte) (now >>> 16); b[off + 2] = (byte) (now >>> 8); b[off + 3] = (byte) now;
            int updated = Checksums.update32(c, old, now);
            b[10] = (byte) (updated >>> 8); b[11] = (byte) updated;
            assertEquals(0, Checksums.checksum(b, 0, b.length) & 0xFFFF, "round " + round);
        }
    }

    /** RFC 1624 section 4: sum of the rest 0xCD7A, field 0x5555 -> 0x3285: eqn. 3 gives 0x0000, never -0 (0xFFFF). */
    @Test
    void rfc1624Example() {
        assertEquals(0xDD2F, Checksums.finish(0xCD7A + 0x5555));
        assertEquals(0x0000, Checksums.update16(0xDD2F, 0x5555, 0x3285));
    }
}
