package org.flowgate.driver.ebpf.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.flowgate.linux.libc.LibC;

/**
 * A BPF map opened from its bpffs pin ({@code BPF_OBJ_GET}), read and written with
 * {@code BPF_MAP_LOOKUP_ELEM}, {@code BPF_MAP_UPDATE_ELEM} and {@code BPF_MAP_DELETE_ELEM}.
 * Thread-safe: the kernel serialises element operations; every call uses its own arena.
 */
public final class BpfMap implements AutoCloseable {
    static final int BPF_MAP_LOOKUP_ELEM = 1, BPF_MAP_UPDATE_ELEM = 2, BPF_MAP_DELETE_ELEM = 3;
    static final int BPF_OBJ_GET = 7, BPF_OBJ_GET_INFO_BY_FD = 15, BPF_MAP_LOOKUP_BATCH = 24;
    /** Update flags: create or replace, create only, replace only. */
    public static final long BPF_ANY = 0, BPF_NOEXIST = 1, BPF_EXIST = 2;
    private static final int ATTR_SIZE = 128; // larger than every command's part of union bpf_attr, zeroed

    private final String path;
    private final int fd;
    private final int type, keySize, valueSize, maxEntries;
    private volatile boolean closed;

    private BpfMap(String path, int fd, int type, int keySize, int valueSize, int maxEntries) {
        this.path = path;
        this.fd = fd;
        this.type = type;
        this.keySize = keySize;
        this.valueSize = valueSize;
        this.maxEntries = maxEntries;
    }

    /** Opens a pinned map and reads its geometry ({@code BPF_OBJ_GET_INFO_BY_FD}). */
    public static BpfMap open(String pinPath) throws BpfException {
        int fd = objGet(pinPath);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = LibC.newCallState(a);
            MemorySegment info = a.allocate(128, 8); // struct bpf_map_info, the first fields suffice
            MemorySegment attr = a.allocate(ATTR_SIZE, 8);
            attr.set(JAVA_INT, 0, fd);
            attr.set(JAVA_INT, 4, (int) info.byteSize());
            attr.set(JAVA_LONG, 8, info.address());
            if (Sys.bpf(cs, BPF_OBJ_GET_INFO_BY_FD, attr) < 0) {
                int e = LibC.errno(cs);
                LibC.close(cs, fd);
                throw new BpfException("BPF_OBJ_GET_INFO_BY_FD " + pinPath, e);
            }
            return new BpfMap(pinPath, fd, info.get(JAVA_INT, 0), info.get(JAVA_INT, 8), info.get(JAVA_INT, 12), info.get(JAVA_INT, 16));
        }
    }

    /** {@code BPF_OBJ_GET}: a new fd for a pinned map or program. */
    public static int objGet(String pinPath) throws BpfException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = LibC.newCallState(a);
            MemorySegment attr = a.allocate(ATTR_SIZE, 8);
            attr.set(JAVA_LONG, 0, a.allocateFrom(pinPath).address());
            long fd = Sys.bpf(cs, BPF_OBJ_GET, attr);
            if (fd < 0) throw new BpfException("BPF_OBJ_GET " + pinPath, LibC.errno(cs));
            return (int) fd;
        }
    }

    public int fd() { return fd; }

    public int type() { return type; }

    public int keySize() { return keySize; }

    public int valueSize() { return valueSize; }

    public int maxEntries() { return maxEntries; }

    public String path() { return path; }

    /** Creates or replaces an element (per {@code flags}). */
    public void update(byte[] key, byte[] value, long flags) throws BpfException {
        checkSizes(key, value);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = LibC.newCallState(a);
            MemorySegment attr = elemAttr(a, key);
            attr.set(JAVA_LONG, 16, a.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, value).address());
            attr.set(JAVA_LONG, 24, flags);
            if (Sys.bpf(cs, BPF_MAP_UPDATE_ELEM, attr) < 0) throw new BpfException("BPF_MAP_UPDATE_ELEM " + path, LibC.errno(cs));
        }
    }

    /** Deletes an element; false when it was not there. */
    public boolean delete(byte[] key) throws BpfException {
        checkSizes(key, null);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = LibC.newCallState(a);
            if (Sys.bpf(cs, BPF_MAP_DELETE_ELEM, elemAttr(a, key)) < 0) {
                int e = LibC.errno(cs);
                if (e == LibC.ENOENT) return false;
                throw new BpfException("BPF_MAP_DELETE_ELEM " + path, e);
            }
            return true;
        }
    }

    /** Copies an element's value into {@code value}; false when the key is absent. */
    public boolean lookup(byte[] key, byte[] value) throws BpfException {
        checkSizes(key, value);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = LibC.newCallState(a);
            MemorySegment out = a.allocate(valueSize, 8);
            MemorySegment attr = elemAttr(a, key);
            attr.set(JAVA_LONG, 16, out.address());
            if (Sys.bpf(cs, BPF_MAP_LOOKUP_ELEM, attr) < 0) {
                int e = LibC.errno(cs);
                if (e == LibC.ENOENT) return false;
                throw new BpfException("BPF_MAP_LOOKUP_ELEM " + path, e);
            }
            MemorySegment.copy(out, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, value, 0, valueSize);
            return true;
        }
    }

    /**
     * Copies up to {@code capacity} elements (keys and values, each packed) with
     * {@code BPF_MAP_LOOKUP_BATCH} (kernel 5.6+): one system call per pass over the map instead of
     * one per element. Returns how many were copied, or -1 when the map holds more than
     * {@code capacity} (call again with more room).
     */
    public int lookupAll(byte[] keys, byte[] values, int capacity) throws BpfException {
        if (keys.length < capacity * keySize || values.length < capacity * valueSize) throw new IllegalArgumentException("buffers below capacity");
        if (closed) throw new IllegalStateException("map " + path + " is closed");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = LibC.newCallState(a);
            MemorySegment k = a.allocate(Math.max(1, (long) capacity * keySize), 8);
            MemorySegment v = a.allocate(Math.max(1, (long) capacity * valueSize), 8);
            MemorySegment in = a.allocate(8, 8), out = a.allocate(8, 8);
            MemorySegment attr = a.allocate(ATTR_SIZE, 8);
            int total = 0;
            boolean first = true;
            for (;;) {
                attr.fill((byte) 0);
                attr.set(JAVA_LONG, 0, first ? 0 : in.address());            // in_batch
                attr.set(JAVA_LONG, 8, out.address());                        // out_batch
                attr.set(JAVA_LONG, 16, k.address() + (long) total * keySize); // keys
                attr.set(JAVA_LONG, 24, v.address() + (long) total * valueSize);
                attr.set(JAVA_INT, 32, capacity - total);                    // count, in and out
                attr.set(JAVA_INT, 36, fd);
                long r = Sys.bpf(cs, BPF_MAP_LOOKUP_BATCH, attr);
                int n = attr.get(JAVA_INT, 32);
                if (r < 0) {
                    int e = LibC.errno(cs);
                    if (e == LibC.ENOENT) { // the whole map was walked
                        total += n;
                        break;
                    }
                    if (e == LibC.ENOSPC) return -1; // a bucket did not fit in the room left
                    throw new BpfException("BPF_MAP_LOOKUP_BATCH " + path, e);
                }
                total += n;
                if (total >= capacity) return -1;
                MemorySegment.copy(out, 0, in, 0, 8);
                first = false;
            }
            MemorySegment.copy(k, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, keys, 0, total * keySize);
            MemorySegment.copy(v, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, values, 0, total * valueSize);
            return total;
        }
    }

    private MemorySegment elemAttr(Arena a, byte[] key) {
        if (closed) throw new IllegalStateException("map " + path + " is closed");
        MemorySegment attr = a.allocate(ATTR_SIZE, 8);
        attr.set(JAVA_INT, 0, fd);
        attr.set(JAVA_LONG, 8, a.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, key).address());
        return attr;
    }

    private void checkSizes(byte[] key, byte[] value) {
        if (key.length != keySize) throw new IllegalArgumentException("key of " + key.length + " bytes, map " + path + " has " + keySize);
        if (value != null && value.length != valueSize) {
            throw new IllegalArgumentException("value of " + value.length + " bytes, map " + path + " has " + valueSize);
        }
    }

    /** Closes a raw fd (a program fd from {@link #objGet}). */
    public static void closeFd(int fd) {
        try (Arena a = Arena.ofConfined()) {
            LibC.close(LibC.newCallState(a), fd);
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        closeFd(fd);
    }
}
