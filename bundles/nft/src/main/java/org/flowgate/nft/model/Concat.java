package org.flowgate.nft.model;

import java.util.List;

/** Packing of concatenated values into one long: the first part in the high bits, as nft orders them. */
public final class Concat {
    private Concat() {}

    /** Total width, or -1 when a part cannot be concatenated or the parts do not fit 64 bits. */
    public static int width(List<DataType> parts) {
        int w = 0;
        for (DataType t : parts) {
            if (t.concatBits() == 0) return -1;
            w += t.concatBits();
        }
        return w > 64 ? -1 : w;
    }

    public static long pack(List<DataType> parts, long[] values) {
        long v = 0;
        for (int i = 0; i < parts.size(); i++) v = (v << parts.get(i).concatBits()) | values[i];
        return v;
    }

    public static long part(List<DataType> parts, long packed, int index) {
        int shift = 0;
        for (int i = parts.size() - 1; i > index; i--) shift += parts.get(i).concatBits();
        int bits = parts.get(index).concatBits();
        return (packed >>> shift) & ((1L << bits) - 1);
    }

    public static String format(List<DataType> parts, Val v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) sb.append(" . ");
            sb.append(parts.get(i).format(Val.of(part(parts, v.lo(), i))));
        }
        return sb.toString();
    }

    public static String typeName(List<DataType> parts) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) sb.append(i > 0 ? " . " : "").append(parts.get(i).nftName());
        return sb.toString();
    }
}
