package org.flowgate.io.afpacket.ring;

import static org.flowgate.io.afpacket.ring.Tpacket.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writer of a TPACKET_V3 transmit ring (kernel 4.11+). The kernel treats it as fixed-size slots:
 * {@code framesPerBlock} slots of {@code frameSize} bytes in each block. We fill slots in order,
 * mark each {@code TP_STATUS_SEND_REQUEST}, and a {@code sendto(fd, NULL, 0)} makes the kernel send
 * everything requested from its own head onwards and set the slots back to
 * {@code TP_STATUS_AVAILABLE} once the device is done with them. Because kernel and writer walk
 * the same order, the writer never skips a slot: when the next one is still busy the ring is full.
 *
 * <p>{@link #offer} is thread-safe (a lock around slot choice and copy); several packet threads may
 * send on one port.
 */
public final class TxRing {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT;

    private final MemorySegment ring;
    private final RingGeometry geometry;
    private final int framesPerBlock;
    private final int slots;
    private final Object lock = new Object();
    private final AtomicInteger unkicked = new AtomicInteger();
    private volatile int maxFrame;
    private int head;
    private boolean closed;

    public long frames;
    public long bytes;
    public long full;
    public long tooBig;
    public long rejectedByKernel;

    public TxRing(MemorySegment ring, RingGeometry geometry) {
        if (ring.byteSize() < geometry.byteSize()) throw new IllegalArgumentException("ring smaller than its geometry");
        this.ring = ring;
        this.geometry = geometry;
        this.framesPerBlock = geometry.framesPerBlock();
        this.slots = geometry.frameCount();
        this.maxFrame = slotCapacity();
    }

    /** Largest frame a slot holds. */
    public int slotCapacity() { return geometry.frameSize() - TX_DATA_OFFSET; }

    public int slots() { return slots; }

    /** Limits frames to what the link takes (MTU plus Ethernet header and one VLAN tag). */
    public void setMaxFrame(int bytes) {
        maxFrame = Math.min(bytes, slotCapacity());
    }

    public int maxFrame() { return maxFrame; }

    /** Byte offset of slot {@code i} in the ring. */
    public long slotOffset(int i) {
        return (long) (i / framesPerBlock) * geometry.blockSize() + (long) (i % framesPerBlock) * geometry.frameSize();
    }

    /**
     * Copies a frame into the next free slot and requests its transmission.
     *
     * @return false when the ring is full, the frame too big for the link, or the ring closed
     */
    public boolean offer(byte[] frame, int off, int len) {
        synchronized (lock) {
            if (closed) return false;
            if (len > maxFrame || len < 14) {
                tooBig++;
                return false;
            }
            long slot = slotOffset(head);
            int status = (int) INT.getAcquire(ring, slot + HDR_STATUS);
            if (status != TP_STATUS_AVAILABLE) {
                if ((status & TP_STATUS_WRONG_FORMAT) == 0) {
                    full++;
                    return false;
                }
                rejectedByKernel++; // the kernel refused this slot's last frame; the slot is ours again
            }
            MemorySegment.copy(frame, off, ring, ValueLayout.JAVA_BYTE, slot + TX_DATA_OFFSET, len);
            ring.set(U32, slot + HDR_NEXT_OFFSET, 0);
            ring.set(U32, slot + HDR_SNAPLEN, len);
            ring.set(U32, slot + HDR_LEN, len);
            INT.setRelease(ring, slot + HDR_STATUS, TP_STATUS_SEND_REQUEST);
            head = head + 1 == slots ? 0 : head + 1;
            frames++;
            bytes += len;
        }
        unkicked.incrementAndGet();
        return true;
    }

    /** Frames requested since the last {@link #takeUnkicked()}. */
    public int unkicked() { return unkicked.get(); }

    /** Returns and clears the count of frames the kernel has not been told about. */
    public int takeUnkicked() { return unkicked.getAndSet(0); }

    /** Marks that a kick failed, so the next flush tries again. */
    public void kickFailed(int frames) { unkicked.addAndGet(frames); }

    /** After this, offers fail; returns once no offer is copying into the ring. */
    public void close() {
        synchronized (lock) {
            closed = true;
        }
    }

    /** Slots currently not available to the writer (requested or being sent). */
    public int busySlots() {
        int n = 0;
        for (int i = 0; i < slots; i++) {
            if ((int) INT.getAcquire(ring, slotOffset(i) + HDR_STATUS) != TP_STATUS_AVAILABLE) n++;
        }
        return n;
    }
}
