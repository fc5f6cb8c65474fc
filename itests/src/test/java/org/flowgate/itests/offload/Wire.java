package org.flowgate.itests.offload;

import java.util.concurrent.atomic.AtomicLong;

import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.Port;
import org.flowgate.api.netdev.PortReceiver;
import org.flowgate.api.packet.Packet;
import org.flowgate.itests.Frames;

/**
 * A cable with a host at its far end: whoever holds the port (the router, or the emulated NIC in
 * front of it) gets the host's frames; frames sent out are what the host receives. It counts the
 * UDP datagrams the host received for one destination port and remembers the last one's source
 * port (the masqueraded port, for the replies).
 */
final class Wire implements Port {
    private final String name;
    private final MacAddress mac;
    private final int dport;
    private final Packet rx = new Packet();
    private PortReceiver receiver;
    final AtomicLong received = new AtomicLong(), badChecksums = new AtomicLong(), notDelivered = new AtomicLong();
    volatile int lastSourcePort = -1;

    Wire(String name, MacAddress mac, int dport) {
        this.name = name;
        this.mac = mac;
        this.dport = dport;
    }

    @Override public String name() { return name; }
    @Override public MacAddress mac() { return mac; }
    @Override public int mtu() { return 1500; }
    @Override public boolean isLinkUp() { return true; }
    @Override public synchronized void start(PortReceiver r) { receiver = r; }
    @Override public synchronized void stop() { receiver = null; }
    @Override public void flush() { }

    @Override
    public boolean send(Packet p) {
        byte[] f = p.toByteArray();
        if (Frames.isIpv4(f) && Frames.u8(f, 23) == 17 && Frames.u16(f, 36) == dport) {
            if (org.flowgate.api.packet.Checksums.checksum(f, 14, 20) != 0 || Frames.udp4ChecksumResidue(f) != 0) badChecksums.incrementAndGet();
            lastSourcePort = Frames.u16(f, 34);
            received.incrementAndGet();
        }
        return true;
    }

    /** The host sends a frame: delivered to the port's holder, or lost while nobody holds the cable. */
    synchronized void inject(byte[] frame) {
        if (receiver == null) {
            notDelivered.incrementAndGet();
            return;
        }
        rx.setFrame(frame, 0, frame.length);
        receiver.receive(rx);
        receiver.endOfBatch();
    }
}
