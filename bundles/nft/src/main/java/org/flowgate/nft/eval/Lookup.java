package org.flowgate.nft.eval;

import org.flowgate.api.packet.Packet;

/** Finds the element of a set or map that a packet's key falls in. */
public abstract class Lookup {
    /** Element index, {@link #MISS} when none matches, {@link #ABSENT} when the packet lacks the key. */
    public abstract int find(Packet p);

    public static final int MISS = -1, ABSENT = -2;

    public abstract int size();
}
