package org.flowgate.offload.manager.core;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = OffloadConfig.PID, name = "Flowgate offload manager",
        description = "Moves flows of flow tables declared with 'flags offload' into offload drivers through a bounded work queue.")
public @interface OffloadConfig {
    String PID = "org.flowgate.offload";

    @AttributeDefinition(name = "Queue size", min = "16",
            description = "Pending add/stats requests across all workers; beyond it a new flow stays in software (counted queue-full) and is retried later.")
    int queue_size() default 8192;

    @AttributeDefinition(name = "Worker threads", min = "1", max = "64",
            description = "Threads calling drivers; a flow always goes to the same thread, so its calls are ordered.")
    int threads() default 2;

    @AttributeDefinition(name = "Batch size", min = "1",
            description = "Requests a worker takes from its queue at once.")
    int batch_size() default 64;

    @AttributeDefinition(name = "Stats interval (ms)", min = "10",
            description = "How often hardware counters are pulled; a flow used in hardware is then marked used in software so the flow table's GC keeps it. Must be well below the flow table timeout.")
    int stats_interval_ms() default 1000;

    @AttributeDefinition(name = "Retry interval (ms)", min = "10",
            description = "A flow a driver refused or failed (or that found the queue full) is offered again after this long.")
    int retry_interval_ms() default 5000;

    @AttributeDefinition(name = "Slow call (ms)", min = "1",
            description = "A driver call taking longer is counted (slow-calls) and logged.")
    int slow_call_ms() default 200;
}
