package org.flowgate.tc.action;

import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.netdev.NetDevices;

/** The router's devices as the actions see them; the component sets the service. */
public final class Devices {
    private volatile NetDevices devices;

    public void set(NetDevices d) { devices = d; }

    public void unset(NetDevices d) { if (devices == d) devices = null; }

    public NetDevices get() { return devices; }

    /** Lookup by name for configuration time (allocates). */
    public NetDevice byName(String name) {
        NetDevices d = devices;
        return d == null ? null : d.byName(name).orElse(null);
    }

    /** Allocation-free lookup by index. */
    public NetDevice byIndex(int ifIndex) {
        NetDevices d = devices;
        return d == null || ifIndex <= 0 ? null : d.byIndex(ifIndex);
    }
}
