package org.flowgate.tc.command;

import java.util.List;

import org.flowgate.api.tc.CtFlow;
import org.flowgate.api.tc.TcException;
import org.flowgate.api.tc.TcFilter;
import org.flowgate.api.tc.TcService;
import org.flowgate.api.tuple.FiveTuple;
import org.flowgate.tc.lang.FilterParser;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands, scope {@code tc}:
 * <pre>
 *   tc:filter add dev X ingress [prio N] [chain N] proto ip flower ... action ...
 *   tc:filter del dev X ingress [chain N] [prio N [handle H]]
 *   tc:filter show [dev X] [ingress] [chain N]
 *   tc:chain show [dev X] [ingress]
 *   tc:flows [zone N]       the connections in the ct zones' flow tables, with their ct metadata
 *   tc:stats
 * </pre>
 */
@Component(service = TcCommands.class, property = {"osgi.command.scope=tc", "osgi.command.function=filter",
        "osgi.command.function=chain", "osgi.command.function=stats", "osgi.command.function=flows"})
public class TcCommands {
    @Reference
    TcService tc;

    public TcCommands() {}

    public TcCommands(TcService tc) { this.tc = tc; }

    public String filter(String... args) {
        String line = String.join(" ", args);
        if (args.length == 0) return "usage: filter add|del|show dev X ingress ...";
        try {
            if (args[0].equals("add") || args[0].equals("create")) {
                TcFilter f = tc.add(line);
                return "added: " + header(f);
            }
            FilterParser.Selector s = FilterParser.parseSelector(line);
            if (s.verb().equals("del")) {
                int n = tc.delete(s.device(), s.chain(), s.prio(), s.handle());
                return n == 0 ? "Error: no such filter" : "deleted " + n + " filter" + (n == 1 ? "" : "s");
            }
            StringBuilder sb = new StringBuilder();
            for (TcFilter f : tc.filters(s.device())) {
                if (s.chain() >= 0 && f.chain() != s.chain()) continue;
                if (s.prio() >= 0 && f.prio() != s.prio()) continue;
                if (s.handle() >= 0 && f.handle() != s.handle()) continue;
                format(sb, f, s.device() == null);
            }
            return sb.toString();
        } catch (TcException e) {
            return "Error: " + e.getMessage();
        }
    }

    static String header(TcFilter f) {
        return "filter protocol " + f.protocol() + " pref " + f.prio() + " flower chain " + f.chain() + " handle 0x"
                + Integer.toHexString(f.handle());
    }

    static void format(StringBuilder sb, TcFilter f, boolean withDevice) {
        if (withDevice) sb.append("dev ").append(f.device()).append(' ');
        sb.append(header(f)).append('\n');
        if (!f.match().isEmpty()) sb.append("  ").append(f.match()).append('\n');
        List<String> as = f.actions();
        for (int i = 0; i < as.size(); i++) sb.append("\taction order ").append(i + 1).append(": ").append(as.get(i)).append('\n');
        sb.append("\tSent ").append(f.bytes()).append(" bytes ").append(f.packets()).append(" pkt\n");
    }

    public String chain(String... args) {
        String dev = null;
        int i = 0;
        if (i < args.length && (args[i].equals("show") || args[i].equals("list") || args[i].equals("ls"))) i++;
        while (i < args.length) {
            switch (args[i]) {
                case "dev" -> {
                    if (i + 1 >= args.length) return "Error: dev needs a name";
                    dev = args[++i];
                }
                case "ingress" -> { }
                default -> { return "Error: unknown word \"" + args[i] + "\" (usage: chain show [dev X] [ingress])"; }
            }
            i++;
        }
        StringBuilder sb = new StringBuilder();
        if (dev != null) {
            for (int c : tc.chains(dev)) sb.append("chain ").append(c).append('\n');
            return sb.toString();
        }
        java.util.TreeSet<String> devs = new java.util.TreeSet<>();
        for (TcFilter f : tc.filters(null)) devs.add(f.device());
        for (String d : devs) for (int c : tc.chains(d)) sb.append("dev ").append(d).append(" ingress chain ").append(c).append('\n');
        return sb.toString();
    }

    public String flows(String... args) {
        int zone = -1;
        if (args.length == 2 && args[0].equals("zone")) {
            try {
                zone = Integer.parseInt(args[1]);
            } catch (NumberFormatException e) {
                return "Error: bad zone \"" + args[1] + "\"";
            }
        } else if (args.length != 0) return "usage: flows [zone N]";
        StringBuilder sb = new StringBuilder();
        for (CtFlow f : tc.ctFlows()) {
            if (zone >= 0 && f.zone() != zone) continue;
            FiveTuple o = f.original(), r = f.reply();
            sb.append("zone ").append(f.zone()).append(' ').append(proto(o.proto))
                    .append(" src=").append(o.src()).append(" dst=").append(o.dst()).append(" sport=").append(o.srcPort).append(" dport=").append(o.dstPort)
                    .append(" src=").append(r.src()).append(" dst=").append(r.dst()).append(" sport=").append(r.srcPort).append(" dport=").append(r.dstPort);
            if (f.snat()) sb.append(" snat");
            if (f.dnat()) sb.append(" dnat");
            sb.append(" mark=").append(f.mark());
            if (f.labelsHi() != 0 || f.labelsLo() != 0) sb.append(" label=").append(String.format("%016x%016x", f.labelsHi(), f.labelsLo()));
            sb.append(" packets=").append(f.packets()).append(" idle=").append(f.idleMillis()).append("ms\n");
        }
        return sb.toString();
    }

    private static String proto(int p) {
        return switch (p) { case 6 -> "tcp"; case 17 -> "udp"; default -> String.valueOf(p); };
    }

    public String stats() {
        StringBuilder sb = new StringBuilder();
        tc.stats().forEach((k, v) -> sb.append(k).append(' ').append(v).append('\n'));
        return sb.toString();
    }
}
