package org.flowgate.io.virtual.command;

import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.flowgate.api.net.IpAddress;
import org.flowgate.io.virtual.demo.Demo;
import org.flowgate.io.virtual.host.EmulatedHost;
import org.flowgate.io.virtual.traffic.TrafficSource;
import org.flowgate.io.virtual.traffic.TrafficSpec;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Gogo commands for the demo networks: {@code traffic}, {@code hosts}, {@code ping}. They call the demo and format. */
@Component(service = VirtualCommands.class, property = {
        "osgi.command.scope=router",
        "osgi.command.function=traffic",
        "osgi.command.function=hosts",
        "osgi.command.function=ping" })
public class VirtualCommands {
    static final long PING_TIMEOUT_MS = 1000;

    @Reference
    Demo demo;

    public VirtualCommands() {}

    /** For use without DS (tests). */
    public VirtualCommands(Demo demo) { this.demo = demo; }

    @Descriptor("show the demo traffic (traffic status) or stop it (traffic stop)")
    public String traffic(@Descriptor("start | stop | status") String action) {
        return traffic(action, 4, 100, "udp", 4);
    }

    @Descriptor("start demo traffic h1 -> h2 with n flows")
    public String traffic(@Descriptor("start") String action, @Descriptor("flows") int flows) {
        return traffic(action, flows, 100, "udp", 4);
    }

    @Descriptor("start demo traffic h1 -> h2 with n flows at a rate")
    public String traffic(@Descriptor("start") String action, @Descriptor("flows") int flows,
            @Descriptor("packets per second, 0 = as fast as possible") long pps) {
        return traffic(action, flows, pps, "udp", 4);
    }

    @Descriptor("start demo traffic h1 -> h2")
    public String traffic(@Descriptor("start") String action, @Descriptor("flows") int flows,
            @Descriptor("packets per second, 0 = as fast as possible") long pps, @Descriptor("udp | tcp") String protocol) {
        return traffic(action, flows, pps, protocol, 4);
    }

    @Descriptor("start demo traffic h1 -> h2")
    public String traffic(@Descriptor("start") String action, @Descriptor("flows") int flows,
            @Descriptor("packets per second, 0 = as fast as possible") long pps, @Descriptor("udp | tcp") String protocol,
            @Descriptor("IP version: 4 | 6") int family) {
        switch (action) {
            case "start" -> {
                TrafficSource.Status prev = demo.trafficStatus();
                int size = prev == null ? 128 : prev.spec().packetSize();
                TrafficSpec spec = TrafficSpec.of(TrafficSpec.Protocol.parse(protocol), family, flows, size, pps, 0);
                return "started: " + demo.startTraffic(spec).spec();
            }
            case "stop" -> {
                TrafficSource.Status s = demo.stopTraffic();
                return s == null ? "no traffic" : "stopped; " + s;
            }
            case "status" -> {
                TrafficSource.Status s = demo.trafficStatus();
                return (s == null ? "no traffic" : s.toString()) + "\n" + demo.summary();
            }
            default -> throw new IllegalArgumentException("traffic start [flows] [pps] [udp|tcp] [4|6] | traffic stop | traffic status");
        }
    }

    @Descriptor("list the emulated hosts of the demo networks with their counters")
    public String hosts() {
        List<EmulatedHost> hosts = demo.hosts();
        if (hosts.isEmpty()) return "no emulated hosts (demo networks disabled)";
        StringBuilder sb = new StringBuilder();
        for (EmulatedHost h : hosts) {
            EmulatedHost.Counters c = h.counters();
            sb.append(h.name()).append(" on ").append(h.port().name()).append(": ").append(h.mac())
                    .append(' ').append(h.ipv4()).append(" via ").append(h.gateway(4))
                    .append(", ").append(h.ipv6()).append(" via ").append(h.gateway(6)).append('\n');
            sb.append(String.format("    rx %d frames %d B, tx %d frames %d B (%d dropped)%n", c.rxFrames(), c.rxBytes(), c.txFrames(), c.txBytes(), c.txDropped()));
            sb.append(String.format("    udp %d pkts %d B, tcp data %d pkts %d B, flows %d%n", c.udpPackets(), c.udpBytes(), c.tcpDataPackets(), c.tcpDataBytes(), h.flows().size()));
            sb.append(String.format("    arp answered %d, ns answered %d, echo answered %d, echo replies %d, icmp errors %d%n",
                    c.arpRequestsAnswered(), c.neighbourSolicitsAnswered(), c.echoRequestsAnswered(), c.echoRepliesReceived(), c.icmpErrorsReceived()));
            sb.append(String.format("    bad checksum %d, malformed %d, not for us %d, unhandled %d%n", c.badChecksum(), c.malformed(), c.notForUs(), c.unhandled()));
        }
        return sb.toString().stripTrailing();
    }

    @Descriptor("ping from an emulated host through the router (3 echo requests)")
    public String ping(@Descriptor("host: h1 | h2") String host, @Descriptor("destination address") String address) {
        return ping(host, address, 3);
    }

    @Descriptor("ping from an emulated host through the router")
    public String ping(@Descriptor("host: h1 | h2") String host, @Descriptor("destination address") String address,
            @Descriptor("number of echo requests") int count) {
        IpAddress dst = IpAddress.parse(address);
        if (count < 1 || count > 1000) throw new IllegalArgumentException("count must be 1..1000");
        List<EmulatedHost.PingResult> results = demo.ping(host, dst, count, PING_TIMEOUT_MS);
        StringBuilder sb = new StringBuilder("PING " + dst + " from " + host + ": 56 data bytes\n");
        int ok = 0;
        for (EmulatedHost.PingResult r : results) {
            switch (r.outcome()) {
                case REPLY -> {
                    ok++;
                    sb.append(String.format("%d bytes from %s: icmp_seq=%d ttl=%d time=%.3f ms%n", r.bytes(), r.from(), r.seq(), r.ttl(), r.rttNanos() / 1e6));
                }
                case ERROR -> sb.append(String.format("From %s icmp_seq=%d %s%n", r.from(), r.seq(), icmpError(dst.isV4(), r.icmpType(), r.icmpCode())));
                case TIMEOUT -> sb.append(String.format("icmp_seq=%d timeout%n", r.seq()));
                case NO_ROUTE -> sb.append(String.format("icmp_seq=%d no route to host%n", r.seq()));
                case NOT_SENT -> sb.append(String.format("icmp_seq=%d not sent: the port dropped it (link down or queue full)%n", r.seq()));
            }
        }
        sb.append(String.format("--- %s ping statistics ---%n%d packets transmitted, %d received, %d%% packet loss",
                dst, results.size(), ok, (results.size() - ok) * 100 / results.size()));
        return sb.toString();
    }

    static String icmpError(boolean v4, int type, int code) {
        if (v4) {
            return switch (type) {
                case 3 -> switch (code) {
                    case 0 -> "Destination Net Unreachable";
                    case 1 -> "Destination Host Unreachable";
                    case 3 -> "Destination Port Unreachable";
                    case 4 -> "Frag needed and DF set";
                    default -> "Destination Unreachable, code " + code;
                };
                case 11 -> "Time to live exceeded";
                default -> "ICMP type " + type + " code " + code;
            };
        }
        return switch (type) {
            case 1 -> code == 0 ? "Destination unreachable: No route" : code == 3 ? "Destination unreachable: Address unreachable"
                    : "Destination unreachable, code " + code;
            case 2 -> "Packet too big";
            case 3 -> "Time exceeded: Hop limit";
            default -> "ICMPv6 type " + type + " code " + code;
        };
    }
}
