package org.flowgate.conntrack.command;

import java.util.Locale;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.tuple.FiveTuple;

/**
 * Selects entries as {@code conntrack -L}/{@code -D} options do: {@code -p PROTO}, {@code -s ADDR},
 * {@code -d ADDR}, {@code --sport N}, {@code --dport N} (original direction), {@code -r ADDR},
 * {@code -q ADDR} (reply source/destination), {@code -f ipv4|ipv6}, {@code -z ZONE}, {@code -m MARK}.
 */
final class EntryFilter {
    int proto = -1, family = -1, zone = -1, sport = -1, dport = -1;
    long mark = -1;
    IpAddress src, dst, replySrc, replyDst;
    int criteria;

    static EntryFilter parse(String... args) {
        EntryFilter f = new EntryFilter();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) throw new IllegalArgumentException("option " + a + " needs a value");
            String v = args[++i];
            switch (a) {
                case "-p", "--proto" -> f.proto = proto(v);
                case "-f", "--family" -> f.family = switch (v) {
                    case "ipv4" -> 4;
                    case "ipv6" -> 6;
                    default -> throw new IllegalArgumentException("family is ipv4 or ipv6: " + v);
                };
                case "-s", "--src", "--orig-src" -> f.src = IpAddress.parse(v);
                case "-d", "--dst", "--orig-dst" -> f.dst = IpAddress.parse(v);
                case "-r", "--reply-src" -> f.replySrc = IpAddress.parse(v);
                case "-q", "--reply-dst" -> f.replyDst = IpAddress.parse(v);
                case "--sport", "--orig-port-src" -> f.sport = port(v);
                case "--dport", "--orig-port-dst" -> f.dport = port(v);
                case "-z", "--zone" -> f.zone = Integer.parseInt(v);
                case "-m", "--mark" -> f.mark = Long.decode(v) & 0xFFFF_FFFFL;
                default -> throw new IllegalArgumentException("unknown option " + a
                        + " (use -p -f -s -d -r -q --sport --dport -z -m)");
            }
            f.criteria++;
        }
        return f;
    }

    private static int proto(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "tcp" -> 6;
            case "udp" -> 17;
            case "icmp" -> 1;
            case "icmpv6", "ipv6-icmp" -> 58;
            case "gre" -> 47;
            case "sctp" -> 132;
            default -> Integer.parseInt(v);
        };
    }

    private static int port(String v) {
        int p = Integer.parseInt(v);
        if (p < 0 || p > 65535) throw new IllegalArgumentException("port out of range: " + v);
        return p;
    }

    boolean matches(ConnEntry e) {
        FiveTuple o = e.original();
        if (proto >= 0 && o.proto != proto) return false;
        if (family >= 0 && o.family != family) return false;
        if (zone >= 0 && e.zone() != zone) return false;
        if (mark >= 0 && (e.mark() & 0xFFFF_FFFFL) != mark) return false;
        if (src != null && !src.equals(o.src())) return false;
        if (dst != null && !dst.equals(o.dst())) return false;
        if (sport >= 0 && o.srcPort != sport) return false;
        if (dport >= 0 && o.dstPort != dport) return false;
        if (replySrc != null || replyDst != null) {
            FiveTuple r = e.reply();
            if (replySrc != null && !replySrc.equals(r.src())) return false;
            if (replyDst != null && !replyDst.equals(r.dst())) return false;
        }
        return true;
    }
}
