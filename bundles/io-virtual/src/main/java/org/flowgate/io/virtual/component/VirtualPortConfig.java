package org.flowgate.io.virtual.component;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Flowgate virtual port", description = "An in-memory port registered as a router device; its far end is an emulated wire.")
public @interface VirtualPortConfig {
    @AttributeDefinition(description = "Device name, e.g. v2 (the flowgate.port.name service property)")
    String name();

    @AttributeDefinition(description = "MAC address aa:bb:cc:dd:ee:ff; empty: a locally administered address derived from the name")
    String mac() default "";

    @AttributeDefinition(description = "MTU in bytes (68..9000)", min = "68", max = "9000")
    int mtu() default 1500;

    @AttributeDefinition(description = "Deliver received frames on the port's own thread (true) or on the injecting thread (false)")
    boolean threaded() default true;

    @AttributeDefinition(description = "Frames the receive ring holds in threaded mode", min = "2")
    int ringSize() default 1024;

    @AttributeDefinition(description = "Routing instance the port belongs to")
    String instance() default "default";
}
