package org.flowgate.io.virtual.host;

import java.util.ArrayList;
import java.util.List;

/** A host's TCP connections by (remote address, remote port, local port): linear probing, lookup allocation-free. */
final class TcpTable {
    private TcpConnection[] slots = new TcpConnection[64];
    private int size;

    synchronized TcpConnection find(int family, long hi, long lo, int remotePort, int localPort) {
        int mask = slots.length - 1;
        for (int i = hash(family, hi, lo, remotePort, localPort) & mask; ; i = (i + 1) & mask) {
            TcpConnection c = slots[i];
            if (c == null) return null;
            if (c.remoteLo == lo && c.remotePort == remotePort && c.localPort == localPort && c.remoteHi == hi && c.family == family) return c;
        }
    }

    /** Adds a connection, replacing one with the same key. */
    synchronized void put(TcpConnection c) {
        if ((size + 1) * 2 > slots.length) resize(slots.length * 2);
        int mask = slots.length - 1;
        for (int i = hash(c.family, c.remoteHi, c.remoteLo, c.remotePort, c.localPort) & mask; ; i = (i + 1) & mask) {
            TcpConnection o = slots[i];
            if (o == null) { slots[i] = c; size++; return; }
            if (sameKey(o, c)) { slots[i] = c; return; }
        }
    }

    synchronized void remove(TcpConnection c) {
        int mask = slots.length - 1;
        int i = hash(c.family, c.remoteHi, c.remoteLo, c.remotePort, c.localPort) & mask;
        while (slots[i] != null && slots[i] != c) i = (i + 1) & mask;
        if (slots[i] == null) return;
        slots[i] = null;
        size--;
        // re-place the rest of the cluster so probing still finds it
        for (int j = (i + 1) & mask; slots[j] != null; j = (j + 1) & mask) {
            TcpConnection o = slots[j];
            slots[j] = null;
            size--;
            put(o);
        }
    }

    synchronized List<TcpConnection> list() {
        List<TcpConnection> out = new ArrayList<>(size);
        for (TcpConnection c : slots) if (c != null) out.add(c);
        return out;
    }

    synchronized int size() { return size; }

    synchronized void clear() {
        java.util.Arrays.fill(slots, null);
        size = 0;
    }

    private void resize(int n) {
        TcpConnection[] old = slots;
        slots = new TcpConnection[n];
        size = 0;
        for (TcpConnection c : old) if (c != null) put(c);
    }

    private static boolean sameKey(TcpConnection a, TcpConnection b) {
        return a.family == b.family && a.remoteHi == b.remoteHi && a.remoteLo == b.remoteLo
                && a.remotePort == b.remotePort && a.localPort == b.localPort;
    }

    private static int hash(int family, long hi, long lo, int remotePort, int localPort) {
        long h = (lo ^ hi * 31) * 0x9E3779B97F4A7C15L + (((long) remotePort << 16) | localPort) * 0xBF58476D1CE4E5B9L + family;
        return (int) (h ^ (h >>> 32));
    }
}
