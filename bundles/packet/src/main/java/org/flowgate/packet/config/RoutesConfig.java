package org.flowgate.packet.config;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Flowgate static routes",
        description = "Static routes of a routing instance, in ip route syntax: org.flowgate.routes for the default instance, factory configurations of org.flowgate.routes.instance (with flowgate.instance) for the others.")
public @interface RoutesConfig {
    @AttributeDefinition(name = "Routes", description = "One route each (or several separated by commas): '10.9.0.0/16 via 10.0.1.5 [dev X] [metric N]', 'default via 10.0.1.254', 'fd00:9::/64 via fd00:1::5'.", required = false)
    String[] routes() default {};
}
