package org.flowgate.conntrack.table;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import java.util.List;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.CtStatus;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;

/**
 * One tracked connection: the tuple of each direction, status bits, deadline and protocol state.
 *
 * <p>The original tuple never changes; the reply tuple changes only while the entry is unconfirmed
 * (NAT binding on the first packet, which one thread owns). After confirmation the tuples are
 * frozen and the entry is shared: status bits change by CAS, the deadline by volatile writes, and
 * protocol state under the entry's own lock (held by the tracker).
 */
public final class Conn implements ConnEntry {
    public static final int ORIGINAL = 0, REPLY = 1;

    private static final VarHandle STATUS;
    static {
        try {
            STATUS = MethodHandles.lookup().findVarHandle(Conn.class, "status", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    public final FiveTuple orig = new FiveTuple();
    public final FiveTuple reply = new FiveTuple();
    public final int zone;
    private final CtClock clock;

    private volatile int status;
    private volatile long deadline;
    private volatile int mark;
    private volatile long labelsHi, labelsLo;

    /** Protocol state (TCP windows), null for stateless protocols. */
    public ProtoInfo proto;
    /** ICMP type/code of the first packet (echo request), for display. */
    public int icmpType, icmpCode;
    /** Clock time of the first packet. */
    public final long created;
    /** For masquerade: the egress device and the address used, so the entry goes when the address does. */
    public volatile NetDevice masqDevice;
    public long masqHi, masqLo;

    // links into the table, set on insert
    TupleNode origNode, replyNode;

    public Conn(int zone, FiveTuple original, CtClock clock) {
        this.zone = zone;
        this.clock = clock;
        this.orig.set(original);
        Tuples.invert(reply, original);
        this.created = clock.nanos();
    }

    /** The tuple of a direction. */
    public FiveTuple tuple(int dir) { return dir == ORIGINAL ? orig : reply; }

    // ---- status ----

    public int statusBits() { return status; }

    public boolean hasStatus(int bits) { return (status & bits) != 0; }

    /** Sets bits; returns true when at least one was not set before. */
    public boolean setStatus(int bits) {
        for (;;) {
            int s = status;
            if ((s & bits) == bits) return false;
            if (STATUS.compareAndSet(this, s, s | bits)) return true;
        }
    }

    /** Clears bits; returns true when at least one was set before. */
    public boolean clearStatus(int bits) {
        for (;;) {
            int s = status;
            if ((s & bits) == 0) return false;
            if (STATUS.compareAndSet(this, s, s & ~bits)) return true;
        }
    }

    // ---- timeout ----

    public long deadline() { return deadline; }

    public void setDeadline(long d) { deadline = d; }

    /** Re-arms the timeout from now; offloaded entries keep the deadline their owner gave them. */
    public void refresh(long now, long timeoutNanos) {
        if ((status & CtStatus.OFFLOAD) == 0) deadline = now + timeoutNanos;
    }

    /** Expired and not held by a flow table. */
    public boolean isExpired(long now) {
        return (status & CtStatus.OFFLOAD) == 0 && now - deadline >= 0;
    }

    /**
     * A masqueraded entry whose device no longer has the address it was translated to (Linux's
     * masquerade notifiers flush those: new connections must use the new address).
     */
    public boolean masqueradeStale() {
        NetDevice d = masqDevice;
        if (d == null) return false;
        List<IpPrefix> addrs = d.addresses();
        for (int i = 0; i < addrs.size(); i++) {
            IpAddress a = addrs.get(i).address();
            if (a.hi() == masqHi && a.lo() == masqLo && a.family() == orig.family) return false;
        }
        return true;
    }

    // ---- ConnEntry ----

    @Override
    public FiveTuple original() { return new FiveTuple(orig); }

    @Override
    public FiveTuple reply() { return new FiveTuple(reply); }

    @Override
    public int status() { return status; }

    @Override
    public String protoState() { ProtoInfo p = proto; return p == null ? "" : p.stateName(); }

    @Override
    public long timeoutSeconds() {
        long left = deadline - clock.nanos();
        return left <= 0 ? 0 : left / 1_000_000_000L;
    }

    @Override
    public int mark() { return mark; }

    @Override
    public int zone() { return zone; }

    @Override
    public long labelsHi() { return labelsHi; }

    @Override
    public long labelsLo() { return labelsLo; }

    @Override
    public void setMark(int m) { mark = m; }

    @Override
    public void setLabels(long hi, long lo) { labelsHi = hi; labelsLo = lo; }

    @Override
    public int protocol() { return orig.proto; }

    @Override
    public int family() { return orig.family; }

    public boolean isIcmp() { return orig.proto == Packet.PROTO_ICMP || orig.proto == Packet.PROTO_ICMPV6; }

    @Override
    public String toString() { return "Conn[" + orig + " | " + reply + " status=0x" + Integer.toHexString(status) + "]"; }
}
