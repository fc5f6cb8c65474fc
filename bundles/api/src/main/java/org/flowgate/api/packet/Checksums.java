package org.flowgate.api.packet;

/** Internet checksum (RFC 1071) and its incremental update (RFC 1624), on primitives only. */
public final class Checksums {
    private Checksums() {}

    /** One's complement sum of {@code len} bytes, not folded, not inverted. */
    public static long sum(byte[] b, int off, int len, long initial) {
        long s = initial;
        int i = off, end = off + len;
        for (; i + 1 < end; i += 2) s += ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
        if (i < end) s += (b[i] & 0xFF) << 8;
        return s;
    }

    /** Folds a sum to 16 bits and inverts it: the value to store in a header. */
    public static int finish(long sum) {
        while ((sum >>> 16) != 0) sum = (sum & 0xFFFF) + (sum >>> 16);
        return (int) (~sum & 0xFFFF);
    }

    public static int checksum(byte[] b, int off, int len) { return finish(sum(b, off, len, 0)); }

    /** RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') for one 16-bit word changing from {@code old} to {@code now}. */
    public static int update16(int csum, int old, int now) {
        long s = (~csum & 0xFFFF) + (~old & 0xFFFF) + (now & 0xFFFF);
        return finish(s);
    }

    /** Update for a 32-bit field (an IPv4 address) changing. */
    public static int update32(int csum, int old, int now) {
        long s = (~csum & 0xFFFF) + (~(old >>> 16) & 0xFFFF) + (~old & 0xFFFF) + ((now >>> 16) & 0xFFFF) + (now & 0xFFFF);
        return finish(s);
    }

    /** Update for a 64-bit field (half an IPv6 address) changing. */
    public static int update64(int csum, long old, long now) {
        return update32(update32(csum, (int) (old >>> 32), (int) (now >>> 32)), (int) old, (int) now);
    }

    /** Pseudo-header sum for IPv4 TCP/UDP/ICMP-less protocols (RFC 793/768). */
    public static long pseudoV4(int src, int dst, int proto, int l4len) {
        return (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + proto + l4len;
    }

    /** Pseudo-header sum for IPv6 upper layers (RFC 8200 8.1), addresses read from the packet. */
    public static long pseudoV6(byte[] b, int srcOff, int dstOff, int nextHeader, int l4len) {
        return sum(b, srcOff, 16, 0) + sum(b, dstOff, 16, 0) + (l4len >>> 16) + (l4len & 0xFFFF) + nextHeader;
    }
}
