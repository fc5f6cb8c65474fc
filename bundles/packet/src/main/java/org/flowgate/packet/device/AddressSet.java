package org.flowgate.packet.device;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;

/**
 * The addresses of one device, immutable, with primitive arrays for the packet path (is this
 * ours? which source address to use?). A device swaps in a new set when its addresses change.
 */
public final class AddressSet {
    public static final AddressSet EMPTY = new AddressSet(List.of());

    private final List<IpPrefix> list;
    private final int[] v4, v4Len;
    private final long[] v6Hi, v6Lo;
    private final int[] v6Len;

    public AddressSet(Collection<IpPrefix> addresses) {
        this.list = List.copyOf(addresses);
        int n4 = 0, n6 = 0;
        for (IpPrefix p : list) if (p.address().isV4()) n4++; else n6++;
        v4 = new int[n4]; v4Len = new int[n4];
        v6Hi = new long[n6]; v6Lo = new long[n6]; v6Len = new int[n6];
        int i4 = 0, i6 = 0;
        for (IpPrefix p : list) {
            IpAddress a = p.address();
            if (a.isV4()) { v4[i4] = a.v4(); v4Len[i4++] = p.length(); }
            else { v6Hi[i6] = a.hi(); v6Lo[i6] = a.lo(); v6Len[i6++] = p.length(); }
        }
    }

    public List<IpPrefix> list() { return list; }

    public boolean hasV4(int addr) {
        for (int a : v4) if (a == addr) return true;
        return false;
    }

    public boolean hasV6(long hi, long lo) {
        for (int i = 0; i < v6Hi.length; i++) if (v6Hi[i] == hi && v6Lo[i] == lo) return true;
        return false;
    }

    /** Whether {@code addr} is the directed broadcast address of one of the IPv4 subnets here. */
    public boolean isV4SubnetBroadcast(int addr) {
        for (int i = 0; i < v4.length; i++) {
            int len = v4Len[i];
            if (len >= 31) continue;
            int host = (int) (0xFFFF_FFFFL >>> len);
            if ((addr & ~host) == (v4[i] & ~host) && (addr & host) == host) return true;
        }
        return false;
    }

    /** Whether the IPv6 solicited-node multicast group ff02::1:ffXX:XXXX of one of our addresses matches. */
    public boolean isSolicitedNode(long lo) {
        for (long a : v6Lo) if (((a & 0xFF_FFFFL) | 0x0000_0001_FF00_0000L) == lo) return true;
        return false;
    }

    /** The source address to use towards {@code dst}: one on the same subnet, else the first; 0 when none. */
    public int v4SourceFor(int dst) {
        for (int i = 0; i < v4.length; i++) {
            int mask = v4Len[i] == 0 ? 0 : -1 << (32 - v4Len[i]);
            if (((dst ^ v4[i]) & mask) == 0) return v4[i];
        }
        return v4.length > 0 ? v4[0] : 0;
    }

    public boolean hasAnyV4() { return v4.length > 0; }

    /**
     * An IPv6 source towards {@code dstHi}: link-local for link-local (and multicast link-scope)
     * destinations, otherwise a global one on the same prefix, else any global one. Returns the
     * index into the internal arrays, or -1.
     */
    public int v6SourceIndex(long dstHi, long dstLo) {
        boolean wantLinkLocal = isLinkLocal(dstHi) || (dstHi >>> 48) == 0xFF02;
        int fallback = -1;
        for (int i = 0; i < v6Hi.length; i++) {
            boolean ll = isLinkLocal(v6Hi[i]);
            if (wantLinkLocal) { if (ll) return i; else continue; }
            if (ll) continue;
            if (samePrefix(v6Hi[i], v6Lo[i], v6Len[i], dstHi, dstLo)) return i;
            if (fallback < 0) fallback = i;
        }
        return fallback;
    }

    public long v6Hi(int i) { return v6Hi[i]; }

    public long v6Lo(int i) { return v6Lo[i]; }

    public int v6Count() { return v6Hi.length; }

    public static boolean isLinkLocal(long hi) { return (hi >>> 54) == 0x3FA; }

    private static boolean samePrefix(long ahi, long alo, int len, long bhi, long blo) {
        long mhi = len == 0 ? 0 : len >= 64 ? -1L : -1L << (64 - len);
        long mlo = len <= 64 ? 0 : len == 128 ? -1L : -1L << (128 - len);
        return ((ahi ^ bhi) & mhi) == 0 && ((alo ^ blo) & mlo) == 0;
    }

    /** The set with {@code extra} added (no duplicates). */
    public AddressSet with(Collection<IpPrefix> extra) {
        List<IpPrefix> l = new ArrayList<>(list);
        for (IpPrefix p : extra) if (!l.contains(p)) l.add(p);
        return new AddressSet(l);
    }
}
