package org.flowgate.nft.eval;

import org.flowgate.api.packet.Packet;
import org.flowgate.nft.model.Field;

/** {@code f1 . f2 ...}: the fields packed into one long, then a binary search over the sorted elements. */
public final class ConcatLookup extends Lookup {
    private final Field[] fields;
    private final int[] bits;
    private final LongLookup keys;

    public ConcatLookup(Field[] fields, int[] bits, LongLookup keys) {
        this.fields = fields;
        this.bits = bits;
        this.keys = keys;
    }

    @Override
    public int find(Packet p) {
        long key = 0;
        for (int i = 0; i < fields.length; i++) {
            long v = Fields.load(fields[i], p);
            if (v < 0) return ABSENT;
            key = (key << bits[i]) | v;
        }
        return keys.findUnsigned(key);
    }

    @Override
    public int size() { return keys.size(); }
}
