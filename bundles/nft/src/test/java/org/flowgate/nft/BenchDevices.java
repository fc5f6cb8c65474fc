package org.flowgate.nft;

import java.util.List;

import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.DeviceCounters;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.DropReason;
import org.flowgate.api.packet.Packet;

/** A plain NetDevice: the proxies of {@link Frames} box on every call, which allocation measurements must not see. */
public final class BenchDevices {
    private BenchDevices() {}

    public static NetDevice device(String name, int index) {
        return new NetDevice() {
            @Override public String name() { return name; }
            @Override public int ifIndex() { return index; }
            @Override public MacAddress mac() { return null; }
            @Override public long macBits() { return Frames.MAC_B; }
            @Override public int mtu() { return 1500; }
            @Override public boolean isUp() { return true; }
            @Override public List<IpPrefix> addresses() { return List.of(); }
            @Override public boolean transmit(Packet p) { return false; }
            @Override public void drop(DropReason reason) { }
            @Override public DeviceCounters counters() { return null; }
        };
    }
}
