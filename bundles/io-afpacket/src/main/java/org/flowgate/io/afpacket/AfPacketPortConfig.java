package org.flowgate.io.afpacket;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Flowgate AF_PACKET port",
        description = "A Linux network interface used as a router port through an AF_PACKET socket with TPACKET_V3 "
                + "memory-mapped rings. One configuration per interface. Needs root (CAP_NET_RAW) and the JVM option "
                + "--enable-native-access=ALL-UNNAMED.")
@interface AfPacketPortConfig {

    @AttributeDefinition(name = "Interface", description = "Linux interface name, e.g. eth1 or veth-r1 (in the JVM's network namespace)")
    String interface$();

    @AttributeDefinition(name = "Device name", description = "Router device name; empty = the interface name", required = false)
    String name() default "";

    @AttributeDefinition(name = "Routing instance", description = "Value of the flowgate.instance service property")
    String instance() default "default";

    @AttributeDefinition(name = "RX block size", description = "Bytes per receive ring block; a multiple of the page size. "
            + "A block is one batch; frames up to the block size minus headers are received whole", min = "4096")
    int rxBlockSize() default 1 << 18;

    @AttributeDefinition(name = "RX block count", description = "Blocks in the receive ring", min = "2")
    int rxBlockCount() default 32;

    @AttributeDefinition(name = "RX frame size", description = "Nominal frame size of the receive ring (TPACKET_V3 packs "
            + "frames by their real size; this only sets tp_frame_nr)", min = "80")
    int rxFrameSize() default 2048;

    @AttributeDefinition(name = "RX block timeout (ms)", description = "How long the kernel keeps a partly filled block "
            + "before handing it over: the extra latency under light load. 0 lets the kernel choose (several ms)", min = "0")
    int rxBlockTimeoutMillis() default 1;

    @AttributeDefinition(name = "TX block size", description = "Bytes per transmit ring block; a multiple of the page size", min = "4096")
    int txBlockSize() default 1 << 18;

    @AttributeDefinition(name = "TX block count", description = "Blocks in the transmit ring", min = "1")
    int txBlockCount() default 8;

    @AttributeDefinition(name = "TX frame size", description = "Bytes per transmit slot, a multiple of 16; each slot holds a "
            + "frame of this size minus 48 header bytes, so 2048 fits MTU 1500 and 9216+64 a jumbo MTU", min = "80")
    int txFrameSize() default 2048;

    @AttributeDefinition(name = "Bypass qdisc", description = "PACKET_QDISC_BYPASS: hand frames straight to the driver, "
            + "skipping traffic control (faster, but no tc shaping and drops when the driver queue is full)")
    boolean qdiscBypass() default false;

    @AttributeDefinition(name = "Promiscuous", description = "Receive frames for any MAC (PACKET_MR_PROMISC); the router owns the interface")
    boolean promiscuous() default true;

    @AttributeDefinition(name = "Poll timeout (ms)", description = "Longest wait of the receive thread before it looks at link state again", min = "1")
    int pollTimeoutMillis() default 100;
}
