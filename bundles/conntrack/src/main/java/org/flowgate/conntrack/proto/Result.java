package org.flowgate.conntrack.proto;

/** What a protocol tracker decided for a packet: bit flags, so the hot path returns a primitive. */
public final class Result {
    private Result() {}

    public static final int ACCEPT = 0;
    /** The packet is invalid for the connection: ct state invalid, entry untouched. */
    public static final int INVALID = 1;
    /** Accepted without touching the state (TCP "ignore"). */
    public static final int IGNORED = 2;
    /** State or status changed: listeners get an UPDATE. */
    public static final int CHANGED = 4;
    /** The connection must be removed after this packet (RST before any reply). */
    public static final int KILL = 8;
    /** A closed connection is being reopened: remove it and track the packet as new. */
    public static final int REOPEN = 16;
}
