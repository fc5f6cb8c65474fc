package org.flowgate.conntrack;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Conntrack settings. Property names are Linux's {@code net.netfilter.nf_conntrack_*} sysctl
 * names without the prefix (a double underscore in a member name is one underscore in the
 * property name); timeouts are in seconds with Linux's defaults.
 */
@ObjectClassDefinition(id = ConntrackComponent.PID, name = "Flowgate connection tracking",
        description = "Connection tracking and NAT: table size, protocol timeouts (seconds, Linux defaults), TCP window tracking.")
public @interface ConntrackConfig {
    @AttributeDefinition(name = "max", description = "Most entries in the table; when full, a non-assured entry is dropped early, else the new packet (nf_conntrack_max)", min = "16")
    int max() default 262144;

    @AttributeDefinition(name = "buckets", description = "Hash buckets (rounded up to a power of two); read at start only (nf_conntrack_buckets)", min = "16")
    int buckets() default 262144;

    @AttributeDefinition(name = "checksum", description = "Verify TCP/UDP/ICMP checksums of received packets; bad ones are ct state invalid. "
            + "Off by default (Linux: on, but there the NIC has usually verified them already; a veth peer with TX checksum offload hands over partial checksums)")
    boolean checksum() default false;

    @AttributeDefinition(name = "tcp_timeout_syn_sent") long tcp__timeout__syn__sent() default 120;
    @AttributeDefinition(name = "tcp_timeout_syn_recv") long tcp__timeout__syn__recv() default 60;
    @AttributeDefinition(name = "tcp_timeout_established") long tcp__timeout__established() default 432000;
    @AttributeDefinition(name = "tcp_timeout_fin_wait") long tcp__timeout__fin__wait() default 120;
    @AttributeDefinition(name = "tcp_timeout_close_wait") long tcp__timeout__close__wait() default 60;
    @AttributeDefinition(name = "tcp_timeout_last_ack") long tcp__timeout__last__ack() default 30;
    @AttributeDefinition(name = "tcp_timeout_time_wait") long tcp__timeout__time__wait() default 120;
    @AttributeDefinition(name = "tcp_timeout_close") long tcp__timeout__close() default 10;
    @AttributeDefinition(name = "tcp_timeout_max_retrans") long tcp__timeout__max__retrans() default 300;
    @AttributeDefinition(name = "tcp_timeout_unacknowledged", description = "Applies while data is unacknowledged, if shorter than the state's timeout")
    long tcp__timeout__unacknowledged() default 300;
    @AttributeDefinition(name = "tcp_loose", description = "Pick up connections already established (first packet without SYN)")
    boolean tcp__loose() default true;
    @AttributeDefinition(name = "tcp_be_liberal", description = "Accept out-of-window packets instead of marking them invalid")
    boolean tcp__be__liberal() default false;

    @AttributeDefinition(name = "udp_timeout", description = "UDP until it is a stream (replied and older than 2 s)") long udp__timeout() default 30;
    @AttributeDefinition(name = "udp_timeout_stream") long udp__timeout__stream() default 120;
    @AttributeDefinition(name = "icmp_timeout") long icmp__timeout() default 30;
    @AttributeDefinition(name = "icmpv6_timeout") long icmpv6__timeout() default 30;
    @AttributeDefinition(name = "generic_timeout") long generic__timeout() default 600;

    @AttributeDefinition(name = "tcp_offload_timeout", description = "Flow table TCP timeout, subtracted when a connection comes back from a flow table (nf_flowtable_tcp_timeout)")
    long tcp__offload__timeout() default 30;
    @AttributeDefinition(name = "udp_offload_timeout", description = "Flow table UDP timeout (nf_flowtable_udp_timeout)")
    long udp__offload__timeout() default 30;

    @AttributeDefinition(name = "event_queue_size", description = "Events waiting for listeners; more are dropped and counted", min = "16")
    int event__queue__size() default 65536;
    @AttributeDefinition(name = "gc_interval_ms", description = "Garbage collector step interval", min = "1")
    int gc__interval__ms() default 100;
    @AttributeDefinition(name = "gc_full_scan_ms", description = "The collector covers the whole table once per this period", min = "1")
    int gc__full__scan__ms() default 10000;
}
