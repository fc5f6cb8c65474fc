package org.flowgate.io.virtual.traffic;

import java.util.Locale;

/**
 * What a {@link TrafficSource} generates.
 *
 * @param protocol    UDP datagrams, or TCP connections (handshake, then data segments, then FIN)
 * @param family      4 or 6
 * @param flows       number of flows; flow {@code i} uses source port {@code srcPortBase + i}
 * @param packetSize  Ethernet frame length without FCS (headers included); smaller than the
 *                    headers means empty payload (TCP: one byte), frames under 60 bytes are padded
 * @param pps         packets per second over all flows, 0 = as fast as possible
 * @param count       packets to send in total, 0 = until stopped
 */
public record TrafficSpec(Protocol protocol, int family, int flows, int packetSize, long pps, long count,
        int srcPortBase, int dstPort) {

    public enum Protocol {
        UDP, TCP;

        public static Protocol parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("protocol must be udp or tcp, not " + s);
            }
        }

        public String label() { return name().toLowerCase(Locale.ROOT); }
    }

    public static final int DEFAULT_SRC_PORT_BASE = 10000;
    public static final int DEFAULT_DST_PORT = 5001;

    public TrafficSpec {
        if (protocol == null) throw new IllegalArgumentException("protocol missing");
        if (family != 4 && family != 6) throw new IllegalArgumentException("family must be 4 or 6, not " + family);
        if (srcPortBase < 1 || dstPort < 1 || dstPort > 65535) throw new IllegalArgumentException("ports must be 1..65535");
        if (flows < 1 || srcPortBase + flows - 1 > 65535) throw new IllegalArgumentException("flows must be 1.." + (65536 - srcPortBase));
        if (packetSize < 1 || packetSize > 9018) throw new IllegalArgumentException("packet size must be 1..9018");
        if (pps < 0 || count < 0) throw new IllegalArgumentException("pps and count must not be negative");
    }

    public static TrafficSpec of(Protocol protocol, int family, int flows, int packetSize, long pps, long count) {
        return new TrafficSpec(protocol, family, flows, packetSize, pps, count, DEFAULT_SRC_PORT_BASE, DEFAULT_DST_PORT);
    }

    public int headerLength() {
        return 14 + (family == 4 ? 20 : 40) + (protocol == Protocol.UDP ? 8 : 20);
    }

    /** Payload bytes per packet the size gives. */
    public int payloadLength() {
        int p = Math.max(0, packetSize - headerLength());
        return protocol == Protocol.TCP ? Math.max(1, p) : p;
    }

    @Override
    public String toString() {
        return flows + " " + protocol.label() + "/ipv" + family + " flow(s), " + packetSize + " B, "
                + (pps == 0 ? "max rate" : pps + " pps") + (count == 0 ? "" : ", " + count + " packets");
    }
}
