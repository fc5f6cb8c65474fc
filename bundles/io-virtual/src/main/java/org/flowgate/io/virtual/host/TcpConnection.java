package org.flowgate.io.virtual.host;

import org.flowgate.api.net.IpAddress;

/**
 * One TCP connection of an emulated host, either end. Sequence numbers are 32-bit and compared
 * modulo 2^32. Fields are guarded by the object's monitor: the receiving thread and a sending
 * thread both touch them.
 */
public final class TcpConnection {
    public enum State { SYN_SENT, SYN_RCVD, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, LAST_ACK, CLOSED }

    final int family;
    final long remoteHi, remoteLo;
    final int localPort, remotePort;

    State state;
    int iss, sndNxt, sndUna, rcvNxt;
    /** Peer's receive window in bytes (scale applied) and its MSS. */
    long peerWindow = 65535;
    int peerWindowScale;
    int peerMss = 536;
    int segmentsSinceAck;
    int duplicateAcks;
    int lastSegmentLength;
    long lastProgressNanos;
    long retransmits;

    TcpConnection(int family, long remoteHi, long remoteLo, int localPort, int remotePort, State state, int iss) {
        this.family = family;
        this.remoteHi = remoteHi;
        this.remoteLo = remoteLo;
        this.localPort = localPort;
        this.remotePort = remotePort;
        this.state = state;
        this.iss = iss;
        this.sndNxt = iss;
        this.sndUna = iss;
        this.lastProgressNanos = System.nanoTime();
    }

    public synchronized State state() { return state; }

    public synchronized boolean isEstablished() { return state == State.ESTABLISHED; }

    public IpAddress remote() { return new IpAddress(family, remoteHi, remoteLo); }

    public int localPort() { return localPort; }

    public int remotePort() { return remotePort; }

    /** Bytes sent and not yet acknowledged. */
    public synchronized long inFlight() { return (sndNxt - sndUna) & 0xFFFF_FFFFL; }

    public synchronized long retransmits() { return retransmits; }

    static boolean after(int a, int b) { return a - b > 0; }

    @Override
    public synchronized String toString() {
        return "tcp " + localPort + " -> " + remote() + ":" + remotePort + " " + state;
    }
}
