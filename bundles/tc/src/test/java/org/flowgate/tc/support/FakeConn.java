package org.flowgate.tc.support;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.tuple.FiveTuple;

/** A conntrack entry with settable mark and labels, for match tests. */
public final class FakeConn implements ConnEntry {
    public int mark;
    public long hi, lo;
    public int zone;

    @Override public FiveTuple original() { return new FiveTuple(); }
    @Override public FiveTuple reply() { return new FiveTuple(); }
    @Override public int status() { return 0; }
    @Override public String protoState() { return ""; }
    @Override public long timeoutSeconds() { return 0; }
    @Override public int mark() { return mark; }
    @Override public int zone() { return zone; }
    @Override public long labelsHi() { return hi; }
    @Override public long labelsLo() { return lo; }
    @Override public void setMark(int m) { mark = m; }
    @Override public void setLabels(long h, long l) { hi = h; lo = l; }
    @Override public int protocol() { return 6; }
    @Override public int family() { return 4; }
}
