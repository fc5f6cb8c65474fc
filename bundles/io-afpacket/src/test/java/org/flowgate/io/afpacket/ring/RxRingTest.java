package org.flowgate.io.afpacket.ring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        final long base;
        long off = 48; // BLK_PLUS_PRIV(0)
        long lastHdr = -1;
        int count;

        BlockWriter(int block) { base = (long) block * BLOCK; }

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
