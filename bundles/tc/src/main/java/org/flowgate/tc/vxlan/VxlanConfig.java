package org.flowgate.tc.vxlan;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Flowgate vxlan device",
        description = "A collect-metadata vxlan device (ip link add NAME type vxlan external dstport PORT) for tc's tunnel_key")
public @interface VxlanConfig {
    @AttributeDefinition(name = "Name", description = "Device name, e.g. vxlan0")
    String name();

    @AttributeDefinition(name = "MAC", description = "Device MAC; empty: 02:... derived from the name")
    String mac() default "";

    @AttributeDefinition(name = "MTU", description = "1450 as Linux: 1500 minus the 50-byte VXLAN/UDP/IPv4/Ethernet overhead")
    int mtu() default 1450;

    @AttributeDefinition(name = "UDP port", description = "Destination port when tunnel_key gives none, and the port received on")
    int dstport() default VxlanEncap.DEFAULT_PORT;

    @AttributeDefinition(name = "Routing instance")
    String instance() default "default";
}
