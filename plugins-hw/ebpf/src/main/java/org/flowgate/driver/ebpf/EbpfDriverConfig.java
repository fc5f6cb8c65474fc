package org.flowgate.driver.ebpf;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Flowgate eBPF kernel offload driver",
        description = "Offloads flows between the listed Linux interfaces into the kernel of the router's network namespace "
                + "(a tc clsact eBPF program forwards them before they reach the AF_PACKET ports).")
public @interface EbpfDriverConfig {
    @AttributeDefinition(description = "Linux interface names this driver serves (the router's AF_PACKET ports), comma-separated")
    String[] devices() default {};

    @AttributeDefinition(description = "Most flow directions offloaded at once (also bounded by the BPF map size, 65536)", min = "1")
    int maxFlows() default 65536;

    @AttributeDefinition(description = "Where bpffs is (mounted there when absent); pins go under <bpffs>/flowgate/ns<netns inode>")
    String bpffs() default "/sys/fs/bpf";

    @AttributeDefinition(description = "tc filter priority (pref) of the offload program on each port's clsact ingress", min = "1", max = "65535")
    int tcPriority() default 49;

    @AttributeDefinition(description = "How often (ms) the driver looks for configured devices that appeared or went away "
            + "(also at once when a Port service comes or goes)", min = "50")
    long deviceRescanMillis() default 1000;

    @AttributeDefinition(description = "The tc command (iproute2)")
    String tc() default "tc";

    @AttributeDefinition(description = "The bpftool command")
    String bpftool() default "bpftool";

    @AttributeDefinition(name = "flowgate.instance", description = "Routing instance this driver serves")
    String flowgate_instance() default "default";
}
