package org.flowgate.shell.metrics;

import java.io.IOException;

import org.flowgate.shell.stats.StatsCollector;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The Prometheus endpoint (configuration {@value #PID}): off by default; when enabled, the
 * Prometheus Java client's HTTP server on {@code address:port} (loopback by default) serves
 * {@code /metrics} from {@link StatsMetrics}. Configuration changes restart it at once.
 */
@Component(immediate = true, configurationPid = MetricsEndpoint.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, service = MetricsEndpoint.class)
@Designate(ocd = MetricsConfig.class)
public class MetricsEndpoint {
    public static final String PID = "org.flowgate.metrics";
    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private HTTPServer server;

    @Activate
    public MetricsEndpoint(@Reference StatsCollector collector, MetricsConfig config) {
        registry.register(new StatsMetrics(collector));
        apply(config);
    }

    @Modified
    synchronized void apply(MetricsConfig config) {
        stop();
        if (!config.enabled()) return;
        try {
            server = HTTPServer.builder().hostname(config.address()).port(config.port()).registry(registry).buildAndStart();
            LOG.info("metrics endpoint at http://{}:{}/metrics", config.address(), server.getPort());
            if (!java.net.InetAddress.getByName(config.address()).isLoopbackAddress()) {
                LOG.warn("metrics endpoint listens on {}, not on loopback: anyone who reaches the port reads the router's counters", config.address());
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot serve metrics on {}:{}", config.address(), config.port(), e);
        }
    }

    /** The port served, or -1 when off. */
    public synchronized int port() { return server == null ? -1 : server.getPort(); }

    @Deactivate
    synchronized void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** For tests: the registry the endpoint serves. */
    PrometheusRegistry registry() { return registry; }
}
