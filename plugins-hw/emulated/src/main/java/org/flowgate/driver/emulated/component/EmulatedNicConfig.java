package org.flowgate.driver.emulated.component;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

@ObjectClassDefinition(id = EmulatedNicConfig.PID, name = "Flowgate emulated NIC",
        description = "An emulated NIC eswitch in front of wire ports (Port services with flowgate.nic=<name>), and its offload driver.")
public @interface EmulatedNicConfig {
    String PID = "org.flowgate.driver.emulated";

    @AttributeDefinition(name = "Name", description = "The NIC's name; wire ports join it with service property flowgate.nic=<name>. "
            + "A change releases the old name's ports (their flows return to software) and takes the new name's.")
    String name() default "nic0";

    @AttributeDefinition(name = "Capacity", min = "1",
            description = "CT table entries (and fte_ids): one per flow direction. Changes apply at runtime: growing keeps every entry, "
                    + "shrinking evicts the newest flows to software (counted as evicted).")
    int capacity() default 4096;

    @AttributeDefinition(name = "Offload driver", description = "Register the OffloadDriver service; false withdraws it (flows go back to software) while the ports stay.")
    boolean offload() default true;

    @AttributeDefinition(name = "Insert latency (ms)", min = "0", description = "Time each rule insert takes (a firmware command).")
    int insert_latency_ms() default 0;

    @AttributeDefinition(name = "Fail every", min = "0", description = "Every n-th insert fails (0 = never).")
    int fail_every() default 0;

    @AttributeDefinition(name = "Failure mode", description = "How an injected failure shows.",
            options = { @Option(label = "refuse (OffloadException)", value = "REFUSE"), @Option(label = "throw (driver bug)", value = "THROW") })
    String fail_mode() default "REFUSE";

    @AttributeDefinition(name = "ct zone pre_ct rules", required = false,
            description = "Per port, the offloaded tc chain 0 filter 'ct zone Z pipe goto chain C' as '<port> <zone> <chain>' (e.g. 'p0 0 2'): "
                    + "the port's frames are looked up in zone Z's ct-only entries (tc ct zone flow tables), NATed on a hit and handed to software "
                    + "to continue at chain C with the zone restored. Ports with an nft flowtable rule use that instead.")
    String[] ct_zones() default {};
}
