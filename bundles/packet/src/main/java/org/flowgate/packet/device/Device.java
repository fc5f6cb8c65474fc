package org.flowgate.packet.device;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.DeviceCounters;
import org.flowgate.api.netdev.FrameTap;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.netdev.Port;
import org.flowgate.api.netdev.PortReceiver;
import org.flowgate.api.packet.DropReason;
import org.flowgate.api.packet.Packet;

/** A {@link Port} attached to the router: its index, addresses, multicast filter and counters. */
public final class Device implements NetDevice {
    private final String name;
    private final int ifIndex;
    private final Port port;
    private final long mac;
    private final Counters counters = new Counters();
    private final AtomicBoolean flushPending = new AtomicBoolean();
    private volatile int mtu;
    private volatile boolean adminUp = true;
    private volatile AddressSet addresses = AddressSet.EMPTY;
    /** Multicast MACs we accept (all-nodes, all-routers, solicited-node groups, 224.0.0.1). */
    private volatile long[] multicastMacs = new long[0];
    /** Captures watching this device; empty (one volatile read per frame) when none runs. */
    private volatile FrameTap[] taps = FrameTaps.NONE;
    private final LongAdder tapErrors = new LongAdder();
    /** The packet path's entry for this device's frames; null until attached. */
    private volatile PortReceiver receiver;

    public Device(String name, int ifIndex, Port port) {
        if (ifIndex <= 0) throw new IllegalArgumentException("ifIndex must be positive");
        this.name = name;
        this.ifIndex = ifIndex;
        this.port = port;
        this.mac = port.mac().bits();
        this.mtu = port.mtu();
    }

    @Override public String name() { return name; }

    @Override public int ifIndex() { return ifIndex; }

    @Override public MacAddress mac() { return new MacAddress(mac); }

    @Override public long macBits() { return mac; }

    @Override public int mtu() { return mtu; }

    @Override public boolean isUp() { return adminUp && port.isLinkUp(); }

    public boolean isAdminUp() { return adminUp; }

    public Port port() { return port; }

    public Counters counterSet() { return counters; }

    @Override public List<IpPrefix> addresses() { return addresses.list(); }

    public AddressSet addressSet() { return addresses; }

    void setAddresses(AddressSet set) {
        addresses = set;
        long[] m = new long[3 + set.v6Count()];
        m[0] = 0x0100_5E00_0001L;             // 224.0.0.1 all hosts
        m[1] = 0x3333_0000_0001L;             // ff02::1 all nodes
        m[2] = 0x3333_0000_0002L;             // ff02::2 all routers
        for (int i = 0; i < set.v6Count(); i++) m[3 + i] = 0x3333_FF00_0000L | (set.v6Lo(i) & 0xFF_FFFFL);
        multicastMacs = m;
    }

    void setMtu(int mtu) { this.mtu = mtu; }

    void setAdminUp(boolean up) { this.adminUp = up; }

    /** Whether a multicast destination MAC is one this device listens to. */
    public boolean acceptsMulticast(long dstMac) {
        long[] m = multicastMacs;
        for (long x : m) if (x == dstMac) return true;
        return false;
    }

    @Override
    public boolean transmit(Packet p) {
        if (!isUp()) { counters.drop(DropReason.LINK_DOWN); return false; }
        int len = p.length();
        if (!port.send(p)) { counters.drop(DropReason.TX_FULL); return false; }
        counters.tx(len);
        FrameTap[] t = taps;
        if (t.length != 0) tap(t, true, p);
        if (!flushPending.get()) flushPending.set(true);
        return true;
    }

    /** Sets where {@link #receive} delivers (the packet path, when the port is attached). */
    public void setReceiver(PortReceiver r) { receiver = r; }

    @Override
    public boolean receive(Packet p) {
        PortReceiver r = receiver;
        if (r == null) return false;
        if (r instanceof RedirectReceiver rr) rr.receiveRedirected(p);
        else r.receive(p);
        return true;
    }

    /** Hands a frame received on this device to the taps, if any, before anything touches it. */
    public void tapReceived(Packet p) {
        FrameTap[] t = taps;
        if (t.length != 0) tap(t, false, p);
    }

    private void tap(FrameTap[] t, boolean transmit, Packet p) {
        for (int i = 0; i < t.length; i++) {
            try {
                t[i].frame(this, transmit, p);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable ignored) { // a capture must never disturb forwarding
                tapErrors.increment();
            }
        }
    }

    void setTaps(FrameTap[] t) { taps = t; }

    /** The taps currently watching this device (for tests and shells). */
    public FrameTap[] taps() { return taps.clone(); }

    /** How many times a tap threw (ignored). */
    public long tapErrors() { return tapErrors.sum(); }

    /** Pushes queued frames to the wire if something was sent since the last flush. */
    public void flushIfPending() {
        if (flushPending.get() && flushPending.compareAndSet(true, false)) port.flush();
    }

    @Override public void drop(DropReason reason) { counters.drop(reason); }

    @Override public DeviceCounters counters() { return counters.snapshot(); }

    @Override
    public String toString() { return name + "(" + ifIndex + ")"; }
}
