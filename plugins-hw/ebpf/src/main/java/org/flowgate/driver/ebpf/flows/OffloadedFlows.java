package org.flowgate.driver.ebpf.flows;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import org.flowgate.driver.ebpf.bpf.BpfException;
import org.flowgate.driver.ebpf.bpf.BpfMap;
import org.flowgate.driver.ebpf.bpf.Sys;
import org.flowgate.offload.FlowRule;
import org.flowgate.offload.FlowStats;
import org.flowgate.offload.OffloadException;
import org.flowgate.offload.OffloadException.Reason;

/**
 * The flow directions installed in the kernel's flow map, by cookie. Enforces the capacity (the
 * configured limit, never more than the map holds) and refuses a second rule for a key another
 * cookie holds (the map has one entry per ingress device and tuple). Thread-safe: the manager
 * calls for different cookies from several threads.
 */
public final class OffloadedFlows {
    /** The device name to ifindex mapping of the served ports. */
    public interface Devices {
        /** The ifindex of a served device, 0 when not served. */
        int ifindex(String device);
    }

    private record Entry(long cookie, ByteBuffer key) { }

    private final BpfMap map;
    private final Devices devices;
    private final int capacity;
    private final LongSupplier monotonicNanos;
    private final Map<Long, Entry> byCookie = new ConcurrentHashMap<>();
    private final Map<ByteBuffer, Long> byKey = new ConcurrentHashMap<>();
    private final AtomicInteger used = new AtomicInteger();

    public OffloadedFlows(BpfMap map, Devices devices, int maxFlows) {
        this(map, devices, maxFlows, Sys::monotonicNanos);
    }

    OffloadedFlows(BpfMap map, Devices devices, int maxFlows, LongSupplier monotonicNanos) {
        this.map = map;
        this.devices = devices;
        this.capacity = Math.min(maxFlows, map.maxEntries());
        this.monotonicNanos = monotonicNanos;
    }

    public int capacity() { return capacity; }

    public int size() { return used.get(); }

    /** Installs (or replaces, for a cookie already installed) one flow direction. */
    public void add(FlowRule rule) throws OffloadException {
        check(rule);
        int in = devices.ifindex(rule.inDevice()), out = devices.ifindex(rule.outDevice());
        if (in == 0 || out == 0) {
            throw new OffloadException(Reason.DEVICE, "not offloading " + (in == 0 ? rule.inDevice() : rule.outDevice()));
        }
        del(rule); // a retried add replaces
        ByteBuffer key = ByteBuffer.wrap(FlowMapLayout.key(in, rule.inVlan(), rule.match()));
        byte[] value = FlowMapLayout.value(rule.rewrite(), rule.dstMac(), rule.srcMac(), out, rule.mtu(), rule.decrementTtl(), rule.outVlan());
        if (used.incrementAndGet() > capacity) {
            used.decrementAndGet();
            throw new OffloadException(Reason.CAPACITY, "kernel flow map full (" + capacity + " entries)");
        }
        Long holder = byKey.putIfAbsent(key, rule.cookie());
        if (holder != null) {
            used.decrementAndGet();
            throw new OffloadException(Reason.FAILED, "rule#" + holder + " already offloads " + rule.inDevice() + " " + rule.match());
        }
        try {
            map.update(key.array(), value, BpfMap.BPF_ANY);
        } catch (BpfException e) {
            byKey.remove(key, rule.cookie());
            used.decrementAndGet();
            boolean full = e.errno() == Sys.E2BIG || e.errno() == Sys.ENOMEM || e.errno() == Sys.ENOSPC;
            throw new OffloadException(full ? Reason.CAPACITY : Reason.FAILED, e.getMessage());
        }
        byCookie.put(rule.cookie(), new Entry(rule.cookie(), key));
    }

    /** Removes a flow direction; unknown cookies are ignored. */
    public void del(FlowRule rule) {
        del(rule.cookie());
    }

    public void del(long cookie) {
        Entry e = byCookie.remove(cookie);
        if (e == null) return;
        try {
            map.delete(e.key().array());
        } catch (BpfException ex) {
            // the map is going away with the driver: nothing left to forward
        } finally {
            byKey.remove(e.key(), cookie);
            used.decrementAndGet();
        }
    }

    /** Cumulative counters since add; null for an unknown cookie. */
    public FlowStats stats(FlowRule rule) {
        Entry e = byCookie.get(rule.cookie());
        if (e == null) return null;
        byte[] value = new byte[FlowMapLayout.VALUE_SIZE];
        try {
            if (!map.lookup(e.key().array(), value)) return null;
        } catch (BpfException ex) {
            return null;
        }
        long last = FlowMapLayout.lastUsedNanos(value);
        long lastMillis = last == 0 ? 0 : System.currentTimeMillis() - Math.max(0, monotonicNanos.getAsLong() - last) / 1_000_000L;
        return new FlowStats(FlowMapLayout.packets(value), FlowMapLayout.bytes(value), lastMillis);
    }

    /** Removes every installed flow. */
    public void clear() {
        for (Long cookie : byCookie.keySet()) del(cookie);
    }

    private static void check(FlowRule rule) throws OffloadException {
        int family = rule.match().family, proto = rule.match().proto;
        if ((family != 4 && family != 6) || rule.rewrite().family != family) {
            throw new OffloadException(Reason.UNSUPPORTED, "family " + family + " -> " + rule.rewrite().family);
        }
        if (proto != 6 && proto != 17) throw new OffloadException(Reason.UNSUPPORTED, "protocol " + proto + " (TCP and UDP only)");
        if (rule.rewrite().proto != proto) throw new OffloadException(Reason.UNSUPPORTED, "protocol rewrite");
        if (rule.mtu() < 68) throw new OffloadException(Reason.UNSUPPORTED, "mtu " + rule.mtu());
    }
}
