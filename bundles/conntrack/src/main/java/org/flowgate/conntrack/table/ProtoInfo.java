package org.flowgate.conntrack.table;

/** Protocol-private state a tracker keeps on an entry (TCP windows, ...). */
public interface ProtoInfo {
    /** State name as conntrack prints it (ESTABLISHED, TIME_WAIT, ...). */
    String stateName();

    /** Numeric state, protocol-defined. */
    int state();
}
