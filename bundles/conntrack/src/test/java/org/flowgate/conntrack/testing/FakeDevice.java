package org.flowgate.conntrack.testing;

import java.util.List;

import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.DeviceCounters;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.DropReason;
import org.flowgate.api.packet.Packet;

/** A device that only has a name and addresses (for masquerade). */
public record FakeDevice(String name, List<IpPrefix> addresses) implements NetDevice {
    @Override public int ifIndex() { return 7; }
    @Override public MacAddress mac() { return null; }
    @Override public long macBits() { return 0x020000000007L; }
    @Override public int mtu() { return 1500; }
    @Override public boolean isUp() { return true; }
    @Override public boolean transmit(Packet p) { return false; }
    @Override public void drop(DropReason reason) { }
    @Override public DeviceCounters counters() { return null; }
}
