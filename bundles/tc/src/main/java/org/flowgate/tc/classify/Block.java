package org.flowgate.tc.classify;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The ingress block of one device: chains of filters ordered by priority, then by handle.
 * Immutable: a change makes a new block, so packet threads read one consistent snapshot without
 * locks. Chains that exist only as a {@code goto} target hold no filters.
 */
public final class Block {
    public static final Block EMPTY = new Block(new int[0], new Filter[0][]);

    private final int[] chainIds;
    private final Filter[][] chains;

    private Block(int[] chainIds, Filter[][] chains) {
        this.chainIds = chainIds;
        this.chains = chains;
    }

    /** The software filters of a chain, or null when the chain has none. Allocation-free. */
    public Filter[] chain(int id) {
        int[] ids = chainIds;
        for (int i = 0; i < ids.length; i++) if (ids[i] == id) return chains[i];
        return null;
    }

    public List<Filter> all() {
        List<Filter> l = new ArrayList<>();
        for (Filter[] c : chains) l.addAll(Arrays.asList(c));
        return l;
    }

    public boolean isEmpty() { return chainIds.length == 0; }

    public int[] chainIds() { return chainIds.clone(); }

    /** A block holding exactly these filters. */
    public static Block of(List<Filter> filters) {
        List<Filter> sorted = new ArrayList<>(filters);
        sorted.sort(Comparator.comparingInt(Filter::chain).thenComparingInt(Filter::prio).thenComparingInt(Filter::handle));
        List<Integer> ids = new ArrayList<>();
        List<Filter[]> chains = new ArrayList<>();
        int i = 0;
        while (i < sorted.size()) {
            int id = sorted.get(i).chain();
            List<Filter> c = new ArrayList<>();
            while (i < sorted.size() && sorted.get(i).chain() == id) {
                if (sorted.get(i).inSoftware()) c.add(sorted.get(i));
                i++;
            }
            ids.add(id);
            chains.add(c.toArray(new Filter[0]));
        }
        int[] idArr = new int[ids.size()];
        for (int k = 0; k < idArr.length; k++) idArr[k] = ids.get(k);
        return new Block(idArr, chains.toArray(new Filter[0][]));
    }
}
