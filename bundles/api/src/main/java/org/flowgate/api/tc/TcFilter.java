package org.flowgate.api.tc;

/**
 * One filter as {@code tc filter show} lists it.
 *
 * @param device   the device whose ingress block holds it
 * @param chain    its chain
 * @param prio     its priority (lower first)
 * @param handle   its handle, unique in the block
 * @param protocol the protocol word ({@code ip}, {@code ipv6}, {@code all}, {@code 802.1q}, ...)
 * @param match    the flower match keys, normalized
 * @param actions  the actions, normalized, one string per action in order
 * @param packets  packets that matched
 * @param bytes    bytes of those packets
 */
public record TcFilter(String device, int chain, int prio, int handle, String protocol, String match,
        java.util.List<String> actions, long packets, long bytes) {
    public TcFilter {
        actions = java.util.List.copyOf(actions);
    }
}
