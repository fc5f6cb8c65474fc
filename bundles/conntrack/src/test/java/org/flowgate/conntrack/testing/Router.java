package org.flowgate.conntrack.testing;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.NatRange;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.Packet;
import org.flowgate.conntrack.core.Conntrack;
import org.flowgate.conntrack.proto.Timeouts;

/**
 * Runs packets through the conntrack/NAT hooks in the order the packet path calls them for a
 * forwarded packet, with nft-like nat chains (a DNAT at prerouting, a SNAT at postrouting that
 * bind on a connection's first packet).
 */
public final class Router {
    public final ManualClock clock = new ManualClock();
    public final Conntrack ct;
    public NatRange dnat, snat;
    public NetDevice out;

    public Router() { this(1024, 65536, Timeouts.linuxDefaults()); }

    public Router(int buckets, int max, Timeouts t) {
        ct = new Conntrack(buckets, max, t, 1024, clock).start();
    }

    /** Prerouting + postrouting (forward path). False when a hook dropped the packet. */
    public boolean forward(Packet p) {
        if (!ct.track(p)) return false;
        ct.nat(p, false);
        if (dnat != null && isFirst(p) && !ct.bindNat(p, dnat)) return false;
        p.setOutDevice(out);
        if (snat != null && isFirst(p) && !ct.bindNat(p, snat)) return false;
        ct.nat(p, true);
        return ct.confirm(p);
    }

    /** Prerouting only (the packet is dropped later by a filter rule: nothing is confirmed). */
    public boolean preroutingOnly(Packet p) {
        if (!ct.track(p)) return false;
        ct.nat(p, false);
        return true;
    }

    static boolean isFirst(Packet p) { return p.conn() instanceof ConnEntry e && !e.isConfirmed(); }

    public ConnEntry conn(Packet p) { return (ConnEntry) p.conn(); }
}
