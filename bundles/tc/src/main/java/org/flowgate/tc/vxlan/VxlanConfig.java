package org.flowgate.tc.vxlan;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Flowgate vxlan device",
        description = "A vxlan device: collect-metadata for tc's tunnel_key (ip link add NAME type vxlan external dstport PORT), "
                + "or with a fixed VNI and remote (ip link add NAME type vxlan id VNI [local A] remote B dstport PORT)")
public @interface VxlanConfig {
    @AttributeDefinition(name = "Name", description = "Device name, e.g. vxlan0")
    String name();

    @AttributeDefinition(name = "MAC", description = "Device MAC; empty: 02:... derived from the name")
    String mac() default "";

    @AttributeDefinition(name = "MTU", description = "0: as Linux, 1500 minus the VXLAN overhead: 1450 (IPv4 or external), 1430 (IPv6 remote)")
    int mtu() default 0;

    @AttributeDefinition(name = "UDP port", description = "Destination port when tunnel_key gives none, and the port received on")
    int dstport() default VxlanEncap.DEFAULT_PORT;

    @AttributeDefinition(name = "VNI", description = "-1: external (collect metadata, tunnel_key gives the VNI per packet); "
            + "0..16777215: the VNI of a device with a fixed remote")
    int id() default -1;

    @AttributeDefinition(name = "Remote", description = "Remote VTEP, IPv4 or IPv6 (needs id)")
    String remote() default "";

    @AttributeDefinition(name = "Local", description = "Outer source address; empty: the egress device's address")
    String local() default "";

    @AttributeDefinition(name = "TTL", description = "Outer TTL / hop limit with a fixed remote; 0: 64")
    int ttl() default 0;

    @AttributeDefinition(name = "TOS", description = "Outer TOS / traffic class with a fixed remote")
    int tos() default 0;

    @AttributeDefinition(name = "UDP checksum", description = "Outer IPv4 UDP checksum with a fixed remote (Linux: off by default); "
            + "over IPv6 always computed")
    boolean udpcsum() default false;

    @AttributeDefinition(name = "Routing instance")
    String instance() default "default";
}
