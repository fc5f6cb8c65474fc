package org.flowgate.packet.device;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.netdev.FrameTap;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.api.netdev.Port;

/**
 * The router's devices. Settings (addresses, MTU, admin state) are kept by device name, so they
 * may arrive before the port does and survive a port coming back. Addresses come from several
 * sources (the API, each ConfigAdmin configuration); a device has the union of them.
 * Reads on the packet path ({@link #byIndex}, {@link #all}) are lock-free over copy-on-write arrays.
 */
public final class DeviceTable implements NetDevices {
    /** The source key for addresses added through {@link NetDevices#addAddress}. */
    public static final String API_SOURCE = "api";

    private static final class Settings {
        final Map<Object, Set<IpPrefix>> addresses = new LinkedHashMap<>();
        Integer mtu;
        boolean up = true;
    }

    private final Map<String, Settings> settings = new HashMap<>();
    private final Map<String, Integer> indexByName = new HashMap<>();
    private final List<Consumer<Device>> removalListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
    private final FrameTaps taps = new FrameTaps();
    private int nextIndex = 1;
    private volatile Device[] byIndex = new Device[8];
    private volatile Device[] all = new Device[0];

    /** Runs after any change of devices or addresses (the FIB rebuilds from it). */
    public void onChange(Runnable r) { changeListeners.add(r); }

    /** Runs when a device goes away (the neighbour table forgets its entries). */
    public void onRemove(Consumer<Device> c) { removalListeners.add(c); }

    // ---- attach / detach ----

    /** Makes a port a device; a name seen before gets its old ifIndex back. */
    public Device attach(Port port) {
        Device d;
        synchronized (this) {
            String name = port.name();
            for (Device x : all) if (x.name().equals(name)) throw new IllegalStateException("device " + name + " already attached");
            int idx = indexByName.computeIfAbsent(name, n -> nextIndex++);
            d = new Device(name, idx, port);
            apply(d, settings.get(name));
            d.setTaps(taps.forDevice(name));
            Device[] bi = byIndex;
            if (idx >= bi.length) bi = Arrays.copyOf(bi, Math.max(idx + 1, bi.length * 2));
            else bi = bi.clone();
            bi[idx] = d;
            byIndex = bi;
            Device[] a = Arrays.copyOf(all, all.length + 1);
            a[a.length - 1] = d;
            all = a;
        }
        changed();
        return d;
    }

    /** Removes the device of a port; returns it, or null when the port was not attached. */
    public Device detach(Port port) {
        Device d = null;
        synchronized (this) {
            for (Device x : all) if (x.port() == port) d = x;
            if (d == null) return null;
            Device[] bi = byIndex.clone();
            bi[d.ifIndex()] = null;
            byIndex = bi;
            List<Device> l = new ArrayList<>(Arrays.asList(all));
            l.remove(d);
            all = l.toArray(new Device[0]);
        }
        for (Consumer<Device> c : removalListeners) c.accept(d);
        changed();
        return d;
    }

    // ---- frame taps ----

    /** Adds or updates a tap; {@code device} null or blank: every device. */
    public synchronized void addTap(FrameTap tap, String device) {
        taps.put(tap, device == null || device.isBlank() ? null : device.trim());
        retap();
    }

    public synchronized void removeTap(FrameTap tap) {
        if (taps.remove(tap)) retap();
    }

    private void retap() {
        for (Device d : all) d.setTaps(taps.forDevice(d.name()));
    }

    // ---- packet path reads ----

    @Override
    public NetDevice byIndex(int ifIndex) { return device(ifIndex); }

    /** As {@link #byIndex} with the implementation type. Allocation-free. */
    public Device device(int ifIndex) {
        Device[] bi = byIndex;
        return ifIndex > 0 && ifIndex < bi.length ? bi[ifIndex] : null;
    }

    /** All attached devices; the array must not be modified. */
    public Device[] all() { return all; }

    /** Whether an IPv4 address is one of ours, on any device. */
    public boolean isLocalV4(int addr) {
        for (Device d : all) if (d.addressSet().hasV4(addr)) return true;
        return false;
    }

    public boolean isLocalV6(long hi, long lo) {
        for (Device d : all) if (d.addressSet().hasV6(hi, lo)) return true;
        return false;
    }

    /** Flushes every device that queued frames since its last flush. */
    public void flushPending() {
        for (Device d : all) d.flushIfPending();
    }

    // ---- administration ----

    @Override
    public List<NetDevice> list() { return List.of(all); }

    @Override
    public Optional<NetDevice> byName(String name) {
        for (Device d : all) if (d.name().equals(name)) return Optional.of(d);
        return Optional.empty();
    }

    @Override
    public void addAddress(String device, IpPrefix address) {
        synchronized (this) {
            Settings s = settings.computeIfAbsent(device, n -> new Settings());
            s.addresses.computeIfAbsent(API_SOURCE, k -> new LinkedHashSet<>()).add(address);
            reapply(device);
        }
        changed();
    }

    /** Removes the address whatever source added it. */
    @Override
    public void removeAddress(String device, IpPrefix address) {
        synchronized (this) {
            Settings s = settings.get(device);
            if (s == null) return;
            for (Set<IpPrefix> set : s.addresses.values()) set.remove(address);
            reapply(device);
        }
        changed();
    }

    @Override
    public void setUp(String device, boolean up) {
        synchronized (this) {
            settings.computeIfAbsent(device, n -> new Settings()).up = up;
            reapply(device);
        }
        changed();
    }

    @Override
    public void setMtu(String device, int mtu) {
        if (mtu < 68 || mtu > 65535) throw new IllegalArgumentException("MTU " + mtu + " out of range 68..65535");
        synchronized (this) {
            settings.computeIfAbsent(device, n -> new Settings()).mtu = mtu;
            reapply(device);
        }
        changed();
    }

    /**
     * Replaces what one configuration source says about a device: its addresses, its MTU (null:
     * the port's) and admin state (null: unchanged). {@code addresses == null} withdraws the
     * source: its addresses go, MTU and admin state return to the defaults.
     */
    public void configure(String device, Object source, Collection<IpPrefix> addresses, Integer mtu, Boolean up) {
        if (mtu != null && (mtu < 68 || mtu > 65535)) throw new IllegalArgumentException("MTU " + mtu + " out of range 68..65535");
        synchronized (this) {
            Settings s = settings.computeIfAbsent(device, n -> new Settings());
            if (addresses == null) { // withdrawn: back to the port's defaults
                s.addresses.remove(source);
                s.mtu = null;
                s.up = true;
            } else {
                s.addresses.put(source, new LinkedHashSet<>(addresses));
                s.mtu = mtu;
                if (up != null) s.up = up;
            }
            reapply(device);
        }
        changed();
    }

    private void reapply(String name) {
        for (Device d : all) if (d.name().equals(name)) apply(d, settings.get(name));
    }

    private static void apply(Device d, Settings s) {
        Set<IpPrefix> addrs = new LinkedHashSet<>();
        if (s != null) for (Set<IpPrefix> set : s.addresses.values()) addrs.addAll(set);
        addrs.add(linkLocal(d.macBits()));
        d.setAddresses(new AddressSet(addrs));
        d.setMtu(s != null && s.mtu != null ? s.mtu : d.port().mtu());
        d.setAdminUp(s == null || s.up);
    }

    /** fe80::/64 with the modified EUI-64 interface identifier of the MAC (RFC 4291 appendix A). */
    public static IpPrefix linkLocal(long mac) {
        long oui = (mac >>> 24) & 0xFF_FFFFL, nic = mac & 0xFF_FFFFL;
        long iid = ((oui ^ 0x02_0000L) << 40) | (0xFFFEL << 24) | nic;
        return new IpPrefix(IpAddress.v6(0xFE80_0000_0000_0000L, iid), 64);
    }

    private void changed() {
        for (Runnable r : changeListeners) r.run();
    }
}
