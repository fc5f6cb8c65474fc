package org.flowgate.api.conntrack;

/** Connection states as nftables' {@code ct state} sees them (bit values as in the kernel). */
public final class CtState {
    private CtState() {}

    public static final int INVALID = 1;
    public static final int ESTABLISHED = 2;
    public static final int RELATED = 4;
    public static final int NEW = 8;
    /** Set on a packet before conntrack ({@code notrack}) to keep it untracked. */
    public static final int UNTRACKED = 64;
}
