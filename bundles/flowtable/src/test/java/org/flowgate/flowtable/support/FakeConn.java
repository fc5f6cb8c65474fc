package org.flowgate.flowtable.support;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.CtStatus;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.tuple.FiveTuple;

/** A conntrack entry with the tuples and status a test gives it. */
public final class FakeConn implements ConnEntry {
    private final FiveTuple original, reply;
    public volatile int status = CtStatus.CONFIRMED;
    public String protoState = "ESTABLISHED";

    public FakeConn(FiveTuple original, FiveTuple reply) {
        this.original = original;
        this.reply = reply;
    }

    /** A connection {@code src:sport -> dst:dport} whose replies come from {@code rsrc:rsport} to {@code rdst:rdport}. */
    public static FakeConn of(int proto, String src, int sport, String dst, int dport, String rsrc, int rsport, String rdst, int rdport) {
        return new FakeConn(FiveTuple.of(IpAddress.parse(src), sport, IpAddress.parse(dst), dport, proto),
                FiveTuple.of(IpAddress.parse(rsrc), rsport, IpAddress.parse(rdst), rdport, proto));
    }

    public FakeConn established() { status |= CtStatus.SEEN_REPLY | CtStatus.ASSURED; return this; }

    @Override public FiveTuple original() { return original; }
    @Override public FiveTuple reply() { return reply; }
    @Override public int status() { return status; }
    @Override public String protoState() { return protoState; }
    @Override public long timeoutSeconds() { return 0; }
    @Override public int mark() { return 0; }
    @Override public int zone() { return 0; }
    @Override public long labelsHi() { return 0; }
    @Override public long labelsLo() { return 0; }
    @Override public void setMark(int mark) {}
    @Override public void setLabels(long hi, long lo) {}
    @Override public int protocol() { return original.proto; }
    @Override public int family() { return original.family; }
}
