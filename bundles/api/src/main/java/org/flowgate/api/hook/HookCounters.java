package org.flowgate.api.hook;

/**
 * What happened at one hook point since start: packets that ran the point's chain and how they
 * left it.
 *
 * @param packets  packets that ran the chain (while at least one hook was registered there)
 * @param accepted packets every hook accepted
 * @param dropped  packets a hook dropped
 * @param stolen   packets a hook took ({@link Verdict#STOLEN})
 * @param errors   hooks that threw (the packet was dropped, and is counted in {@code dropped} too)
 * @since 1.1
 */
public record HookCounters(long packets, long accepted, long dropped, long stolen, long errors) {
}
