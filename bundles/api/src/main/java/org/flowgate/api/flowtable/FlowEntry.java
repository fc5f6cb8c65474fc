package org.flowgate.api.flowtable;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.tuple.FiveTuple;
import org.osgi.annotation.versioning.ProviderType;

/** An offloaded connection in a flow table. */
@ProviderType
public interface FlowEntry {
    /** Direction indices, as conntrack's: the connection's first packet went {@code ORIGINAL}. */
    int ORIGINAL = 0, REPLY = 1;

    /**
     * Where a flow stands with a hardware offload driver, as Linux's {@code NF_FLOW_HW*} flags:
     * {@code SOFTWARE} (only the software fast path), {@code PENDING} (queued for a driver),
     * {@code HW} (in hardware), {@code HW_REFRESH} (to be pushed again), {@code DYING} (removal
     * queued), {@code DEAD} (removed from hardware).
     */
    enum HwState {
        SOFTWARE, PENDING, HW, HW_REFRESH, DYING, DEAD;

        public String label() { return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'); }
    }

    /** Identifies the flow within its table for as long as the table exists (shown by {@code flow:list}). */
    long id();

    FiveTuple original();

    FiveTuple reply();

    String inDevice();

    String outDevice();

    long packets();

    long bytes();

    long lastUsedNanos();

    /** How packets of one direction are matched and forwarded. */
    FlowPath path(int direction);

    /** Packets forwarded by the fast path in one direction (0 unless the table counts). */
    long packets(int direction);

    long bytes(int direction);

    /** When the flow was added (same clock as {@link #lastUsedNanos()}). */
    long createdNanos();

    /** The conntrack entry the table owns while the flow lives; null when not a {@link ConnEntry}. */
    ConnEntry conn();

    /** Set once a TCP FIN/RST, a dying conntrack entry or a route change ended the flow. */
    boolean tornDown();

    HwState hwState();

    /** Atomically moves the hardware state (for the offload work queue). */
    boolean compareAndSetHwState(HwState expect, HwState update);
}
