package org.flowgate.shell.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.flowgate.shell.stats.Stat;
import org.flowgate.shell.stats.StatGroup;
import org.flowgate.shell.stats.StatsCollector;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The collector's groups as Prometheus metric families, read at every scrape:
 * {@code flowgate_interface_rx_packets_total{flowgate_instance="default",device="eth0"}},
 * {@code flowgate_interface_drops_total{...,reason="no-route"}},
 * {@code flowgate_conntrack_entries{flowgate_instance="default"}}.
 */
public final class StatsMetrics implements MultiCollector {
    private final StatsCollector collector;

    public StatsMetrics(StatsCollector collector) { this.collector = collector; }

    @Override
    public MetricSnapshots collect() {
        Map<String, List<Object>> families = new LinkedHashMap<>(); // name -> [gauge?, help, points...]
        for (StatGroup g : collector.collect()) {
            String nameLabel = nameLabel(g.type());
            for (Stat s : g.stats()) {
                String family = "flowgate_" + g.type() + "_" + s.name();
                List<Object> f = families.computeIfAbsent(family, k -> new ArrayList<>(List.of(s.gauge(),
                        "Flowgate " + g.type() + " " + s.name().replace('_', ' '))));
                Labels labels = nameLabel == null ? Labels.of("flowgate_instance", g.instance())
                        : Labels.of("flowgate_instance", g.instance(), nameLabel, g.name());
                if (s.label() != null) labels = labels.add(s.label(), s.labelValue());
                f.add(s.gauge() ? GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(s.value()).build()
                        : CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(s.value()).build());
            }
        }
        List<MetricSnapshot> out = new ArrayList<>();
        for (Map.Entry<String, List<Object>> e : families.entrySet()) {
            List<Object> f = e.getValue();
            boolean gauge = (Boolean) f.get(0);
            String help = (String) f.get(1);
            if (gauge) {
                GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(e.getKey()).help(help);
                for (int i = 2; i < f.size(); i++) if (f.get(i) instanceof GaugeSnapshot.GaugeDataPointSnapshot p) b.dataPoint(p);
                out.add(b.build());
            } else {
                CounterSnapshot.Builder b = CounterSnapshot.builder().name(e.getKey()).help(help);
                for (int i = 2; i < f.size(); i++) if (f.get(i) instanceof CounterSnapshot.CounterDataPointSnapshot p) b.dataPoint(p);
                out.add(b.build());
            }
        }
        return new MetricSnapshots(out);
    }

    /** The label naming a group's thing; null where a type has one per instance. */
    private static String nameLabel(String type) {
        return switch (type) {
            case StatGroup.INTERFACE -> "device";
            case StatGroup.HOOK -> "hook";
            case StatGroup.FLOWTABLE -> "flowtable";
            case StatGroup.DRIVER -> "driver";
            default -> null;
        };
    }
}
