package org.flowgate.api.conntrack;

import java.util.List;

import org.flowgate.api.tuple.FiveTuple;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The connection tracking table.
 *
 * <p>On the packet path, conntrack sets {@link org.flowgate.api.packet.Packet#conn()} to the
 * packet's {@link ConnEntry} (null when untracked or invalid), plus {@code ctState} and
 * {@code ctDirection}.
 */
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

    /**
     * Tracks a packet now, as the prerouting conntrack hook does (for callers outside the hook
     * chain, such as tc's {@code ct} action): finds or creates its entry in
     * {@link org.flowgate.api.packet.Packet#ctZone()} and sets {@code conn}, {@code ctState} and
     * {@code ctDirection} (transport checksums are verified when conntrack is configured to).
     * A packet already carrying a {@code conn}, or marked untracked, is left as it is. A new entry
     * is not in the table until {@link #confirm}. Invalid packets get {@code CtState.INVALID} and
     * no {@code conn}: the caller decides (conntrack never drops them).
     *
     * @return false when the packet must be dropped (table full and nothing could be evicted)
     * @since 1.2
     */
    boolean track(org.flowgate.api.packet.Packet p);

    /**
     * Applies the NAT of the packet's connection in both manipulations (destination, then
     * source), as the NAT hooks at prerouting and postrouting together do: originals get the
     * bound SNAT/DNAT, replies are de-NATed. No-op without a {@code conn} or without NAT.
     *
     * @since 1.2
     */
    void nat(org.flowgate.api.packet.Packet p);

    /**
     * Confirms the packet's new connection, as the confirm hook does: its entry enters the table
     * (a clashing reply tuple without NAT gets a new source port first, as Linux's null binding).
     * No-op (true) for confirmed entries, replies and packets without {@code conn}.
     *
     * @return false when the packet must be dropped (no unique tuple, or the insert failed)
     * @since 1.2
     */
    boolean confirm(org.flowgate.api.packet.Packet p);

    /**
     * Hands a confirmed, established TCP/UDP entry to a flow table, as Linux's
     * {@code flow_offload_add}: sets {@link CtStatus#OFFLOAD}; from now on conntrack no longer sees
     * the packets of the connection and keeps the entry alive (timeout re-armed to one day by its
     * garbage collector) until {@link #teardown}. Sends an UPDATE event.
     *
     * @return false when the entry is not eligible (not confirmed, dying, already offloaded,
     *         not TCP/UDP, or TCP not ESTABLISHED)
     */
    boolean offload(ConnEntry e);

    /** Keeps an offloaded entry alive now (re-arms its timeout to one day); no-op otherwise. */
    void keepAlive(ConnEntry e);

    /**
     * Gives an offloaded entry back to conntrack, as Linux's {@code flow_offload_teardown}: clears
     * {@link CtStatus#OFFLOAD}, resets TCP window tracking so it is learned again from the next
     * packets, and lowers the timeout to the state's timeout minus the flow table's offload timeout
     * (the {@code *_offload_timeout} settings, 30 s by default) so an idle connection expires soon.
     * Sends an UPDATE event. No-op when the entry is not offloaded.
     */
    void teardown(ConnEntry e);

    /**
     * Counters, in a stable order: {@code found, invalid, ignore, insert, insert_failed, drop,
     * early_drop, error, search_restart, nat_exhausted, events_dropped, entries, max, ...}.
     */
    java.util.Map<String, Long> stats();
}
