package org.flowgate.nft.model;

/**
 * A constant of some {@link DataType}: numbers and IPv4 addresses in {@code lo}, IPv6 addresses in
 * {@code hi}/{@code lo}, interface names in {@code str}.
 */
public record Val(long hi, long lo, String str) {
    public static Val of(long v) { return new Val(0, v, null); }

    public static Val of128(long hi, long lo) { return new Val(hi, lo, null); }

    public static Val name(String s) { return new Val(0, 0, s); }

    public int compareTo(Val o) {
        if (str != null) return str.compareTo(o.str);
        int c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }
}
