package org.flowgate.packet.config;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Flowgate interface",
        description = "Addresses and settings of one router interface (one configuration per interface).")
public @interface InterfaceConfig {
    @AttributeDefinition(name = "Name", description = "The device (port) name, e.g. eth0 or veth-r1.")
    String name();

    @AttributeDefinition(name = "Addresses", description = "Interface addresses with prefix length: 10.0.1.1/24, fd00:1::1/64.", required = false)
    String[] addresses() default {};

    @AttributeDefinition(name = "MTU", description = "IP MTU; 0 keeps the port's.", min = "0", max = "65535", required = false)
    int mtu() default 0;

    @AttributeDefinition(name = "Up", description = "Administrative state.", required = false)
    boolean up() default true;
}
