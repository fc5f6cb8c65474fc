package org.flowgate.driver.ebpf.flows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.flowgate.api.tuple.FiveTuple;

/**
 * The byte layout of {@code struct fg_key} and {@code struct fg_val} in
 * {@code src/main/bpf/flowgate_offload.c}: change both together. Integers the program only compares
 * or uses as numbers are in host order; addresses and ports as on the wire (network order).
 */
public final class FlowMapLayout {
    public static final int KEY_SIZE = 44;
    public static final int VALUE_SIZE = 88;

    // struct fg_key
    static final int K_IFINDEX = 0, K_VLAN = 4, K_FAMILY = 6, K_PROTO = 7, K_SRC = 8, K_DST = 24, K_SPORT = 40, K_DPORT = 42;
    // struct fg_val
    static final int V_SRC = 0, V_DST = 16, V_SPORT = 32, V_DPORT = 34, V_DMAC = 36, V_SMAC = 42, V_OIF = 48, V_MTU = 52,
            V_FLAGS = 54, V_OUT_VLAN = 56, V_PACKETS = 64, V_BYTES = 72, V_LAST_USED = 80;

    public static final int F_DEC_TTL = 0x1, F_OUT_VLAN = 0x2;
    /** Key VLAN field: this bit set says "tagged", the low 12 bits carry the id. */
    static final int VLAN_PRESENT = 0x1000;

    private static final ByteOrder HOST = ByteOrder.nativeOrder();

    private FlowMapLayout() { }

    /** The key of packets arriving on {@code ifindex} (tagged {@code vlan}, -1 untagged) with tuple {@code t}. */
    public static byte[] key(int ifindex, int vlan, FiveTuple t) {
        byte[] k = new byte[KEY_SIZE];
        ByteBuffer b = ByteBuffer.wrap(k).order(HOST);
        b.putInt(K_IFINDEX, ifindex);
        b.putShort(K_VLAN, (short) (vlan < 0 ? 0 : VLAN_PRESENT | (vlan & 0xFFF)));
        b.put(K_FAMILY, (byte) t.family);
        b.put(K_PROTO, (byte) t.proto);
        putAddress(k, K_SRC, t.family, t.srcHi, t.srcLo);
        putAddress(k, K_DST, t.family, t.dstHi, t.dstLo);
        putPort(k, K_SPORT, t.srcPort);
        putPort(k, K_DPORT, t.dstPort);
        return k;
    }

    /** A value with zeroed counters. */
    public static byte[] value(FiveTuple rewrite, long dstMac, long srcMac, int outIfindex, int mtu, boolean decrementTtl, int outVlan) {
        byte[] v = new byte[VALUE_SIZE];
        ByteBuffer b = ByteBuffer.wrap(v).order(HOST);
        putAddress(v, V_SRC, rewrite.family, rewrite.srcHi, rewrite.srcLo);
        putAddress(v, V_DST, rewrite.family, rewrite.dstHi, rewrite.dstLo);
        putPort(v, V_SPORT, rewrite.srcPort);
        putPort(v, V_DPORT, rewrite.dstPort);
        putMac(v, V_DMAC, dstMac);
        putMac(v, V_SMAC, srcMac);
        b.putInt(V_OIF, outIfindex);
        b.putShort(V_MTU, (short) Math.min(mtu, 0xFFFF));
        b.putShort(V_FLAGS, (short) ((decrementTtl ? F_DEC_TTL : 0) | (outVlan >= 0 ? F_OUT_VLAN : 0)));
        b.putShort(V_OUT_VLAN, (short) (outVlan < 0 ? 0 : outVlan & 0xFFF));
        return v;
    }

    public static long packets(byte[] value) { return packets(value, 0); }

    public static long bytes(byte[] value) { return bytes(value, 0); }

    /** {@code bpf_ktime_get_ns()} of the last hit, 0 when none. */
    public static long lastUsedNanos(byte[] value) { return lastUsedNanos(value, 0); }

    /** The same, for the value at {@code off} in an array of packed values (a batch read). */
    public static long packets(byte[] values, int off) { return ByteBuffer.wrap(values).order(HOST).getLong(off + V_PACKETS); }

    public static long bytes(byte[] values, int off) { return ByteBuffer.wrap(values).order(HOST).getLong(off + V_BYTES); }

    public static long lastUsedNanos(byte[] values, int off) { return ByteBuffer.wrap(values).order(HOST).getLong(off + V_LAST_USED); }

    private static void putAddress(byte[] a, int off, int family, long hi, long lo) {
        if (family == 4) {
            for (int i = 0; i < 4; i++) a[off + i] = (byte) (lo >>> (24 - 8 * i));
        } else {
            for (int i = 0; i < 8; i++) {
                a[off + i] = (byte) (hi >>> (56 - 8 * i));
                a[off + 8 + i] = (byte) (lo >>> (56 - 8 * i));
            }
        }
    }

    private static void putPort(byte[] a, int off, int port) {
        a[off] = (byte) (port >>> 8);
        a[off + 1] = (byte) port;
    }

    private static void putMac(byte[] a, int off, long mac) {
        for (int i = 0; i < 6; i++) a[off + i] = (byte) (mac >>> (40 - 8 * i));
    }
}
