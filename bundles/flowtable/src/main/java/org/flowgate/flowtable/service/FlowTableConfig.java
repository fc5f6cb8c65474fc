package org.flowgate.flowtable.service;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = FlowTableConfig.PID, name = "Flowgate flow tables",
        description = "The software flow table fast path: flow timeout and garbage collector pacing.")
public @interface FlowTableConfig {
    String PID = "org.flowgate.flowtable";

    @AttributeDefinition(name = "Timeout (s)", min = "1",
            description = "A flow with no packet for this long is removed and its connection given back to conntrack (Linux: nf_flowtable_tcp_timeout / nf_flowtable_udp_timeout).")
    int timeout() default 30;

    @AttributeDefinition(name = "GC interval (ms)", min = "1",
            description = "How often the garbage collector runs a step; also the resolution of the flows' last-used time.")
    int gc_interval_ms() default 10;

    @AttributeDefinition(name = "GC pass (ms)", min = "1",
            description = "Time a full garbage collection pass over a table is spread over (Linux's flow table GC runs once a second): each step examines the table's slots times interval/pass, within the budget. Idle flows are found within timeout + this; torn-down flows are reaped at every step.")
    int gc_pass_ms() default 1000;

    @AttributeDefinition(name = "GC budget (slots)", min = "64",
            description = "Most hash slots examined per table per step: bounds the work of a step, so a pass over a very large table may take longer than the GC pass time.")
    int gc_budget() default 16384;

    @AttributeDefinition(name = "Expected flows", min = "16",
            description = "Initial size of each table; tables grow beyond it (a resize copies the table once).")
    int expected_flows() default 4096;
}
