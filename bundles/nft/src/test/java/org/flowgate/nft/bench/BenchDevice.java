package org.flowgate.nft.bench;

import java.util.List;

import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.DeviceCounters;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.DropReason;
import org.flowgate.api.packet.Packet;

/** A plain device (the test fakes are proxies, which box on every call and would pollute -prof gc). */
final class BenchDevice implements NetDevice {
    private final String name;
    private final int index;

    BenchDevice(String name, int index) {
        this.name = name;
        this.index = index;
    }

    @Override public String name() { return name; }
    @Override public int ifIndex() { return index; }
    @Override public MacAddress mac() { return null; }
    @Override public long macBits() { return 0x02_00_00_00_00_02L; }
    @Override public int mtu() { return 1500; }
    @Override public boolean isUp() { return true; }
    @Override public List<IpPrefix> addresses() { return List.of(); }
    @Override public boolean transmit(Packet p) { return false; }
    @Override public void drop(DropReason reason) { }
    @Override public DeviceCounters counters() { return null; }
}
