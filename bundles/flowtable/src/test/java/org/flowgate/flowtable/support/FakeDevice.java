package org.flowgate.flowtable.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.DeviceCounters;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.DropReason;
import org.flowgate.api.packet.Packet;

/** A device that keeps copies of the frames sent on it (or only counts them, for benchmarks). */
public final class FakeDevice implements NetDevice {
    private final String name;
    private final int ifIndex;
    private final long mac;
    public volatile int mtu = 1500;
    public volatile boolean up = true;
    public boolean keepFrames = true;
    public final List<byte[]> sent = new ArrayList<>();
    public long transmitted;

    public FakeDevice(String name, int ifIndex, long mac) {
        this.name = name;
        this.ifIndex = ifIndex;
        this.mac = mac;
    }

    @Override public String name() { return name; }
    @Override public int ifIndex() { return ifIndex; }
    @Override public MacAddress mac() { return new MacAddress(mac); }
    @Override public long macBits() { return mac; }
    @Override public int mtu() { return mtu; }
    @Override public boolean isUp() { return up; }
    @Override public List<IpPrefix> addresses() { return List.of(); }

    @Override
    public boolean transmit(Packet p) {
        transmitted++;
        if (keepFrames) sent.add(p.toByteArray());
        return true;
    }

    @Override public void drop(DropReason reason) {}
    @Override public DeviceCounters counters() { return new DeviceCounters(0, 0, transmitted, 0, Map.of()); }

    @Override public String toString() { return name; }
}
