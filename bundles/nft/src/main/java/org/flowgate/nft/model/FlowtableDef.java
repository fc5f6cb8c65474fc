package org.flowgate.nft.model;

import java.util.ArrayList;
import java.util.List;

/** {@code flowtable ft { hook ingress priority 0; devices = { a, b }; flags offload; counter; }}. */
public final class FlowtableDef {
    public final String name;
    public final long handle;
    public int priority;
    public final List<String> devices = new ArrayList<>();
    public boolean offload;
    public boolean counter;

    public FlowtableDef(String name, long handle) {
        this.name = name;
        this.handle = handle;
    }

    public FlowtableDef copy() {
        FlowtableDef c = new FlowtableDef(name, handle);
        c.priority = priority;
        c.devices.addAll(devices);
        c.offload = offload;
        c.counter = counter;
        return c;
    }
}
