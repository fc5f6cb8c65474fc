package org.flowgate.io.afpacket.ring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The shape of one TPACKET_V3 ring as {@code struct tpacket_req3} describes it, checked against the
 * kernel's rules ({@code packet_set_ring}) before the kernel sees it, so a bad configuration gives a
 * sentence instead of EINVAL.
 */
public record RingGeometry(int blockSize, int blockCount, int frameSize) {

    /** @throws IllegalArgumentException naming the rule that is broken */
    public RingGeometry validate(long pageSize) {
        if (blockSize <= 0 || blockSize % pageSize != 0)
            throw new IllegalArgumentException("block size " + blockSize + " must be a positive multiple of the page size " + pageSize);
        if (blockCount <= 0) throw new IllegalArgumentException("block count " + blockCount + " must be positive");
        if (frameSize < Tpacket.TPACKET3_HDRLEN || frameSize % Tpacket.TPACKET_ALIGNMENT != 0)
            throw new IllegalArgumentException("frame size " + frameSize + " must be a multiple of " + Tpacket.TPACKET_ALIGNMENT
                    + " and at least " + Tpacket.TPACKET3_HDRLEN);
        if (frameSize > blockSize) throw new IllegalArgumentException("frame size " + frameSize + " exceeds the block size " + blockSize);
        if ((long) blockSize * blockCount > Integer.MAX_VALUE)
            throw new IllegalArgumentException("ring of " + blockCount + " x " + blockSize + " bytes is larger than 2 GiB");
        return this;
    }

    public int framesPerBlock() { return blockSize / frameSize; }

    public int frameCount() { return framesPerBlock() * blockCount; }

    public long byteSize() { return (long) blockSize * blockCount; }

    /** Fills a {@code struct tpacket_req3}; a TX ring must pass 0 for the block timeout. */
    public void writeReq3(MemorySegment req, int retireBlockTimeoutMillis) {
        req.fill((byte) 0);
        req.set(ValueLayout.JAVA_INT, Tpacket.off(Tpacket.TPACKET_REQ3, "tp_block_size"), blockSize);
        req.set(ValueLayout.JAVA_INT, Tpacket.off(Tpacket.TPACKET_REQ3, "tp_block_nr"), blockCount);
        req.set(ValueLayout.JAVA_INT, Tpacket.off(Tpacket.TPACKET_REQ3, "tp_frame_size"), frameSize);
        req.set(ValueLayout.JAVA_INT, Tpacket.off(Tpacket.TPACKET_REQ3, "tp_frame_nr"), frameCount());
        req.set(ValueLayout.JAVA_INT, Tpacket.off(Tpacket.TPACKET_REQ3, "tp_retire_blk_tov"), retireBlockTimeoutMillis);
    }
}
