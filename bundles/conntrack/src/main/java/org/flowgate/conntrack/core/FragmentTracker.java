package org.flowgate.conntrack.core;

import java.util.concurrent.atomic.AtomicReferenceArray;

import org.flowgate.api.packet.Packet;
import org.flowgate.conntrack.table.Conn;

/**
 * Connection lookup for non-first fragments, which carry no ports. Linux reassembles before
 * conntrack; here the first fragment (which has the transport header) records its connection
 * under (addresses, protocol, IP identification, zone) and the later fragments of the same
 * datagram find it, so they share its state and get the same address translation. Fragments
 * arriving before their first fragment stay invalid. A bounded direct-mapped cache: a newer
 * datagram may evict an older one's slot.
 */
final class FragmentTracker {
    private record Slot(long srcHi, long srcLo, long dstHi, long dstLo, int proto, int id, int zone, Conn conn, int dir, long expires) {}

    private final AtomicReferenceArray<Slot> slots;
    private final int mask;
    private final long lifetimeNanos;

    FragmentTracker(int size, long lifetimeNanos) {
        int n = Integer.highestOneBit(Math.max(64, size));
        slots = new AtomicReferenceArray<>(n);
        mask = n - 1;
        this.lifetimeNanos = lifetimeNanos;
    }

    /** The IP identification of a fragment (IPv4 header or IPv6 fragment header), -1 when not found. */
    static int fragmentId(Packet p) {
        int l3 = p.l3();
        if (p.ipVersion() == 4) return p.u16(l3 + 4);
        int next = p.u8(l3 + 6), q = l3 + 40, end = p.l3End();
        for (int n = 0; n < 8 && q + 8 <= end; n++) {
            if (next == 44) return p.u32(q + 4);
            if (next != 0 && next != 43 && next != 60 && next != 51) return -1;
            int len = next == 51 ? (p.u8(q + 1) + 2) * 4 : (p.u8(q + 1) + 1) * 8;
            next = p.u8(q);
            q += len;
        }
        return -1;
    }

    private int index(Packet p, int id, int zone) {
        long h = p.srcLo() * 0x9E3779B97F4A7C15L ^ p.dstLo() ^ Long.rotateLeft(p.srcHi() ^ p.dstHi(), 29)
                ^ ((long) id << 20) ^ ((long) p.l4Proto() << 8) ^ zone;
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        return (int) (h ^ (h >>> 29)) & mask;
    }

    /** Remembers the connection of a first fragment. */
    void recordFirst(Packet p, Conn c, int dir, int zone, long now) {
        int id = fragmentId(p);
        if (id == -1 && p.ipVersion() == 6) return;
        slots.set(index(p, id, zone), new Slot(p.srcHi(), p.srcLo(), p.dstHi(), p.dstLo(), p.l4Proto(), id, zone, c, dir, now + lifetimeNanos));
    }

    /** Finds the live connection of a later fragment; sets {@code dirOut[0]}. Allocation-free. */
    Conn find(Packet p, int zone, long now, int[] dirOut) {
        int id = fragmentId(p);
        Slot s = slots.get(index(p, id, zone));
        if (s == null || now - s.expires >= 0 || s.id != id || s.zone != zone || s.proto != p.l4Proto()
                || s.srcLo != p.srcLo() || s.dstLo != p.dstLo() || s.srcHi != p.srcHi() || s.dstHi != p.dstHi()) return null;
        dirOut[0] = s.dir;
        return s.conn;
    }
}
