package org.flowgate.io.afpacket.ring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.flowgate.api.netdev.PortReceiver;
import org.flowgate.api.packet.Packet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The receive ring walker over blocks laid out the way the kernel fills them (af_packet.c, TPACKET_V3). */
class RxRingTest {
    static final int BLOCK = 4096, BLOCKS = 3;
    /** Where the kernel puts an Ethernet frame: TPACKET_ALIGN(TPACKET3_HDRLEN + 14) - 14. */
    static final int MAC_OFF = 96 - 14;

    final Arena arena = Arena.ofConfined();
    final MemorySegment ring = arena.allocate((long) BLOCK * BLOCKS, 4096);
    final Packet packet = new Packet();
    final RxRing rx = new RxRing("test", ring, BLOCK, BLOCKS, packet);
    final Recorder recorder = new Recorder();

    // an IPv4/UDP frame: 00:11:22:33:44:55 <- 02:00:00:00:00:01, 10.0.0.1:1000 -> 10.0.0.2:2000
    static final byte[] UDP = HexFormat.of().parseHex(
            "001122334455" + "020000000001" + "0800"
            + "4500001c" + "00004000" + "4011" + "26cd" + "0a000001" + "0a000002"
            + "03e8" + "07d0" + "0008" + "0000");

    @AfterEach
    void close() { arena.close(); }

    /** Frames of one block as the kernel writes them. */
    final class BlockWriter {
        final MemorySegment ring;
        final long base;
        long off = 48; // BLK_PLUS_PRIV(0)
        long lastHdr = -1;
        int count;

        BlockWriter(int block) { this(RxRingTest.this.ring, BLOCK, block); }

        BlockWriter(MemorySegment ring, int blockSize, int block) {
            this.ring = ring;
            base = (long) block * blockSize;
        }

        BlockWriter frame(byte[] bytes, int status, int pkttype, int tci, int tpid) { return frame(bytes, bytes.length, status, pkttype, tci, tpid); }

        BlockWriter frame(byte[] bytes, int wireLen, int status, int pkttype, int tci, int tpid) {
            long h = base + off;
            ring.set(JAVA_INT, h + 4, 1_700_000_000);
            ring.set(JAVA_INT, h + 8, 123);
            ring.set(JAVA_INT, h + 12, bytes.length);
            ring.set(JAVA_INT, h + 16, wireLen);
            ring.set(JAVA_INT, h + 20, Tpacket.TP_STATUS_USER | status);
            ring.set(JAVA_SHORT, h + 24, (short) MAC_OFF);
            ring.set(JAVA_SHORT, h + 26, (short) (MAC_OFF + 14));
            ring.set(JAVA_INT, h + 32, tci);
            ring.set(JAVA_SHORT, h + 36, (short) tpid);
            ring.set(JAVA_SHORT, h + 48, (short) 17);
            ring.set(JAVA_BYTE, h + 58, (byte) pkttype);
            MemorySegment.copy(bytes, 0, ring, JAVA_BYTE, h + MAC_OFF, bytes.length);
            if (lastHdr >= 0) ring.set(JAVA_INT, lastHdr, (int) (h - lastHdr));
            lastHdr = h;
            off += (MAC_OFF + bytes.length + 7) & ~7L;
            count++;
            return this;
        }

        void handOver() {
            ring.set(JAVA_INT, base + 12, count);
            ring.set(JAVA_INT, base + 16, 48);
            ring.set(JAVA_INT, base + 8, Tpacket.TP_STATUS_USER);
        }
    }

    @Test
    void deliversFramesOfABlockAsOneBatchAndReturnsIt() {
        byte[] second = UDP.clone();
        second[0] = (byte) 0xff;
        new BlockWriter(0).frame(UDP, 0, 0, 0, 0).frame(second, 0, 1, 0, 0).handOver();
        assertTrue(rx.blockReady());
        assertEquals(2, rx.drainBlock(recorder));
        assertEquals(List.of("frame", "frame", "batch"), recorder.events);
        assertArrayEquals(UDP, recorder.frames.get(0));
        assertArrayEquals(second, recorder.frames.get(1));
        assertEquals(Tpacket.TP_STATUS_KERNEL, ring.get(JAVA_INT, 8), "block handed back to the kernel");
        assertEquals(1, rx.currentBlock());
        assertFalse(rx.blockReady());
        assertEquals(2, rx.frames);
        assertEquals(2L * UDP.length, rx.bytes);
        assertEquals(1_700_000_000_000_000_123L, recorder.timestamps.get(0));
    }

    @Test
    void reinsertsTheVlanTagTheKernelStripped() {
        // the kernel hands an untagged frame plus TP_STATUS_VLAN_VALID and the TCI
        new BlockWriter(0).frame(UDP, Tpacket.TP_STATUS_VLAN_VALID | Tpacket.TP_STATUS_VLAN_TPID_VALID, 0, 0x2064, 0x8100).handOver();
        rx.drainBlock(recorder);
        byte[] tagged = recorder.frames.get(0);
        assertEquals(UDP.length + 4, tagged.length);
        assertArrayEquals(HexFormat.of().parseHex("001122334455020000000001" + "81002064" + "0800"),
                java.util.Arrays.copyOf(tagged, 18));
        assertArrayEquals(java.util.Arrays.copyOfRange(UDP, 14, UDP.length), java.util.Arrays.copyOfRange(tagged, 18, tagged.length));
        assertEquals(0x064, recorder.vlanIds.get(0), "the packet parses with VLAN 100");
    }

    @Test
    void keepsAnOuterQinqTpid() {
        new BlockWriter(0).frame(UDP, Tpacket.TP_STATUS_VLAN_VALID | Tpacket.TP_STATUS_VLAN_TPID_VALID, 0, 0x0007, 0x88A8).handOver();
        rx.drainBlock(recorder);
        assertArrayEquals(HexFormat.of().parseHex("88a80007"), java.util.Arrays.copyOfRange(recorder.frames.get(0), 12, 16));
    }

    @Test
    void priorityTaggedFrameWithTciZeroKeepsItsTag() {
        new BlockWriter(0).frame(UDP, Tpacket.TP_STATUS_VLAN_VALID, 0, 0, 0).handOver();
        rx.drainBlock(recorder);
        assertArrayEquals(HexFormat.of().parseHex("81000000"), java.util.Arrays.copyOfRange(recorder.frames.get(0), 12, 16));
    }

    @Test
    void skipsOutgoingAndTruncatedFrames() {
        new BlockWriter(0)
                .frame(UDP, 0, 4 /* PACKET_OUTGOING */, 0, 0)
                .frame(UDP, UDP.length + 100, 0, 0, 0, 0) // snaplen < len
                .frame(UDP, 0, 0, 0, 0)
                .handOver();
        assertEquals(1, rx.drainBlock(recorder));
        assertEquals(1, rx.outgoingSkipped);
        assertEquals(1, rx.truncated);
        assertEquals(List.of("frame", "batch"), recorder.events);
    }

    @Test
    void aThrowingReceiverIsCountedAndTheBlockStillReturns() {
        new BlockWriter(0).frame(UDP, 0, 0, 0, 0).frame(UDP, 0, 0, 0, 0).handOver();
        PortReceiver bad = new PortReceiver() {
            int n;
            @Override public void receive(Packet p) { n++; throw new IllegalStateException("boom " + n); }
            @Override public void endOfBatch() { throw new IllegalStateException("boom at end"); }
        };
        assertEquals(2, rx.drainBlock(bad));
        assertEquals(3, rx.receiverErrors);
        assertEquals(Tpacket.TP_STATUS_KERNEL, ring.get(JAVA_INT, 8));
    }

    @Test
    void walksTheBlocksInRingOrderAndWraps() {
        for (int round = 0; round < 2; round++) {
            for (int b = 0; b < BLOCKS; b++) {
                byte[] f = UDP.clone();
                f[5] = (byte) (round * BLOCKS + b);
                new BlockWriter(b).frame(f, 0, 0, 0, 0).handOver();
                assertEquals(b, rx.currentBlock());
                rx.drainBlock(recorder);
            }
        }
        assertEquals(2 * BLOCKS, recorder.frames.size());
        for (int i = 0; i < recorder.frames.size(); i++) assertEquals(i, recorder.frames.get(i)[5]);
        assertEquals(0, rx.currentBlock());
    }

    @Test
    void survivesAMalformedBlock() {
        new BlockWriter(0).frame(UDP, 0, 0, 0, 0).handOver();
        ring.set(JAVA_INT, 16, BLOCK - 10); // first packet beyond the block
        assertEquals(0, rx.drainBlock(recorder));
        assertEquals(1, rx.malformedBlocks);
        assertEquals(List.of("batch"), recorder.events);
    }

    @Test
    void dropsAFrameLargerThanThePacketBuffer() {
        Packet small = new Packet(Packet.HEADROOM + 64);
        RxRing tiny = new RxRing("tiny", ring, BLOCK, BLOCKS, small);
        byte[] big = new byte[200];
        System.arraycopy(UDP, 0, big, 0, 14);
        new BlockWriter(0).frame(big, 0, 0, 0, 0).handOver();
        assertEquals(0, tiny.drainBlock(recorder));
        assertEquals(1, tiny.oversize);
    }

    // ---- batches ----

    static final int BIG_BLOCK = 16384;
    /** Blocks large enough for 70 small frames (128 bytes each in the block). */
    final MemorySegment bigRing = arena.allocate((long) BIG_BLOCK * 2, 4096);

    /** UDP with source MAC ending in {@code n}, so each frame of a block is told apart. */
    static byte[] numbered(int n) {
        byte[] f = UDP.clone();
        f[10] = (byte) (n >> 8);
        f[11] = (byte) n;
        return f;
    }

    BlockWriter numberedBlock(int block, int first, int frames) {
        BlockWriter w = new BlockWriter(bigRing, BIG_BLOCK, block);
        for (int i = 0; i < frames; i++) w.frame(numbered(first + i), 0, 0, 0, 0);
        return w;
    }

    @Test
    void deliversABlockInBatchesOfUpToTheBatchSize() {
        RxRing batched = new RxRing("batched", bigRing, BIG_BLOCK, 2, RxRing.newBatch(RxRing.BATCH));
        numberedBlock(0, 0, 70).handOver();
        BatchRecorder r = new BatchRecorder();
        assertEquals(70, batched.drainBlock(r));
        assertEquals(List.of("receive 32", "receive 32", "receive 6", "batch"), r.events);
        assertEquals(70, r.frames.size());
        for (int i = 0; i < 70; i++) assertArrayEquals(numbered(i), r.frames.get(i), "frame " + i);
        assertEquals(1_700_000_000_000_000_123L, r.timestamps.get(69));
        assertEquals(70, batched.frames);
        assertEquals(70L * UDP.length, batched.bytes);
        assertEquals(1, batched.blocks);
        assertEquals(0, batched.receiverErrors);
        assertEquals(Tpacket.TP_STATUS_KERNEL, bigRing.get(JAVA_INT, 8), "block handed back to the kernel");

        // a batch never spans blocks: the next block starts a batch of its own
        numberedBlock(1, 100, 33).handOver();
        assertEquals(33, batched.drainBlock(r));
        assertEquals(List.of("receive 32", "receive 32", "receive 6", "batch", "receive 32", "receive 1", "batch"), r.events);
        for (int i = 0; i < 33; i++) assertArrayEquals(numbered(100 + i), r.frames.get(70 + i), "frame " + (100 + i));
        assertEquals(0, batched.currentBlock());
    }

    @Test
    void skippedFramesTakeNoSlotAndPerFrameWorkHappensInTheBatch() {
        RxRing batched = new RxRing("batched", bigRing, BIG_BLOCK, 2, RxRing.newBatch(2));
        new BlockWriter(bigRing, BIG_BLOCK, 0)
                .frame(numbered(0), 0, 0, 0, 0)
                .frame(numbered(1), 0, 4 /* PACKET_OUTGOING */, 0, 0)
                .frame(numbered(2), UDP.length + 100, 0, 0, 0, 0) // snaplen < len
                .frame(numbered(3), Tpacket.TP_STATUS_VLAN_VALID | Tpacket.TP_STATUS_VLAN_TPID_VALID, 0, 0x2064, 0x8100)
                .frame(numbered(4), 0, 0, 0, 0)
                .handOver();
        BatchRecorder r = new BatchRecorder();
        assertEquals(3, batched.drainBlock(r));
        assertEquals(List.of("receive 2", "receive 1", "batch"), r.events);
        assertArrayEquals(numbered(0), r.frames.get(0));
        byte[] tagged = r.frames.get(1);
        assertEquals(UDP.length + 4, tagged.length);
        assertArrayEquals(java.util.Arrays.copyOf(numbered(3), 12), java.util.Arrays.copyOf(tagged, 12));
        assertArrayEquals(HexFormat.of().parseHex("81002064"), java.util.Arrays.copyOfRange(tagged, 12, 16));
        assertEquals(0x064, r.vlanIds.get(1));
        assertArrayEquals(numbered(4), r.frames.get(2));
        assertEquals(1, batched.outgoingSkipped);
        assertEquals(1, batched.truncated);
        assertEquals(3, batched.frames);
        assertEquals(3L * UDP.length + 4, batched.bytes);
    }

    @Test
    void aReceiverThrowingInTheMiddleBatchDoesNotLoseTheNextOne() {
        RxRing batched = new RxRing("batched", bigRing, BIG_BLOCK, 2, RxRing.newBatch(RxRing.BATCH));
        numberedBlock(0, 0, 70).handOver();
        BatchRecorder r = new BatchRecorder() {
            int calls;
            @Override public void receive(Packet[] frames, int count) {
                if (++calls == 2) throw new IllegalStateException("boom in batch 2");
                super.receive(frames, count);
            }
        };
        assertEquals(70, batched.drainBlock(r));
        assertEquals(List.of("receive 32", "receive 6", "batch"), r.events);
        for (int i = 0; i < 32; i++) assertArrayEquals(numbered(i), r.frames.get(i));
        for (int i = 0; i < 6; i++) assertArrayEquals(numbered(64 + i), r.frames.get(32 + i), "frame " + (64 + i));
        assertEquals(1, batched.receiverErrors);
        assertEquals(70, batched.frames, "frames counts what was handed over, as before");
        assertEquals(Tpacket.TP_STATUS_KERNEL, bigRing.get(JAVA_INT, 8));
    }

    @Test
    void theSinglePacketConstructorDeliversBatchesOfOneInThatPacket() {
        byte[] second = UDP.clone();
        second[0] = (byte) 0xff;
        new BlockWriter(0).frame(UDP, 0, 0, 0, 0).frame(second, 0, 0, 0, 0).handOver();
        List<Packet> seen = new ArrayList<>();
        BatchRecorder r = new BatchRecorder() {
            @Override public void receive(Packet[] frames, int count) {
                seen.add(frames[0]);
                super.receive(frames, count);
            }
        };
        assertEquals(1, rx.batchSize());
        assertEquals(2, rx.drainBlock(r));
        assertEquals(List.of("receive 1", "receive 1", "batch"), r.events);
        assertTrue(seen.get(0) == packet && seen.get(1) == packet, "frames arrive in the given packet");
        assertArrayEquals(UDP, r.frames.get(0));
        assertArrayEquals(second, r.frames.get(1));
    }

    @Test
    void refusesABatchThatReusesAPacket() {
        Packet p = new Packet();
        assertThrows(IllegalArgumentException.class, () -> new RxRing("x", ring, BLOCK, BLOCKS, new Packet[] {p, new Packet(), p}));
        assertThrows(IllegalArgumentException.class, () -> new RxRing("x", ring, BLOCK, BLOCKS, new Packet[0]));
        assertThrows(NullPointerException.class, () -> new RxRing("x", ring, BLOCK, BLOCKS, new Packet[] {p, null}));
    }

    /** Records each batch as the receiver sees it: every frame of it read during the one call. */
    static class BatchRecorder implements PortReceiver {
        final List<String> events = new ArrayList<>();
        final List<byte[]> frames = new ArrayList<>();
        final List<Long> timestamps = new ArrayList<>();
        final List<Integer> vlanIds = new ArrayList<>();

        @Override
        public void receive(Packet[] batch, int count) {
            events.add("receive " + count);
            for (int i = 0; i < count; i++) {
                Packet p = batch[i];
                frames.add(p.toByteArray());
                timestamps.add(p.timestampNanos());
                p.parse();
                vlanIds.add(p.vlanId());
            }
        }

        @Override
        public void receive(Packet p) { throw new AssertionError("frames come in batches"); }

        @Override
        public void endOfBatch() { events.add("batch"); }
    }

    static final class Recorder implements PortReceiver {
        final List<String> events = new ArrayList<>();
        final List<byte[]> frames = new ArrayList<>();
        final List<Long> timestamps = new ArrayList<>();
        final List<Integer> vlanIds = new ArrayList<>();

        @Override
        public void receive(Packet p) {
            events.add("frame");
            frames.add(p.toByteArray());
            timestamps.add(p.timestampNanos());
            p.parse();
            vlanIds.add(p.vlanId());
        }

        @Override
        public void endOfBatch() { events.add("batch"); }
    }
}
