package org.flowgate.api.conntrack;

import org.flowgate.api.tuple.FiveTuple;
import org.osgi.annotation.versioning.ProviderType;

/** A tracked connection, as {@code conntrack -L} shows it. */
@ProviderType
public interface ConnEntry {
    /** The tuple of the first packet, as seen on arrival. */
    FiveTuple original();

    /** The tuple replies carry, NAT applied. */
    FiveTuple reply();

    /** {@link CtStatus} bits. */
    int status();

    /** Protocol state name for TCP (ESTABLISHED, TIME_WAIT, ...), empty otherwise. */
    String protoState();

    /** Seconds until the entry expires. */
    long timeoutSeconds();

    int mark();

    int zone();

    long labelsHi();

    long labelsLo();

    /** {@code ct mark set}. */
    void setMark(int mark);

    /** {@code ct label set}: the 128-bit label as two longs. */
    void setLabels(long hi, long lo);
}
