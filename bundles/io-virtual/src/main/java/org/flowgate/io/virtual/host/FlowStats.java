package org.flowgate.io.virtual.host;

import java.util.ArrayList;
import java.util.List;

import org.flowgate.api.tuple.FiveTuple;

/**
 * Received packets and bytes per flow (5-tuple as it arrived), in an open-addressing table of
 * primitive arrays: counting a packet of a known flow allocates nothing. Flows beyond the
 * capacity are counted only in {@link #overflowPackets}. Not thread-safe: the host guards it.
 */
final class FlowStats {
    private final int mask;
    private final boolean[] used;
    private final int[] family, proto, ports;
    private final long[] srcHi, srcLo, dstHi, dstLo, packets, bytes;
    private int size;
    private final int limit;
    long overflowPackets;

    FlowStats(int capacity) {
        int n = Integer.highestOneBit(Math.max(16, capacity) - 1) << 1;
        mask = n - 1;
        limit = n * 3 / 4;
        used = new boolean[n];
        family = new int[n];
        proto = new int[n];
        ports = new int[n];
        srcHi = new long[n];
        srcLo = new long[n];
        dstHi = new long[n];
        dstLo = new long[n];
        packets = new long[n];
        bytes = new long[n];
    }

    void count(int fam, int pr, long sh, long sl, long dh, long dl, int sport, int dport, int len) {
        int pp = (sport << 16) | dport;
        int i = slot(fam, pr, sh, sl, dh, dl, pp);
        if (!used[i]) {
            if (size == limit) { overflowPackets++; return; }
            used[i] = true;
            family[i] = fam; proto[i] = pr; ports[i] = pp;
            srcHi[i] = sh; srcLo[i] = sl; dstHi[i] = dh; dstLo[i] = dl;
            size++;
        }
        packets[i]++;
        bytes[i] += len;
    }

    /** Packets received for a flow, 0 when never seen. */
    long packets(FiveTuple t) {
        int i = slot(t.family, t.proto, t.srcHi, t.srcLo, t.dstHi, t.dstLo, (t.srcPort << 16) | t.dstPort);
        return used[i] ? packets[i] : 0;
    }

    long bytes(FiveTuple t) {
        int i = slot(t.family, t.proto, t.srcHi, t.srcLo, t.dstHi, t.dstLo, (t.srcPort << 16) | t.dstPort);
        return used[i] ? bytes[i] : 0;
    }

    int size() { return size; }

    List<EmulatedHost.Flow> list() {
        List<EmulatedHost.Flow> out = new ArrayList<>(size);
        for (int i = 0; i <= mask; i++) {
            if (!used[i]) continue;
            FiveTuple t = new FiveTuple();
            t.family = family[i]; t.proto = proto[i];
            t.srcHi = srcHi[i]; t.srcLo = srcLo[i]; t.dstHi = dstHi[i]; t.dstLo = dstLo[i];
            t.srcPort = ports[i] >>> 16; t.dstPort = ports[i] & 0xFFFF;
            out.add(new EmulatedHost.Flow(t, packets[i], bytes[i]));
        }
        return out;
    }

    void clear() {
        java.util.Arrays.fill(used, false);
        java.util.Arrays.fill(packets, 0);
        java.util.Arrays.fill(bytes, 0);
        size = 0;
        overflowPackets = 0;
    }

    private int slot(int fam, int pr, long sh, long sl, long dh, long dl, int pp) {
        long h = sl * 0x9E3779B97F4A7C15L + dl;
        h = h * 0x9E3779B97F4A7C15L + (sh ^ dh * 31);
        h = h * 0x9E3779B97F4A7C15L + (((long) pp << 16) | ((long) pr << 4) | fam);
        h ^= h >>> 31;
        int i = (int) h & mask;
        while (used[i]) {
            if (ports[i] == pp && srcLo[i] == sl && dstLo[i] == dl && srcHi[i] == sh && dstHi[i] == dh
                    && proto[i] == pr && family[i] == fam) return i;
            i = (i + 1) & mask;
        }
        return i;
    }
}
