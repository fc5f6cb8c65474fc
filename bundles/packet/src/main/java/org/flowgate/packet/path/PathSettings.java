package org.flowgate.packet.path;

/**
 * Packet path tunables. {@code forwarding} is net.ipv4.ip_forward / net.ipv6.conf.all.forwarding;
 * ICMP errors are limited to {@code icmpRatePerSecond} with bursts of {@code icmpBurst}
 * (Linux icmp_msgs_per_sec / icmp_msgs_burst; 0 disables limiting).
 */
public record PathSettings(boolean forwarding, int icmpRatePerSecond, int icmpBurst) {
    public static PathSettings defaults() { return new PathSettings(true, 1000, 50); }

    public PathSettings {
        if (icmpRatePerSecond < 0 || icmpBurst < 1) throw new IllegalArgumentException("ICMP rate must be >= 0 and burst >= 1");
    }
}
