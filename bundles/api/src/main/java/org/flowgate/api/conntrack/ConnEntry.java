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

    /** IP protocol number of the connection (6, 17, 1, 58, ...). */
    int protocol();

    /** 4 or 6. */
    int family();

    /** {@link CtStatus#CONFIRMED}: the entry is in the table (the first packet passed all hooks). */
    default boolean isConfirmed() { return (status() & CtStatus.CONFIRMED) != 0; }

    /** {@link CtStatus#DYING}: removed from the table (deleted, expired, flushed); drop any reference to it. */
    default boolean isDying() { return (status() & CtStatus.DYING) != 0; }

    /** {@link CtStatus#OFFLOAD}: owned by a flow table (see {@link ConnTracker#offload}). */
    default boolean isOffloaded() { return (status() & CtStatus.OFFLOAD) != 0; }
}
