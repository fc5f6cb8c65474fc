package org.flowgate.shell.jmx;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Flowgate JMX counters",
        description = "Registers the counters router:stats shows as MBeans org.flowgate:type=<kind>,instance=<instance>,name=<name> with the platform MBeanServer")
public @interface JmxConfig {
    @AttributeDefinition(name = "Enabled", description = "Register the MBeans")
    boolean enabled() default true;

    @AttributeDefinition(name = "Refresh interval (s)", description = "How often the set of MBeans follows devices, flow tables and drivers that come and go", min = "1")
    int refresh_seconds() default 5;
}
