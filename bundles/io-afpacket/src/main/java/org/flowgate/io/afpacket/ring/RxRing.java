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
 * block over by setting {@code TP_STATUS_USER}; we copy each frame into one reused {@link Packet},
 * give it to the receiver, close the batch and hand the block back with {@code TP_STATUS_KERNEL}.
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
    private final Packet packet;
    private final MemorySegment packetBuffer;
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

    /**
     * @param ring the mapped receive ring, {@code blockCount * blockSize} bytes
     * @param packet the buffer frames are delivered in
     */
    public RxRing(String name, MemorySegment ring, int blockSize, int blockCount, Packet packet) {
        if (ring.byteSize() < (long) blockSize * blockCount) throw new IllegalArgumentException("ring smaller than its geometry");
        this.name = name;
        this.ring = ring;
        this.blockSize = blockSize;
        this.blockCount = blockCount;
        this.packet = packet;
        this.packetBuffer = MemorySegment.ofArray(packet.array());
    }

    /** Whether the next block in ring order has been handed to user space. */
    public boolean blockReady() {
        return ((int) INT.getAcquire(ring, (long) current * blockSize + BLOCK_STATUS) & TP_STATUS_USER) != 0;
    }

    /** Index of the block {@link #drainBlock} reads next. */
    public int currentBlock() { return current; }

    /**
     * Delivers every frame of the current block (which must be {@link #blockReady() ready}), ends the
     * batch, returns the block to the kernel and moves on.
     *
     * @return the number of frames handed to the receiver
     */
    public int drainBlock(PortReceiver receiver) {
        long block = (long) current * blockSize;
        int delivered = 0;
        int count = ring.get(U32, block + BLOCK_NUM_PKTS);
        long off = Integer.toUnsignedLong(ring.get(U32, block + BLOCK_FIRST_PKT));
        for (int i = 0; i < count; i++) {
            if (off < BLOCK_DESC.byteSize() || off + TPACKET3_HDRLEN > blockSize) {
                malformedBlocks++;
                break;
            }
            if (deliver(block, off, receiver)) delivered++;
            long next = Integer.toUnsignedLong(ring.get(U32, block + off + HDR_NEXT_OFFSET));
            if (next == 0) break;
            off += next;
        }
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

    /** Delivers the frame whose header is at {@code off} in the block at {@code block}. */
    private boolean deliver(long block, long off, PortReceiver receiver) {
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
        if (off + mac + snaplen > blockSize || snaplen + (tagged ? 4 : 0) > packet.maxFrame()) {
            oversize++;
            return false;
        }
        Packet p = packet;
        MemorySegment.copy(ring, hdr + mac, packetBuffer, Packet.HEADROOM, snaplen); // checked to fit above
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
        try {
            receiver.receive(p);
        } catch (Throwable t) {
            receiverFailed(t);
        }
        return true;
    }

    private void receiverFailed(Throwable t) {
        if (receiverErrors++ == 0) {
            LOG.error("Port {}: the receiver threw; frames keep flowing, further errors are only counted", name, t);
        }
    }
}
