package org.flowgate.conntrack.proto;

import org.flowgate.conntrack.proto.tcp.TcpStates;

/** Protocol timeouts in nanoseconds and protocol switches; immutable, swapped whole on reconfiguration. */
public final class Timeouts {
    private static final long S = 1_000_000_000L;

    /** Indexed by {@link TcpStates} state number. */
    final long[] tcp = new long[TcpStates.COUNT];
    public final long tcpRetrans, tcpUnack, udp, udpStream, icmp, icmpv6, generic, tcpOffload, udpOffload;
    public final boolean tcpLoose, tcpBeLiberal;

    /** All values in seconds, Linux's sysctl names without the {@code nf_conntrack_} prefix. */
    public Timeouts(long synSent, long synRecv, long established, long finWait, long closeWait, long lastAck,
                    long timeWait, long close, long retrans, long unack, long udp, long udpStream, long icmp, long icmpv6,
                    long generic, long tcpOffload, long udpOffload, boolean tcpLoose, boolean tcpBeLiberal) {
        tcp[TcpStates.NONE] = 0;
        tcp[TcpStates.SYN_SENT] = synSent * S;
        tcp[TcpStates.SYN_RECV] = synRecv * S;
        tcp[TcpStates.ESTABLISHED] = established * S;
        tcp[TcpStates.FIN_WAIT] = finWait * S;
        tcp[TcpStates.CLOSE_WAIT] = closeWait * S;
        tcp[TcpStates.LAST_ACK] = lastAck * S;
        tcp[TcpStates.TIME_WAIT] = timeWait * S;
        tcp[TcpStates.CLOSE] = close * S;
        tcp[TcpStates.SYN_SENT2] = synSent * S;
        this.tcpRetrans = retrans * S;
        this.tcpUnack = unack * S;
        this.udp = udp * S;
        this.udpStream = udpStream * S;
        this.icmp = icmp * S;
        this.icmpv6 = icmpv6 * S;
        this.generic = generic * S;
        this.tcpOffload = tcpOffload * S;
        this.udpOffload = udpOffload * S;
        this.tcpLoose = tcpLoose;
        this.tcpBeLiberal = tcpBeLiberal;
    }

    /** Linux's defaults. */
    public static Timeouts linuxDefaults() {
        return new Timeouts(120, 60, 432_000, 120, 60, 30, 120, 10, 300, 300, 30, 120, 30, 30, 600, 30, 30, true, false);
    }

    public long tcp(int state) { return tcp[state]; }
}
