package org.flowgate.shell.stats;

import java.util.List;

import org.flowgate.api.instance.RoutingInstance;

/** The text of {@code router:stats}: one block per group, zero drops left out. */
public final class StatsText {
    private StatsText() {}

    public static String format(List<StatGroup> groups, List<StatsCollector.HookInfo> hooks) {
        StringBuilder sb = new StringBuilder();
        for (StatGroup g : groups) {
            sb.append(g.type()).append(' ').append(g.name());
            if (!RoutingInstance.DEFAULT.equals(g.instance())) sb.append(" (instance ").append(g.instance()).append(')');
            sb.append(':');
            int col = 0;
            for (Stat s : g.stats()) {
                if (s.labelValue() != null && s.value() == 0) continue;
                if (col++ % 6 == 0) sb.append("\n   ");
                sb.append(' ').append(s.labelValue() == null ? s.name() : s.name() + "[" + s.labelValue() + "]").append(' ').append(s.value());
            }
            if (g.type().equals(StatGroup.HOOK)) {
                StringBuilder names = new StringBuilder();
                for (StatsCollector.HookInfo h : hooks) {
                    if (h.instance().equals(g.instance()) && h.point().label().equals(g.name())) {
                        names.append(names.isEmpty() ? "" : ", ").append(h.name()).append(" (").append(h.priority()).append(')');
                    }
                }
                if (!names.isEmpty()) sb.append("\n    runs: ").append(names);
            }
            sb.append('\n');
        }
        if (groups.isEmpty()) sb.append("no router services\n");
        return sb.toString();
    }
}
