package org.flowgate.api.hook;

/** What a hook decides for a packet. */
public enum Verdict {
    /** Continue with the next hook and the path. */
    ACCEPT,
    /** Drop and count under {@link org.flowgate.api.packet.DropReason#HOOK_DROP}. */
    DROP,
    /** The hook took the packet (sent it itself, queued it, answered it): the path stops without counting a drop. */
    STOLEN
}
