package org.flowgate.nft.eval;

import java.util.concurrent.atomic.AtomicReferenceArray;

import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.Packet;
import org.flowgate.nft.model.Field;

/**
 * Interface names ({@code iifname "eth0"}, {@code oifname { "lan*", "wg0" }}). Names are compared
 * once per device: the answer is cached by interface index together with the device it was
 * computed for, so the packet path compares references, not strings. Devices without a name (no device
 * yet) read as the empty name, as in nft.
 */
public final class NameLookup extends Lookup {
    private static final int CACHE = 1024;

    /** The answer for one device; replaced (once per device) when another device takes the index. */
    private record Cached(NetDevice device, int result) {}

    private final Field field;
    private final String[] names;   // exact names or prefixes of wildcards
    private final boolean[] wildcard;
    private final AtomicReferenceArray<Cached> cache = new AtomicReferenceArray<>(CACHE);

    public NameLookup(Field field, String[] patterns) {
        this.field = field;
        this.names = new String[patterns.length];
        this.wildcard = new boolean[patterns.length];
        for (int i = 0; i < patterns.length; i++) {
            boolean w = patterns[i].endsWith("*") && !patterns[i].endsWith("\\*");
            wildcard[i] = w;
            names[i] = w ? patterns[i].substring(0, patterns[i].length() - 1) : patterns[i];
        }
    }

    @Override
    public int find(Packet p) {
        NetDevice d = Fields.device(field, p);
        if (d == null) return match("");
        int i = d.ifIndex();
        if (i <= 0 || i >= CACHE) return match(d.name());
        Cached c = cache.getAcquire(i);
        if (c != null && c.device == d) return c.result;
        int r = match(d.name());
        cache.setRelease(i, new Cached(d, r));
        return r;
    }

    public int match(String name) {
        for (int k = 0; k < names.length; k++) {
            if (wildcard[k] ? name.startsWith(names[k]) : name.equals(names[k])) return k;
        }
        return MISS;
    }

    @Override
    public int size() { return names.length; }
}
