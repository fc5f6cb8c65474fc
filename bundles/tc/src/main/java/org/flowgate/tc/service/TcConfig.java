package org.flowgate.tc.service;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Flowgate tc", description = "The tc ingress classifier of a routing instance")
public @interface TcConfig {
    @AttributeDefinition(name = "Ingress hook priority",
            description = "Priority of the tc hook at INGRESS (lower runs first). -500 runs tc before the flow table fast "
                    + "path and the vxlan receive hook (-400), as tc ingress runs first in Linux.")
    int hook_priority() default -500;

    @AttributeDefinition(name = "Filter file",
            description = "File of tc commands (\"tc filter add dev X ingress ...\", one per line, \\ continues a line, "
                    + "# starts a comment) added at activation. Empty: none.")
    String file() default "";

    @AttributeDefinition(name = "ct flow idle timeout",
            description = "Seconds without packets after which a connection leaves its zone's flow table and goes back to "
                    + "conntrack (the flow table's offload timeout in Linux: 30)")
    long ct_flow_timeout() default 30;

    @AttributeDefinition(name = "ct flow table buckets", description = "Hash buckets of each zone's flow table")
    int ct_flow_buckets() default 4096;

    @AttributeDefinition(name = "Filters", description = "tc filter commands added at activation, after the file's.")
    String[] filters() default {};
}
