package org.flowgate.io.afpacket.ring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The transmit ring writer, with the test playing the kernel's part on the slot status words. */
class TxRingTest {
    final Arena arena = Arena.ofShared();

    @AfterEach
    void close() { arena.close(); }

    TxRing ring(RingGeometry g) {
        return new TxRing(arena.allocate(g.byteSize(), 4096), g);
    }

    static byte[] frame(int len, int seq) {
        byte[] f = new byte[len];
        for (int i = 0; i < len; i++) f[i] = (byte) (i + seq);
        return f;
    }

    @Test
    void slotsAreLaidOutBlockByBlock() {
        RingGeometry g = new RingGeometry(8192, 2, 3008).validate(4096);
        TxRing r = ring(g);
        assertEquals(4, r.slots());
        assertEquals(0, r.slotOffset(0));
        assertEquals(3008, r.slotOffset(1));
        assertEquals(8192, r.slotOffset(2)); // a block holds two slots; the rest of it is unused
        assertEquals(8192 + 3008, r.slotOffset(3));
        assertEquals(3008 - 48, r.slotCapacity());
    }

    @Test
    void offerWritesTheFrameAndRequestsTransmission() {
        RingGeometry g = new RingGeometry(4096, 1, 2048);
        MemorySegment m = arena.allocate(g.byteSize(), 4096);
        TxRing r = new TxRing(m, g);
        byte[] f = frame(100, 1);
        byte[] buffer = new byte[300];
        System.arraycopy(f, 0, buffer, 50, 100);
        assertTrue(r.offer(buffer, 50, 100));
        assertEquals(Tpacket.TP_STATUS_SEND_REQUEST, m.get(JAVA_INT, 20));
        assertEquals(100, m.get(JAVA_INT, 16), "tp_len");
        assertEquals(0, m.get(JAVA_INT, 0), "tp_next_offset must be 0 for the kernel");
        byte[] data = new byte[100];
        MemorySegment.copy(m, JAVA_BYTE, 48, data, 0, 100);
        assertArrayEquals(f, data);
        assertEquals(1, r.unkicked());
        assertEquals(1, r.takeUnkicked());
        assertEquals(0, r.unkicked());
        assertEquals(1, r.frames);
        assertEquals(100, r.bytes);
    }

    @Test
    void aFullRingRefusesUntilTheKernelFreesTheNextSlot() {
        RingGeometry g = new RingGeometry(4096, 2, 2048); // 4 slots
        MemorySegment m = arena.allocate(g.byteSize(), 4096);
        TxRing r = new TxRing(m, g);
        for (int i = 0; i < 4; i++) assertTrue(r.offer(frame(60, i), 0, 60));
        assertFalse(r.offer(frame(60, 9), 0, 60));
        assertEquals(1, r.full);
        assertEquals(4, r.busySlots());
        // the kernel walks the slots in order, so slot 0 is the first it frees
        m.set(JAVA_INT, r.slotOffset(0) + 20, Tpacket.TP_STATUS_AVAILABLE);
        assertTrue(r.offer(frame(60, 5), 0, 60));
        assertEquals(5, m.get(JAVA_BYTE, r.slotOffset(0) + 48), "wrapped to slot 0");
        // slot 1 still sending: full again
        m.set(JAVA_INT, r.slotOffset(1) + 20, Tpacket.TP_STATUS_SENDING);
        assertFalse(r.offer(frame(60, 6), 0, 60));
    }

    @Test
    void aSlotTheKernelRejectedIsReused() {
        RingGeometry g = new RingGeometry(4096, 1, 2048); // 2 slots
        MemorySegment m = arena.allocate(g.byteSize(), 4096);
        TxRing r = new TxRing(m, g);
        assertTrue(r.offer(frame(60, 0), 0, 60));
        assertTrue(r.offer(frame(60, 1), 0, 60));
        m.set(JAVA_INT, 20, Tpacket.TP_STATUS_WRONG_FORMAT);
        assertTrue(r.offer(frame(60, 2), 0, 60));
        assertEquals(1, r.rejectedByKernel);
        assertEquals(Tpacket.TP_STATUS_SEND_REQUEST, m.get(JAVA_INT, 20));
    }

    @Test
    void refusesFramesTheLinkOrSlotCannotTake() {
        TxRing r = ring(new RingGeometry(4096, 1, 2048));
        assertEquals(2000, r.maxFrame());
        r.setMaxFrame(1500 + 18);
        assertTrue(r.offer(frame(1518, 0), 0, 1518));
        assertFalse(r.offer(frame(1519, 0), 0, 1519));
        assertFalse(r.offer(frame(13, 0), 0, 13), "shorter than an Ethernet header");
        r.setMaxFrame(9000 + 18);
        assertEquals(2000, r.maxFrame(), "never more than a slot holds");
        assertEquals(2, r.tooBig);
    }

    @Test
    void closedRingRefuses() {
        TxRing r = ring(new RingGeometry(4096, 1, 2048));
        r.close();
        assertFalse(r.offer(frame(60, 0), 0, 60));
    }

    @Test
    void concurrentSendersGetDistinctSlots() throws Exception {
        RingGeometry g = new RingGeometry(1 << 16, 4, 2048); // 128 slots
        MemorySegment m = arena.allocate(g.byteSize(), 4096);
        TxRing r = new TxRing(m, g);
        int threads = 4, each = 32;
        CountDownLatch go = new CountDownLatch(1);
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            ts[t] = new Thread(() -> {
                try { go.await(); } catch (InterruptedException e) { return; }
                for (int i = 0; i < each; i++) {
                    byte[] f = new byte[64];
                    f[0] = (byte) id;
                    f[1] = (byte) i;
                    java.util.Arrays.fill(f, 2, 64, (byte) (id * 31 + i));
                    if (!r.offer(f, 0, 64)) throw new AssertionError("ring full");
                }
            });
            ts[t].start();
        }
        go.countDown();
        for (Thread t : ts) t.join();
        Set<Integer> seen = new HashSet<>();
        for (int s = 0; s < r.slots(); s++) {
            long base = r.slotOffset(s);
            assertEquals(Tpacket.TP_STATUS_SEND_REQUEST, m.get(JAVA_INT, base + 20));
            int id = m.get(JAVA_BYTE, base + 48), i = m.get(JAVA_BYTE, base + 49);
            for (int k = 2; k < 64; k++) assertEquals((byte) (id * 31 + i), m.get(JAVA_BYTE, base + 48 + k), "slot " + s + " intact");
            assertTrue(seen.add(id * 1000 + i), "each frame once");
        }
        assertEquals(threads * each, seen.size());
        assertEquals(threads * each, r.takeUnkicked());
    }
}
