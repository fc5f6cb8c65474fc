package org.flowgate.conntrack.proto;

import org.flowgate.api.conntrack.CtStatus;
import org.flowgate.api.packet.Packet;
import org.flowgate.conntrack.table.Conn;

/** UDP, ICMP and generic protocol tracking: timeouts only, as Linux's stateless trackers. */
public final class SimpleTrackers {
    private SimpleTrackers() {}

    /** Linux waits this long after the first packet before calling a replied UDP flow a stream. */
    static final long UDP_STREAM_DELAY = 2_000_000_000L;

    /** {@code nf_conntrack_udp_packet}: 30 s until replied, 120 s and ASSURED once it is a stream. */
    public static int udp(Conn c, Timeouts to, long now) {
        if (c.hasStatus(CtStatus.SEEN_REPLY)) {
            if (now - c.created > UDP_STREAM_DELAY) {
                c.refresh(now, to.udpStream);
                return c.setStatus(CtStatus.ASSURED) ? Result.CHANGED : Result.ACCEPT;
            }
            c.refresh(now, to.udp);
        } else {
            c.refresh(now, to.udp);
        }
        return Result.ACCEPT;
    }

    /** {@code icmp_packet}: refresh only. */
    public static int icmp(Conn c, Timeouts to, long now) {
        c.refresh(now, c.orig.proto == Packet.PROTO_ICMPV6 ? to.icmpv6 : to.icmp);
        return Result.ACCEPT;
    }

    public static int generic(Conn c, Timeouts to, long now) {
        c.refresh(now, to.generic);
        return Result.ACCEPT;
    }
}
