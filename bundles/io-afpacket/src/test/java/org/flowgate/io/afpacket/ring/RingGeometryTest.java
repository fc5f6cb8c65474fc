package org.flowgate.io.afpacket.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;

class RingGeometryTest {

    @Test
    void countsFramesPerBlockAndInTotal() {
        RingGeometry g = new RingGeometry(1 << 18, 8, 2048).validate(4096);
        assertEquals(128, g.framesPerBlock());
        assertEquals(1024, g.frameCount());
        assertEquals(2L << 20, g.byteSize());
        RingGeometry odd = new RingGeometry(8192, 3, 3008).validate(4096);
        assertEquals(2, odd.framesPerBlock());
        assertEquals(6, odd.frameCount());
    }

    @Test
    void rejectsWhatTheKernelRejects() {
        assertMessage(new RingGeometry(5000, 4, 2048), "multiple of the page size");
        assertMessage(new RingGeometry(0, 4, 2048), "multiple of the page size");
        assertMessage(new RingGeometry(4096, 0, 2048), "block count");
        assertMessage(new RingGeometry(4096, 4, 2040), "multiple of 16");
        assertMessage(new RingGeometry(4096, 4, 64), "at least 68");
        assertMessage(new RingGeometry(4096, 4, 8192), "exceeds the block size");
        assertMessage(new RingGeometry(1 << 30, 4, 2048), "larger than 2 GiB");
    }

    private static void assertMessage(RingGeometry g, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.validate(4096));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void writesTpacketReq3() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment req = a.allocate(Tpacket.TPACKET_REQ3);
            req.fill((byte) 0x5A);
            new RingGeometry(1 << 16, 16, 2048).writeReq3(req, 7);
            int[] expected = {1 << 16, 16, 2048, 512, 7, 0, 0};
            for (int i = 0; i < expected.length; i++) assertEquals(expected[i], req.get(ValueLayout.JAVA_INT, i * 4L), "field " + i);
        }
    }
}
