package org.flowgate.driver.emulated.eswitch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import org.flowgate.api.netdev.Port;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.offload.EvictionReason;
import org.flowgate.offload.FlowRule;
import org.flowgate.offload.FlowStats;
import org.flowgate.offload.OffloadException;
import org.flowgate.offload.OffloadException.Reason;

/**
 * An emulated NIC eswitch modelled on mlx5's connection tracking offload: every frame from a port
 * walks
 * <ol>
 * <li><b>pre_ct</b> (per ingress port): the rule installed for the port's flow table loads the zone
 * register and remembers the chain (flow table) the packet came from;</li>
 * <li><b>CT</b>: matches zone + ingress port + VLAN + 5-tuple; a hit loads the ct registers (mark,
 * labels, ct state established) and the fte_id register, and applies the NAT mangles;</li>
 * <li><b>post_ct</b>: the rule the fte_id selects rewrites MACs, VLAN and TTL and redirects the frame
 * out of the egress port, counted on the CT entry.</li>
 * </ol>
 * A miss anywhere sends the frame up to software unchanged, with the chain-miss mapping restored:
 * the zone the pre_ct rule set is written to the packet's ct zone, counted per mapping (the seed's
 * "HW misses continue in SW from the last chain"). Tables are finite: {@code capacity} CT entries
 * and as many fte_ids.
 * <p>
 * <b>tc ct zones</b>: a port may also carry a ct pre_ct rule ({@link #setCtPreCt}), standing for
 * an offloaded tc filter {@code ct zone Z pipe goto chain C} of chain 0 (the NIC emulates no flower
 * offload, so that rule is configured). Its frames are looked up in zone Z's ct-only entries (the
 * ct zone flow tables' {@link FlowRule#ctOnly()} rules, matched on any port); a hit applies the NAT
 * mangles and counts, then misses in post_ct (chain C's filters are not in the NIC) and goes to
 * software with {@code Packet.setMissChain(C)} and the zone, where tc resumes it at chain C with
 * its conntrack info restored. A CT miss, a TCP FIN/RST or anything unsupported goes up with no
 * chain: software runs chain 0 and the ct action itself.
 */
public final class Eswitch {
    /** Why a frame went to software. */
    public enum Miss {
        MALFORMED, NOT_IP, NO_PRE_CT, UNSUPPORTED, NOT_FOR_US, CT_MISS, TCP_FIN_RST, TTL, MTU, EGRESS_DOWN,
        /** A ct-only hit continued in software at the chain after the ct action (not a failure: the post_ct filters are software's). */
        POST_CT_CHAIN;

        public String label() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }
    }

    private static final int MAX_PORTS = 64, TCP_FIN = 0x01, TCP_RST = 0x04;
    /** The ingress port of ct-only entries: any port whose ct pre_ct sent the frame to the zone. */
    static final int ANY_PORT = MAX_PORTS;

    private final String name;
    private final CtTable ct;
    /** post_ct rules by fte_id; replaced by a larger array when the capacity grows. */
    private final AtomicReference<AtomicReferenceArray<PostCt>> postCt = new AtomicReference<>();
    private int[] freeFte;
    private int freeCount, maxFte;
    private final List<NicPort> ports = new CopyOnWriteArrayList<>();
    private final NicPort[] byIndex = new NicPort[MAX_PORTS];
    /** pre_ct rule per port: chain << 32 | zone, or -1 for none. */
    private final AtomicLongArray preCt = new AtomicLongArray(MAX_PORTS);
    private final int[] preCtRefs = new int[MAX_PORTS];
    private final LongAdder[] restoredMisses = new LongAdder[MAX_PORTS];
    /** ct pre_ct per port: zone &lt;&lt; 32 | chain after the ct action, or -1 for none; configured by port name. */
    private final AtomicLongArray ctPre = new AtomicLongArray(MAX_PORTS);
    private final Map<String, Long> ctPreByName = new ConcurrentHashMap<>();
    private final Map<Long, Installed> byCookie = new ConcurrentHashMap<>();
    private final Map<String, Integer> chains = new ConcurrentHashMap<>();
    private final LongAdder hitPackets = new LongAdder(), hitBytes = new LongAdder(), txErrors = new LongAdder();
    private final LongAdder ctHitPackets = new LongAdder(), evicted = new LongAdder();
    private final LongAdder[] misses = new LongAdder[Miss.values().length];
    private final LongAdder[] evictedBy = new LongAdder[EvictionReason.values().length];
    private volatile EvictionListener evictionListener;
    private final LongSupplier clockMillis;

    /** An installed flow direction; {@code action} null for a ct-only entry. */
    private record Installed(CtEntry entry, PostCt action, int inPort, int chain, long flowId) {}

    /** A flow (both its directions) of one flow table. */
    private record FlowKey(int chain, long flowId) {
        static FlowKey of(Installed i) { return new FlowKey(i.chain, i.flowId); }
    }

    public Eswitch(String name, int capacity) { this(name, capacity, System::currentTimeMillis); }

    public Eswitch(String name, int capacity, LongSupplier clockMillis) {
        if (capacity < 1) throw new IllegalArgumentException("capacity " + capacity);
        this.name = name;
        this.clockMillis = clockMillis;
        ct = new CtTable(capacity);
        postCt.set(new AtomicReferenceArray<>(capacity + 1));
        freeFte = new int[capacity];
        for (int i = 0; i < capacity; i++) freeFte[i] = capacity - i; // fte_id 0 means none
        freeCount = capacity;
        maxFte = capacity;
        for (int i = 0; i < MAX_PORTS; i++) {
            preCt.set(i, -1);
            ctPre.set(i, -1);
            restoredMisses[i] = new LongAdder();
        }
        for (int i = 0; i < misses.length; i++) misses[i] = new LongAdder();
        for (int i = 0; i < evictedBy.length; i++) evictedBy[i] = new LongAdder();
    }

    public String name() { return name; }

    public int capacity() { return ct.capacity(); }

    // ---- ports ----

    /** Puts a wire behind a new port of this NIC; the router attaches the returned port. */
    public synchronized NicPort addPort(Port wire) {
        if (port(wire.name()) != null) throw new IllegalArgumentException("port " + wire.name() + " exists");
        int i = 0;
        while (i < MAX_PORTS && byIndex[i] != null) i++;
        if (i == MAX_PORTS) throw new IllegalStateException("at most " + MAX_PORTS + " ports");
        NicPort p = new NicPort(this, wire, i);
        byIndex[i] = p;
        ports.add(p);
        Long pre = ctPreByName.get(p.name());
        ctPre.set(i, pre == null ? -1 : pre);
        return p;
    }

    /**
     * Takes a port out, with every rule that enters or leaves by it: evictions (reason
     * {@code DEVICE}) told to the {@link #setEvictionListener listener} once the port is gone.
     */
    public void removePort(String name) {
        List<Long> dropped = new ArrayList<>();
        synchronized (this) {
            NicPort p = port(name);
            if (p == null) return;
            for (var e : List.copyOf(byCookie.entrySet())) {
                Installed i = e.getValue();
                if ((i.inPort == p.index || (i.action != null && i.action.out() == p)) && remove(e.getKey())) dropped.add(e.getKey());
            }
            preCt.set(p.index, -1);
            ctPre.set(p.index, -1);
            preCtRefs[p.index] = 0;
            ports.remove(p);
            byIndex[p.index] = null;
        }
        evicted(dropped, EvictionReason.DEVICE);
    }

    /**
     * Who hears of the rules the eswitch drops by itself (capacity shrink, port removal): the
     * driver, which reports them to the offload manager. Called after the eswitch's lock is
     * released, on the thread that changed the eswitch; null for none.
     */
    public void setEvictionListener(EvictionListener l) { evictionListener = l; }

    /** Removes the listener if it is still {@code l}. */
    public synchronized void removeEvictionListener(EvictionListener l) {
        if (evictionListener == l) evictionListener = null;
    }

    /** Rules the eswitch dropped by itself, by cookie. */
    @FunctionalInterface
    public interface EvictionListener {
        void evicted(long cookie, EvictionReason reason);
    }

    private void evicted(List<Long> cookies, EvictionReason reason) {
        if (cookies.isEmpty()) return;
        evicted.add(cookies.size());
        evictedBy[reason.ordinal()].add(cookies.size());
        EvictionListener l = evictionListener;
        if (l == null) return;
        for (long c : cookies) l.evicted(c, reason);
    }

    public NicPort port(String name) {
        for (NicPort p : ports) if (p.name().equals(name)) return p;
        return null;
    }

    public List<NicPort> ports() { return List.copyOf(ports); }

    void flushPorts() {
        for (NicPort p : ports) {
            if (p.dirty) {
                p.dirty = false;
                p.flush();
            }
        }
    }

    // ---- the control plane (the driver's thread) ----

    /** The chain id of a flow table (its miss mapping), allocated on first use. */
    public int chain(String flowTable) {
        return chains.computeIfAbsent(flowTable, k -> chains.size() + 1);
    }

    /**
     * The ct pre_ct rule of a port (by name, kept while the port comes and goes): frames arriving
     * on it are looked up in {@code zone}'s ct-only entries and continue at tc chain
     * {@code chain} (the {@code goto chain} after the offloaded ct action). A negative zone removes it.
     */
    public synchronized void setCtPreCt(String port, int zone, int chain) {
        long v = zone < 0 ? -1 : ((long) (zone & 0xFFFF) << 32) | (chain & 0xFFFFFFFFL);
        if (v == -1) ctPreByName.remove(port);
        else ctPreByName.put(port, v);
        NicPort p = port(port);
        if (p != null) ctPre.set(p.index, v);
    }

    /** Replaces every ct pre_ct rule: {@code port -> {zone, chain}}. */
    public synchronized void setCtPreCts(Map<String, int[]> rules) {
        for (String port : List.copyOf(ctPreByName.keySet())) if (!rules.containsKey(port)) setCtPreCt(port, -1, 0);
        rules.forEach((port, zc) -> setCtPreCt(port, zc[0], zc[1]));
    }

    /**
     * Installs one ct-only flow direction (a tc ct zone table's flow, {@link FlowRule#ctOnly()}):
     * a CT entry of its zone matched on any port, with the ct registers and NAT mangles; its
     * post_ct is the chain after the ct action, in software.
     */
    public synchronized void installCt(FlowRule r, int chain) throws OffloadException {
        if (byCookie.containsKey(r.cookie())) throw new OffloadException(Reason.FAILED, "cookie " + r.cookie() + " installed");
        FiveTuple m = r.match(), w = r.rewrite();
        if (m.proto != Packet.PROTO_TCP && m.proto != Packet.PROTO_UDP) throw new OffloadException(Reason.UNSUPPORTED, "protocol " + m.proto);
        if (m.family != w.family || m.proto != w.proto) throw new OffloadException(Reason.UNSUPPORTED, "family or protocol change");
        CtEntry e = new CtEntry(r.zone(), ANY_PORT, -1, m.family, m.proto, m.srcHi, m.srcLo, m.dstHi, m.dstLo, m.srcPort, m.dstPort,
                r.mark(), r.labelsHi(), r.labelsLo(), 0, w.srcHi, w.srcLo, w.dstHi, w.dstLo, w.srcPort, w.dstPort, r.cookie());
        int res = ct.insert(e);
        if (res != 0) {
            throw insertRefused(res);
        }
        byCookie.put(r.cookie(), new Installed(e, null, ANY_PORT, chain, r.flowId()));
    }

    /** Installs one flow direction: pre_ct for its port, a post_ct rule, then the CT entry. */
    public synchronized void install(FlowRule r, int chain) throws OffloadException {
        if (byCookie.containsKey(r.cookie())) throw new OffloadException(Reason.FAILED, "cookie " + r.cookie() + " installed");
        NicPort in = port(r.inDevice()), out = port(r.outDevice());
        if (in == null || out == null) throw new OffloadException(Reason.DEVICE, "not a port of " + name + ": " + r);
        FiveTuple m = r.match(), w = r.rewrite();
        if (m.proto != Packet.PROTO_TCP && m.proto != Packet.PROTO_UDP) throw new OffloadException(Reason.UNSUPPORTED, "protocol " + m.proto);
        if (m.family != w.family || m.proto != w.proto) throw new OffloadException(Reason.UNSUPPORTED, "family or protocol change");
        long pre = preCt.get(in.index), want = ((long) chain << 32) | (r.zone() & 0xFFFFL);
        if (pre != -1 && pre != want) throw new OffloadException(Reason.UNSUPPORTED, "port " + in.name() + " pre_ct holds another chain/zone");
        if (freeCount == 0) throw new OffloadException(Reason.CAPACITY, "no fte_id left (" + capacity() + ")");
        int fte = freeFte[--freeCount];
        PostCt a = new PostCt(fte, out, r.srcMac(), r.dstMac(), r.outVlan(), r.decrementTtl(), r.mtu());
        postCt.get().set(fte, a);
        CtEntry e = new CtEntry(r.zone(), in.index, r.inVlan(), m.family, m.proto, m.srcHi, m.srcLo, m.dstHi, m.dstLo, m.srcPort, m.dstPort,
                r.mark(), r.labelsHi(), r.labelsLo(), fte, w.srcHi, w.srcLo, w.dstHi, w.dstLo, w.srcPort, w.dstPort, r.cookie());
        int res = ct.insert(e);
        if (res != 0) {
            postCt.get().set(fte, null);
            freeFte[freeCount++] = fte;
            throw insertRefused(res);
        }
        preCt.set(in.index, want);
        preCtRefs[in.index]++;
        byCookie.put(r.cookie(), new Installed(e, a, in.index, chain, r.flowId()));
    }

    /** Why {@link CtTable#insert} refused an entry: 1 the table is full, otherwise a clash. */
    private OffloadException insertRefused(int res) {
        return new OffloadException(res == 1 ? Reason.CAPACITY : Reason.FAILED,
                res == 1 ? "CT table full (" + capacity() + ")" : "another entry matches the same packets");
    }

    /** Removes one flow direction; false when the cookie is unknown. */
    public synchronized boolean remove(long cookie) {
        Installed i = byCookie.remove(cookie);
        if (i == null) return false;
        ct.remove(i.entry);
        if (i.action == null) return true; // ct-only: no post_ct rule, no pre_ct reference
        postCt.get().set(i.action.fteId(), null);
        freeFte[freeCount++] = i.action.fteId();
        if (--preCtRefs[i.inPort] == 0) preCt.set(i.inPort, -1);
        return true;
    }

    /**
     * A new CT table size at runtime. Growing keeps every entry (and its counters); shrinking
     * evicts the most recently installed flows (both directions of a flow together) until the rest
     * fits: their packets miss and software forwards them, as it never stopped holding them.
     * Returns how many entries were evicted (also counted in {@code hw:stats}); each is told to the
     * {@link #setEvictionListener listener} (reason {@code CAPACITY}) after the resize.
     */
    public int setCapacity(int capacity) {
        List<Long> dropped = new ArrayList<>();
        resize(capacity, dropped);
        evicted(dropped, EvictionReason.CAPACITY);
        return dropped.size();
    }

    private synchronized void resize(int capacity, List<Long> dropped) {
        if (capacity < 1) throw new IllegalArgumentException("capacity " + capacity);
        if (capacity < ct.size()) {
            // the directions of each flow, in the map's order (removals keep the order of the rest): one pass
            List<Map.Entry<Long, Installed>> newestFirst = new ArrayList<>(byCookie.entrySet());
            Map<FlowKey, List<Long>> directions = new HashMap<>();
            for (Map.Entry<Long, Installed> e : newestFirst) {
                directions.computeIfAbsent(FlowKey.of(e.getValue()), k -> new ArrayList<>(2)).add(e.getKey());
            }
            newestFirst.sort((a, b) -> Long.compare(b.getKey(), a.getKey()));
            for (Map.Entry<Long, Installed> e : newestFirst) {
                if (ct.size() <= capacity) break;
                List<Long> flow = directions.remove(FlowKey.of(e.getValue()));
                if (flow == null) continue; // left with a newer direction of the same flow
                for (long cookie : flow) if (remove(cookie)) dropped.add(cookie);
            }
        }
        ct.setCapacity(capacity);
        if (capacity > maxFte) { // more fte_ids: the new ones join the free list
            AtomicReferenceArray<PostCt> old = postCt.get(), grown = new AtomicReferenceArray<>(capacity + 1);
            for (int i = 0; i < old.length(); i++) grown.set(i, old.get(i));
            int[] free = new int[capacity];
            System.arraycopy(freeFte, 0, free, 0, freeCount);
            for (int id = capacity; id > maxFte; id--) free[freeCount++] = id;
            freeFte = free;
            maxFte = capacity;
            postCt.set(grown);
        }
    }

    /** Entries dropped by the eswitch itself (capacity shrink, port removal). */
    public long evicted() { return evicted.sum(); }

    public long evicted(EvictionReason reason) { return evictedBy[reason.ordinal()].sum(); }

    public FlowStats stats(long cookie) {
        Installed i = byCookie.get(cookie);
        return i == null ? null : new FlowStats(i.entry.packets(), i.entry.bytes(), i.entry.lastUsedMillis());
    }

    public boolean installed(long cookie) { return byCookie.containsKey(cookie); }

    public int entries() { return ct.size(); }

    // ---- the data plane (port threads): allocation-free ----

    /** True when the eswitch forwarded the frame; false when it goes up to software. */
    boolean process(NicPort in, Packet p) {
        if (p.parse() != null) return miss(Miss.MALFORMED);
        int family = p.ipVersion();
        if (family == 0) return miss(Miss.NOT_IP);
        long pre = preCt.get(in.index);
        if (pre == -1) {
            long ctp = ctPre.get(in.index);
            return ctp == -1 ? miss(Miss.NO_PRE_CT) : ctZone(in, p, (int) (ctp >>> 32), (int) ctp);
        }
        int zone = (int) (pre & 0xFFFF);
        if (p.hasFlag(Packet.F_QINQ | Packet.F_FRAGMENT | Packet.F_IPV4_OPTIONS | Packet.F_IPV6_EXT)) return restore(in, p, zone, Miss.UNSUPPORTED);
        int proto = p.l4Proto();
        if ((proto != Packet.PROTO_TCP && proto != Packet.PROTO_UDP) || p.l4() < 0) return restore(in, p, zone, Miss.UNSUPPORTED);
        if (p.ethDst() != in.macBits) return restore(in, p, zone, Miss.NOT_FOR_US);
        int vlan = p.vlanId();
        if (vlan == 0) vlan = -1;
        CtEntry e = ct.lookup(zone, in.index, vlan, family, proto, p.srcHi(), p.srcLo(), p.dstHi(), p.dstLo(), p.srcPort(), p.dstPort());
        if (e == null) return restore(in, p, zone, Miss.CT_MISS);
        if (proto == Packet.PROTO_TCP && (p.tcpFlags() & (TCP_FIN | TCP_RST)) != 0) return restore(in, p, zone, Miss.TCP_FIN_RST);
        PostCt a = postCt.get().get(e.fteId);
        if (a == null) return restore(in, p, zone, Miss.CT_MISS);
        if (a.decrementTtl() && p.ttl() <= 1) return restore(in, p, zone, Miss.TTL);
        if (p.ipLength() > a.mtu()) return restore(in, p, zone, Miss.MTU);
        if (!a.out().isLinkUp()) return restore(in, p, zone, Miss.EGRESS_DOWN);
        int frameBytes = p.length();
        HwRewrite.apply(p, e, a);
        e.count(frameBytes, clockMillis.getAsLong());
        hitPackets.increment();
        hitBytes.add(frameBytes);
        if (!a.out().transmit(p)) txErrors.increment();
        return true;
    }

    /**
     * A frame of a port with a ct pre_ct rule: zone {@code zone}'s ct-only entries, NAT on a hit,
     * then software continues at {@code chain} with the ct zone restored (the post_ct filters are
     * not in the NIC). Returns false always: the frame goes up either way.
     */
    private boolean ctZone(NicPort in, Packet p, int zone, int chain) {
        if (p.hasFlag(Packet.F_QINQ | Packet.F_FRAGMENT | Packet.F_IPV4_OPTIONS | Packet.F_IPV6_EXT)) return miss(Miss.UNSUPPORTED);
        int proto = p.l4Proto();
        if ((proto != Packet.PROTO_TCP && proto != Packet.PROTO_UDP) || p.l4() < 0) return miss(Miss.UNSUPPORTED);
        CtEntry e = ct.lookup(zone, ANY_PORT, -1, p.ipVersion(), proto, p.srcHi(), p.srcLo(), p.dstHi(), p.dstLo(), p.srcPort(), p.dstPort());
        if (e == null) return miss(Miss.CT_MISS); // software runs chain 0 and the ct action
        if (proto == Packet.PROTO_TCP && (p.tcpFlags() & (TCP_FIN | TCP_RST)) != 0) return miss(Miss.TCP_FIN_RST); // conntrack must see it
        int frameBytes = p.length();
        HwRewrite.nat(p, e);
        e.count(frameBytes, clockMillis.getAsLong());
        ctHitPackets.increment();
        p.setCtZone(zone);
        p.setMissChain(chain);
        restoredMisses[in.index].increment();
        return miss(Miss.POST_CT_CHAIN);
    }

    private boolean miss(Miss why) {
        misses[why.ordinal()].increment();
        return false;
    }

    /** The chain-miss mapping: software resumes with the zone pre_ct set. */
    private boolean restore(NicPort in, Packet p, int zone, Miss why) {
        p.setCtZone(zone);
        restoredMisses[in.index].increment();
        return miss(why);
    }

    // ---- what the hw commands show ----

    public long hitPackets() { return hitPackets.sum(); }

    public long hitBytes() { return hitBytes.sum(); }

    public long misses(Miss m) { return misses[m.ordinal()].sum(); }

    /** Frames whose CT stage hit a ct-only entry (then continued in software at their chain). */
    public long ctHitPackets() { return ctHitPackets.sum(); }

    public String dumpStats() {
        StringBuilder sb = new StringBuilder();
        sb.append(name).append(": ct entries ").append(ct.size()).append('/').append(capacity()).append(" hits packets=").append(hitPackets.sum())
                .append(" bytes=").append(hitBytes.sum()).append(" ct-only-hits=").append(ctHitPackets.sum()).append(" tx-errors=").append(txErrors.sum())
                .append(" evicted=").append(evicted.sum());
        for (EvictionReason r : EvictionReason.values()) if (evictedBy[r.ordinal()].sum() != 0) sb.append(" evicted-").append(r.label()).append('=').append(evictedBy[r.ordinal()].sum());
        sb.append('\n').append("  misses:");
        for (Miss m : Miss.values()) sb.append(' ').append(m.label()).append('=').append(misses[m.ordinal()].sum());
        return sb.append('\n').toString();
    }

    public String dumpTables() {
        StringBuilder sb = new StringBuilder();
        sb.append("pre_ct:\n");
        for (NicPort p : ports) {
            long pre = preCt.get(p.index);
            sb.append("  port ").append(p.name()).append(pre == -1 ? " (none: all to software)"
                    : " set zone=" + (pre & 0xFFFF) + " chain=" + (pre >>> 32) + " goto ct; miss -> mapping chain=" + (pre >>> 32) + " zone="
                            + (pre & 0xFFFF) + " restored=" + restoredMisses[p.index].sum()).append('\n');
            long ctp = ctPre.get(p.index);
            if (ctp != -1) sb.append("  port ").append(p.name()).append(" ct zone ").append(ctp >>> 32).append(" goto ct; hit -> nat, miss to software chain=")
                    .append((int) ctp).append(" zone=").append(ctp >>> 32).append(" restored=").append(restoredMisses[p.index].sum()).append('\n');
        }
        sb.append("ct:\n");
        List<CtEntry> entries = new ArrayList<>(ct.entries());
        entries.sort((a, b) -> Long.compare(a.cookie, b.cookie));
        for (CtEntry e : entries) {
            String port = e.inPort == ANY_PORT ? "*" : byIndex[e.inPort] == null ? "?" : byIndex[e.inPort].name();
            sb.append("  cookie=").append(e.cookie).append(" zone=").append(e.zone).append(" port=").append(port)
                    .append(e.inVlan >= 0 ? " vlan=" + e.inVlan : "").append(' ').append(tuple(e.family, e.proto, e.srcHi, e.srcLo, e.srcPort, e.dstHi, e.dstLo, e.dstPort));
            if (e.snat || e.dnat) sb.append(" nat ").append(tuple(e.family, e.proto, e.newSrcHi, e.newSrcLo, e.newSrcPort, e.newDstHi, e.newDstLo, e.newDstPort));
            sb.append(" set mark=").append(e.mark).append(" labels=").append(Long.toHexString(e.labelsHi)).append(':').append(Long.toHexString(e.labelsLo))
                    .append(e.fteId == 0 ? " post_ct=software-chain" : " fte_id=" + e.fteId).append(" packets=").append(e.packets()).append(" bytes=").append(e.bytes()).append('\n');
        }
        sb.append("post_ct:\n");
        AtomicReferenceArray<PostCt> post = postCt.get();
        for (int i = 1; i < post.length(); i++) {
            PostCt a = post.get(i);
            if (a == null) continue;
            sb.append("  fte_id=").append(i).append(" -> ").append(a.out().name()).append(a.outVlan() >= 0 ? "." + a.outVlan() : "")
                    .append(" src ").append(new org.flowgate.api.net.MacAddress(a.srcMac())).append(" dst ").append(new org.flowgate.api.net.MacAddress(a.dstMac()))
                    .append(a.decrementTtl() ? " dec_ttl" : "").append(" mtu ").append(a.mtu()).append('\n');
        }
        return sb.toString();
    }

    private static String tuple(int family, int proto, long sHi, long sLo, int sp, long dHi, long dLo, int dp) {
        FiveTuple t = new FiveTuple();
        t.family = family; t.proto = proto; t.srcHi = sHi; t.srcLo = sLo; t.srcPort = sp; t.dstHi = dHi; t.dstLo = dLo; t.dstPort = dp;
        return (proto == Packet.PROTO_TCP ? "tcp " : "udp ") + t.src() + ":" + sp + " > " + t.dst() + ":" + dp;
    }
}
