package org.flowgate.shell.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.flowgate.api.conntrack.ConnTracker;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.DeviceCounters;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.api.packet.DropReason;
import org.flowgate.shell.stats.StatsCollector;
import org.junit.jupiter.api.Test;

/** The endpoint is off until configured, then serves the collector's counters over loopback. */
class MetricsEndpointTest {
    private long rx = 10;

    @Test
    void scrapedOverLoopbackItShowsTheCountersLiveAndStopsWhenDisabled() throws Exception {
        StatsCollector collector = new StatsCollector();
        NetDevice lan = proxy(NetDevice.class, Map.of("name", "lan0", "isUp", true, "mtu", 1500), () -> new DeviceCounters(rx, 1000, 7, 700, Map.of(DropReason.NO_ROUTE, 3L)));
        collector.addForTest(proxy(NetDevices.class, Map.of("list", List.of(lan)), null), "default");
        Map<String, Long> ct = new LinkedHashMap<>();
        ct.put("found", 5L); ct.put("entries", 2L);
        collector.addForTest(proxy(ConnTracker.class, Map.of("stats", ct), null), "default");

        MetricsEndpoint endpoint = new MetricsEndpoint(collector, config(false, 0));
        assertEquals(-1, endpoint.port(), "off by default");
        endpoint.apply(config(true, 0));
        int port = endpoint.port();
        try {
            assertTrue(port > 0);
            String body = scrape(port);
            assertTrue(body.contains("# TYPE flowgate_interface_rx_packets_total counter\n"), body);
            assertTrue(body.contains("flowgate_interface_rx_packets_total{device=\"lan0\",flowgate_instance=\"default\"} 10.0\n"), body);
            assertTrue(body.contains("flowgate_interface_drops_total{device=\"lan0\",flowgate_instance=\"default\",reason=\"no-route\"} 3.0\n"), body);
            assertTrue(body.contains("flowgate_interface_drops_total{device=\"lan0\",flowgate_instance=\"default\",reason=\"ttl-exceeded\"} 0.0\n"), body);
            assertTrue(body.contains("# TYPE flowgate_interface_up gauge\nflowgate_interface_up{device=\"lan0\",flowgate_instance=\"default\"} 1.0\n"), body);
            assertTrue(body.contains("# TYPE flowgate_conntrack_entries gauge\n"), body);
            assertTrue(body.contains("flowgate_conntrack_found_total{flowgate_instance=\"default\"} 5.0\n"), body);
            rx = 12;
            assertTrue(scrape(port).contains("flowgate_interface_rx_packets_total{device=\"lan0\",flowgate_instance=\"default\"} 12.0\n"), "read at each scrape");
        } finally {
            endpoint.apply(config(false, 0));
        }
        assertEquals(-1, endpoint.port());
        assertThrows(IOException.class, () -> scrape(port));
        endpoint.stop();
    }

    private static String scrape(int port) throws Exception {
        try (HttpClient c = HttpClient.newHttpClient()) {
            HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            return r.body();
        }
    }

    static MetricsConfig config(boolean enabled, int port) {
        return (MetricsConfig) Proxy.newProxyInstance(MetricsEndpointTest.class.getClassLoader(), new Class<?>[] {MetricsConfig.class},
                (p, m, a) -> switch (m.getName()) {
                    case "enabled" -> enabled;
                    case "address" -> "127.0.0.1";
                    case "port" -> port;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, Map<String, Object> results, java.util.function.Supplier<DeviceCounters> counters) {
        return (T) Proxy.newProxyInstance(MetricsEndpointTest.class.getClassLoader(), new Class<?>[] {type},
                (p, m, a) -> {
                    if (m.getName().equals("counters") && counters != null) return counters.get();
                    if (results.containsKey(m.getName())) return results.get(m.getName());
                    if (m.getName().equals("hashCode")) return System.identityHashCode(p);
                    if (m.getName().equals("equals")) return p == a[0];
                    if (m.getName().equals("addresses")) return List.<IpPrefix>of();
                    if (m.getName().equals("mac")) return MacAddress.parse("02:00:00:00:00:01");
                    throw new UnsupportedOperationException(m.getName());
                });
    }
}
