package org.flowgate.flowtable.table;

import java.util.Set;

import org.flowgate.api.netdev.NetDevice;

/**
 * The devices a flow table serves, by name, answered per {@link NetDevice} without allocating: the
 * answer is cached by ifIndex together with the device object it was computed for, so a device that
 * goes away and another that reuses its index are told apart.
 */
final class DeviceSet {
    private static final int MAX_CACHED = 4096;

    private final Set<String> names;
    private volatile NetDevice[] in = new NetDevice[64], out = new NetDevice[64];

    DeviceSet(Set<String> names) { this.names = names; }

    Set<String> names() { return names; }

    boolean contains(NetDevice d) {
        if (d == null) return false;
        int i = d.ifIndex();
        NetDevice[] yes = in, no = out;
        if (i >= 0 && i < yes.length) {
            if (yes[i] == d) return true;
            if (no[i] == d) return false;
        }
        boolean member = names.contains(d.name());
        if (i >= 0 && i < MAX_CACHED) remember(i, d, member);
        return member;
    }

    private synchronized void remember(int i, NetDevice d, boolean member) {
        if (i >= in.length) {
            int n = Math.min(MAX_CACHED, Integer.highestOneBit(i) << 1);
            NetDevice[] yes = java.util.Arrays.copyOf(in, n), no = java.util.Arrays.copyOf(out, n);
            in = yes;
            out = no;
        }
        if (member) { out[i] = null; in[i] = d; } else { in[i] = null; out[i] = d; }
    }
}
