package org.flowgate.flowtable.table;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The {@link Flow} objects of a table by a stable flow index (a slot moves when the table is
 * rebuilt, the index does not), in chunks that never move once allocated. A slot names its flow
 * by this index; the packet path needs the object only for a TCP FIN/RST teardown and for IPv6.
 *
 * <p>A released index keeps its flow and is reused only after two {@link #epoch()} calls (two
 * garbage-collector steps): a packet thread that found the flow just before it was removed, or a
 * rebuilt-away slot array being harvested ({@link FlowHashTable}), still reaches the right flow.
 * Allocation and release are serialized by the table's writer lock.
 */
final class FlowStore {
    static final int CHUNK_BITS = 14, CHUNK = 1 << CHUNK_BITS, CHUNK_MASK = CHUNK - 1;
    private static final VarHandle FLOWS = MethodHandles.arrayElementVarHandle(Flow[].class);

    private volatile Flow[][] flows = new Flow[0][];
    private int next;
    private int[] free = new int[64];
    private int freeCount;
    private int[] quarantine = new int[64], older = new int[64];
    private int quarantineCount, olderCount;

    Flow flow(int index) { return (Flow) FLOWS.getAcquire(flows[index >>> CHUNK_BITS], index & CHUNK_MASK); }

    /** A fresh index for {@code f}. */
    int allocate(Flow f) {
        int i;
        if (freeCount > 0) i = free[--freeCount];
        else {
            i = next++;
            if ((i >>> CHUNK_BITS) >= flows.length) {
                Flow[][] g = Arrays.copyOf(flows, flows.length + 1);
                g[g.length - 1] = new Flow[CHUNK];
                flows = g;
            }
        }
        FLOWS.setRelease(flows[i >>> CHUNK_BITS], i & CHUNK_MASK, f);
        return i;
    }

    /** Gives an index back; reusable after two epochs. */
    void release(int index) {
        if (quarantineCount == quarantine.length) quarantine = Arrays.copyOf(quarantine, quarantineCount * 2);
        quarantine[quarantineCount++] = index;
    }

    /** Frees the indices released two epochs ago (called once per garbage-collector step). */
    void epoch() {
        if (freeCount + olderCount > free.length) free = Arrays.copyOf(free, Math.max(free.length * 2, freeCount + olderCount));
        for (int k = 0; k < olderCount; k++) {
            int i = older[k];
            FLOWS.setRelease(flows[i >>> CHUNK_BITS], i & CHUNK_MASK, (Flow) null);
            free[freeCount++] = i;
        }
        int[] t = older;
        older = quarantine;
        olderCount = quarantineCount;
        quarantine = t;
        quarantineCount = 0;
    }
}
