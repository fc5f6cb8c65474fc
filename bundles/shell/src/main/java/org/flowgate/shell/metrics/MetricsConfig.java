package org.flowgate.shell.metrics;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Flowgate Prometheus endpoint",
        description = "Serves the counters router:stats shows in the Prometheus text format at http://<address>:<port>/metrics")
public @interface MetricsConfig {
    @AttributeDefinition(name = "Enabled", description = "Serve the endpoint (off by default)")
    boolean enabled() default false;

    @AttributeDefinition(name = "Address", description = "Address to listen on; keep it on loopback unless a firewall protects the port")
    String address() default "127.0.0.1";

    @AttributeDefinition(name = "Port", description = "TCP port; 0 picks a free one (logged)", min = "0", max = "65535")
    int port() default 9468;
}
