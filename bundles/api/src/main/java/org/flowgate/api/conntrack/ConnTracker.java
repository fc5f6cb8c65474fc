package org.flowgate.api.conntrack;

import java.util.List;

import org.flowgate.api.tuple.FiveTuple;
import org.osgi.annotation.versioning.ProviderType;

/** The connection tracking table. */
@ProviderType
public interface ConnTracker {
    /** The entry a tuple (either direction) belongs to in a zone, or null. */
    ConnEntry find(int zone, FiveTuple t);

    List<ConnEntry> list();

    int count();

    /** Removes every entry; returns how many. */
    int flush();

    boolean delete(ConnEntry e);

    /**
     * Binds NAT for the connection of {@code p} (which conntrack already saw at prerouting or
     * output): called by the ruleset from a nat-type chain on a connection's first packet. The
     * rewrite is applied to this and every later packet of the connection, replies de-NATed.
     *
     * @return false when no free tuple is left in the range: the caller drops the packet
     */
    boolean bindNat(org.flowgate.api.packet.Packet p, NatRange range);
}
