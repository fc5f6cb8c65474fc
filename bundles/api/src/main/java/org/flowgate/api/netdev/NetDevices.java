package org.flowgate.api.netdev;

import java.util.List;
import java.util.Optional;

import org.flowgate.api.net.IpPrefix;
import org.osgi.annotation.versioning.ProviderType;

/** The router's devices: lookup and administration. */
@ProviderType
public interface NetDevices {
    List<NetDevice> list();

    Optional<NetDevice> byName(String name);

    /** Lookup by {@link NetDevice#ifIndex()}; null when absent. Allocation-free. */
    NetDevice byIndex(int ifIndex);

    /** Adds an address (and its connected route); the device need not exist yet. */
    void addAddress(String device, IpPrefix address);

    void removeAddress(String device, IpPrefix address);

    void setUp(String device, boolean up);

    void setMtu(String device, int mtu);
}
