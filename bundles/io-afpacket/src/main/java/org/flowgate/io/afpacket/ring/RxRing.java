package org.flowgate.io.afpacket.ring;

import static org.flowgate.io.afpacket.ring.Tpacket.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import org.flowgate.api.netdev.PortReceiver;
import org.flowgate.api.packet.Packet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reader of a TPACKET_V3 receive ring: the kernel fills blocks of variable-size frames and hands a
 * block over by setting {@code TP_STATUS_USER}; we copy the block's frames in order into a batch of
 * reused {@link Packet}s and hand the batch to {@link PortReceiver#receive(Packet[], int)} whenever
 * it is full and at the end of the block, so a block of 70 frames with batches of 32 arrives as
 * 32 + 32 + 6. Then we call {@link PortReceiver#endOfBatch()} once and hand the block back with
 * {@code TP_STATUS_KERNEL}. Per-frame work (skipping outgoing frames, counting truncated and oversize
 * ones, re-inserting a stripped VLAN tag, completing checksums, the timestamp, the counters) happens
 * while a frame is copied, before the receiver sees its batch. A receiver that throws loses the
 * rest of that batch only: the block goes on with the next batch.
 *
 * <p>Used by one thread at a time. Counters are plain fields written by that thread; readers on
 * other threads see them eventually, which is all statistics need.
 */
public final class RxRing {
    private static final Logger LOG = LoggerFactory.getLogger(RxRing.class);
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT;

    private final String name;
    private final MemorySegment ring;
    private final int blockSize;
    private final int blockCount;
    /** Batch slots and, per slot, a segment over its packet's array (made once: no per-frame views). */
    private final Packet[] batch;
    private final MemorySegment[] buffers;
    private int current;

    public long frames;
    public long bytes;
    public long blocks;
    public long outgoingSkipped;
    public long truncated;
    public long oversize;
    public long malformedBlocks;
    public long receiverErrors;
    /** Frames whose TCP/UDP checksum we completed (the sender left it to the device). */
    public long checksumsCompleted;

    /** Frames per batch a port hands its receiver. */
    public static final int BATCH = 32;

    /**
     * A ring delivering batches of one frame, in {@code packet}.
     *
     * @param ring the mapped receive ring, {@code blockCount * blockSize} bytes
     * @param packet the buffer frames are delivered in
     */
    public RxRing(String name, MemorySegment ring, int blockSize, int blockCount, Packet packet) {
        this(name, ring, blockSize, blockCount, new Packet[] {packet});
    }

    /**
     * A ring delivering batches of up to {@code batch.length} frames.
     *
     * @param ring the mapped receive ring, {@code blockCount * blockSize} bytes
     * @param batch the distinct buffers a batch's frames are delivered in, in order
     */
    public RxRing(String name, MemorySegment ring, int blockSize, int blockCount, Packet[] batch) {
        if (ring.byteSize() < (long) blockSize * blockCount) throw new IllegalArgumentException("ring smaller than its geometry");
        if (batch.length == 0) throw new IllegalArgumentException("empty batch");
        Packet[] slots = batch.clone();
        MemorySegment[] views = new MemorySegment[slots.length];
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] == null) throw new NullPointerException("batch[" + i + "]");
            for (int j = 0; j < i; j++) {
                if (slots[j] == slots[i]) throw new IllegalArgumentException("batch[" + j + "] and batch[" + i + "] are the same packet");
            }
            views[i] = MemorySegment.ofArray(slots[i].array());
        }
        this.name = name;
        this.ring = ring;
        this.blockSize = blockSize;
        this.blockCount = blockCount;
        this.batch = slots;
        this.buffers = views;
    }

    /** A batch of {@code size} new default-capacity packets. */
    public static Packet[] newBatch(int size) {
        Packet[] b = new Packet[size];
        for (int i = 0; i < size; i++) b[i] = new Packet();
        return b;
    }

    /** Frames per batch. */
    public int batchSize() { return batch.length; }

    /** Whether the next block in ring order has been handed to user space. */
    public boolean blockReady() {
        return ((int) INT.getAcquire(ring, (long) current * blockSize + BLOCK_STATUS) & TP_STATUS_USER) != 0;
    }

    /** Index of the block {@link #drainBlock} reads next. */
    public int currentBlock() { return current; }

    /**
     * Delivers every frame of the current block (which must be {@link #blockReady() ready}) in
     * batches, ends the batch, returns the block to the kernel and moves on.
     *
     * @return the number of frames handed to the receiver
     */
    public int drainBlock(PortReceiver receiver) {
        long block = (long) current * blockSize;
        int delivered = 0;
        int pending = 0;
        int count = ring.get(U32, block + BLOCK_NUM_PKTS);
        long off = Integer.toUnsignedLong(ring.get(U32, block + BLOCK_FIRST_PKT));
        for (int i = 0; i < count; i++) {
            if (off < BLOCK_DESC.byteSize() || off + TPACKET3_HDRLEN > blockSize) {
                malformedBlocks++;
                break;
            }
            if (copy(block, off, pending)) {
                delivered++;
                if (++pending == batch.length) {
                    hand(receiver, pending);
                    pending = 0;
                }
            }
            long next = Integer.toUnsignedLong(ring.get(U32, block + off + HDR_NEXT_OFFSET));
            if (next == 0) break;
            off += next;
        }
        if (pending > 0) hand(receiver, pending);
        blocks++;
        try {
            receiver.endOfBatch();
        } catch (Throwable t) {
            receiverFailed(t);
        }
        INT.setRelease(ring, block + BLOCK_STATUS, TP_STATUS_KERNEL);
        current = current + 1 == blockCount ? 0 : current + 1;
        return delivered;
    }

    private void hand(PortReceiver receiver, int n) {
        try {
            receiver.receive(batch, n);
        } catch (Throwable t) {
            receiverFailed(t);
        }
    }

    /**
     * Copies the frame whose header is at {@code off} in the block at {@code block} into batch slot
     * {@code slot}; false when the frame is skipped (counted).
     */
    private boolean copy(long block, long off, int slot) {
        long hdr = block + off;
        if ((ring.get(ValueLayout.JAVA_BYTE, hdr + HDR_PKTTYPE) & 0xFF) == PACKET_OUTGOING) {
            outgoingSkipped++;
            return false;
        }
        int status = ring.get(U32, hdr + HDR_STATUS);
        int snaplen = ring.get(U32, hdr + HDR_SNAPLEN);
        int len = ring.get(U32, hdr + HDR_LEN);
        long mac = Short.toUnsignedLong(ring.get(U16, hdr + HDR_MAC));
        if (snaplen != len || snaplen < Packet.ETH_HLEN) {
            truncated++;
            return false;
        }
        boolean tagged = (status & TP_STATUS_VLAN_VALID) != 0;
        if (off + mac + snaplen > blockSize || snaplen + (tagged ? 4 : 0) > batch[slot].maxFrame()) {
            oversize++;
            return false;
        }
        Packet p = batch[slot];
        MemorySegment.copy(ring, hdr + mac, buffers[slot], Packet.HEADROOM, snaplen); // checked to fit above
        p.reset(snaplen); // after the copy: with parse() next, HotSpot drops the layout stores parse() repeats
        if (tagged) {
            // the kernel (or the NIC) moved the outer tag into metadata: put it back where it was
            p.pushVlan(ring.get(U32, hdr + HDR_VLAN_TCI) & 0xFFFF);
            if ((status & TP_STATUS_VLAN_TPID_VALID) != 0) {
                int tpid = Short.toUnsignedInt(ring.get(U16, hdr + HDR_VLAN_TPID));
                if (tpid != 0) p.setU16(p.start() + 12, tpid);
            }
        }
        if ((status & TP_STATUS_CSUMNOTREADY) != 0) {
            // a local sender on this link (veth) left the checksum to "hardware": we are that hardware
            if (p.parse() == null && p.computeL4Checksum()) checksumsCompleted++;
        }
        p.setTimestampNanos(Integer.toUnsignedLong(ring.get(U32, hdr + HDR_SEC)) * 1_000_000_000L
                + Integer.toUnsignedLong(ring.get(U32, hdr + HDR_NSEC)));
        frames++;
        bytes += p.length();
        return true;
    }

    private void receiverFailed(Throwable t) {
        if (receiverErrors++ == 0) {
            LOG.error("Port {}: the receiver threw; frames keep flowing, further errors are only counted", name, t);
        }
    }
}
