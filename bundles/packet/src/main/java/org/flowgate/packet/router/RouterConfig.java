package org.flowgate.packet.router;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Flowgate packet path",
        description = "Forwarding, ICMP rate limiting and neighbour (ARP/NDP) tunables of the default routing instance.")
public @interface RouterConfig {
    @AttributeDefinition(name = "Forwarding", description = "Route packets between devices (net.ipv4.ip_forward).")
    boolean forwarding() default true;

    @AttributeDefinition(name = "ICMP errors per second", description = "Token bucket rate for ICMP errors (icmp_msgs_per_sec); 0 = unlimited.", min = "0")
    int icmp_rate() default 1000;

    @AttributeDefinition(name = "ICMP burst", description = "Token bucket depth (icmp_msgs_burst).", min = "1")
    int icmp_burst() default 50;

    @AttributeDefinition(name = "Neighbour probes", description = "Solicitations before a neighbour fails (mcast_solicit).", min = "1")
    int neigh_probes() default 3;

    @AttributeDefinition(name = "Retransmit time (ms)", description = "Between two solicitations (retrans_time_ms).", min = "1")
    long neigh_retrans_ms() default 1000;

    @AttributeDefinition(name = "Reachable time (ms)", description = "A confirmed neighbour turns stale after this (base_reachable_time_ms).", min = "1")
    long neigh_reachable_ms() default 30_000;

    @AttributeDefinition(name = "Delay before re-probing (ms)", description = "A stale neighbour in use is re-confirmed after this (delay_first_probe_time).", min = "0")
    long neigh_delay_probe_ms() default 5000;

    @AttributeDefinition(name = "Stale GC time (ms)", description = "Unused stale entries are removed after this (gc_stale_time).", min = "1")
    long neigh_gc_stale_ms() default 60_000;

    @AttributeDefinition(name = "Failed GC time (ms)", description = "Failed entries are removed after this.", min = "1")
    long neigh_gc_failed_ms() default 3000;

    @AttributeDefinition(name = "Queue per neighbour", description = "Packets waiting for one neighbour's resolution (unres_qlen); the oldest is dropped.", min = "1")
    int neigh_queue_len() default 16;

    @AttributeDefinition(name = "Queue total", description = "Packets waiting for resolution over all neighbours (read at start).", min = "1")
    int neigh_queue_total() default 256;

    @AttributeDefinition(name = "Max neighbours", description = "Neighbour entries at most (gc_thresh3).", min = "1")
    int neigh_max_entries() default 4096;
}
