package org.flowgate.packet.config;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Flowgate static routes of an instance",
        description = "Static routes of one routing instance (one factory configuration per route set), in ip route syntax.")
public @interface InstanceRoutesConfig {
    @AttributeDefinition(name = "Instance", description = "The routing instance (flowgate.instance) whose table gets the routes; 'default' is allowed.")
    String flowgate_instance();

    @AttributeDefinition(name = "Routes", description = "One route each (or several separated by commas): '10.9.0.0/16 via 10.0.1.5 [dev X] [metric N]', 'default via 10.0.1.254', 'fd00:9::/64 via fd00:1::5'.", required = false)
    String[] routes() default {};
}
