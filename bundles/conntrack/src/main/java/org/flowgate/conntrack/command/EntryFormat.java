package org.flowgate.conntrack.command;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.CtStatus;
import org.flowgate.api.packet.Packet;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.conntrack.table.Conn;

/** One entry as a {@code conntrack -L -o extended} line. */
public final class EntryFormat {
    private EntryFormat() {}

    public static String line(ConnEntry e) {
        FiveTuple o = e.original(), r = e.reply();
        StringBuilder sb = new StringBuilder(200);
        sb.append(o.family == 6 ? "ipv6 10 " : "ipv4 2 ");
        sb.append(protoName(o.proto)).append(' ').append(o.proto).append(' ');
        sb.append(e.timeoutSeconds()).append(' ');
        String state = e.protoState();
        if (!state.isEmpty()) sb.append(state).append(' ');
        int st = e.status();
        boolean icmp = o.proto == Packet.PROTO_ICMP || o.proto == Packet.PROTO_ICMPV6;
        int type = e instanceof Conn c ? c.icmpType : (o.proto == Packet.PROTO_ICMPV6 ? 128 : 8);
        int code = e instanceof Conn c ? c.icmpCode : 0;
        tuple(sb, o, icmp, type, code);
        if ((st & CtStatus.SEEN_REPLY) == 0) sb.append("[UNREPLIED] ");
        tuple(sb, r, icmp, replyType(o.proto, type), code);
        if ((st & CtStatus.OFFLOAD) != 0) sb.append("[OFFLOAD] ");
        if ((st & CtStatus.HW_OFFLOAD) != 0) sb.append("[HW_OFFLOAD] ");
        if ((st & CtStatus.ASSURED) != 0) sb.append("[ASSURED] ");
        sb.append("mark=").append(Integer.toUnsignedString(e.mark())).append(' ');
        if (e.labelsHi() != 0 || e.labelsLo() != 0)
            sb.append("labels=0x").append(String.format("%016x%016x", e.labelsHi(), e.labelsLo())).append(' ');
        sb.append("zone=").append(e.zone()).append(" use=1");
        return sb.toString();
    }

    private static void tuple(StringBuilder sb, FiveTuple t, boolean icmp, int type, int code) {
        sb.append("src=").append(t.src()).append(" dst=").append(t.dst()).append(' ');
        if (icmp) {
            sb.append("type=").append(type).append(" code=").append(code).append(" id=").append(t.srcPort).append(' ');
        } else if (t.proto == Packet.PROTO_TCP || t.proto == Packet.PROTO_UDP) {
            sb.append("sport=").append(t.srcPort).append(" dport=").append(t.dstPort).append(' ');
        }
    }

    /** The reply type of an ICMP query type (echo 8 -> 0, timestamp 13 -> 14, ..., ICMPv6 echo 128 -> 129). */
    static int replyType(int proto, int type) {
        if (proto == Packet.PROTO_ICMPV6) return type == 128 ? 129 : type;
        return switch (type) {
            case 8 -> 0;
            case 13, 15, 17 -> type + 1;
            default -> type;
        };
    }

    public static String protoName(int proto) {
        return switch (proto) {
            case Packet.PROTO_TCP -> "tcp";
            case Packet.PROTO_UDP -> "udp";
            case Packet.PROTO_ICMP -> "icmp";
            case Packet.PROTO_ICMPV6 -> "icmpv6";
            case 33 -> "dccp";
            case 47 -> "gre";
            case 50 -> "esp";
            case 51 -> "ah";
            case 132 -> "sctp";
            case 136 -> "udplite";
            default -> "unknown";
        };
    }
}
