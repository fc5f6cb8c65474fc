package org.flowgate.io.virtual.demo;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

@ObjectClassDefinition(name = "Flowgate demo networks",
        description = "Two virtual networks (v0: 10.0.1.0/24 + fd00:1::/64 with host h1, v1: 10.0.2.0/24 + fd00:2::/64 with host h2) and traffic h1 -> h2 through the router.")
public @interface DemoConfig {
    @AttributeDefinition(description = "Create the virtual ports, hosts and traffic; false when attaching real interfaces only")
    boolean enabled() default true;

    @AttributeDefinition(description = "Start traffic h1 -> h2 when the demo starts")
    boolean traffic() default true;

    @AttributeDefinition(description = "Number of flows (distinct source ports)", min = "1", max = "1000")
    int flows() default 4;

    @AttributeDefinition(description = "Transport protocol", options = {@Option(label = "UDP", value = "udp"), @Option(label = "TCP", value = "tcp")})
    String protocol() default "udp";

    @AttributeDefinition(description = "Send over IPv6 instead of IPv4")
    boolean ipv6() default false;

    @AttributeDefinition(description = "Ethernet frame size in bytes, headers included, FCS excluded", min = "60", max = "1514")
    int packetSize() default 128;

    @AttributeDefinition(description = "Packets per second over all flows; 0 = as fast as possible", min = "0")
    long pps() default 100;

    @AttributeDefinition(description = "Seconds between summary log lines; 0 = none", min = "0")
    int summaryInterval() default 5;
}
