package org.flowgate.shell.capture;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the classic libpcap file format (what {@code tcpdump -w} writes): a 24-byte global header,
 * then per frame a 16-byte record header and the frame bytes, little-endian, microsecond
 * timestamps, link type Ethernet.
 */
public final class PcapWriter implements Closeable {
    static final int MAGIC_MICROS = 0xa1b2c3d4;
    static final int LINKTYPE_ETHERNET = 1;

    private final OutputStream out;
    private final int snaplen;
    private final ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);

    public PcapWriter(Path file, int snaplen) throws IOException {
        this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        this.snaplen = snaplen;
        header.putInt(MAGIC_MICROS).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(snaplen).putInt(LINKTYPE_ETHERNET);
        out.write(header.array(), 0, 24);
    }

    /** One frame captured at {@code epochMicros}; frames longer than the snap length are cut, as libpcap does. */
    public void write(long epochMicros, byte[] frame, int off, int len) throws IOException {
        int incl = Math.min(len, snaplen);
        header.clear();
        header.putInt((int) (epochMicros / 1_000_000)).putInt((int) (epochMicros % 1_000_000)).putInt(incl).putInt(len);
        out.write(header.array(), 0, 16);
        out.write(frame, off, incl);
    }

    public void flush() throws IOException { out.flush(); }

    @Override
    public void close() throws IOException { out.close(); }
}
