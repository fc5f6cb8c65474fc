package org.flowgate.itests.offload;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.MacAddress;
import org.flowgate.itests.Frames;

/**
 * A UDP conversation across the router, until closed: every 2 ms h1 sends a datagram to h2, and h2
 * answers to the source it last received from (the NATed address and port), as a real peer would.
 */
final class Conversation implements AutoCloseable {
    /** A host at the far end of a cable: its MAC, address and UDP port. */
    record Host(Wire wire, MacAddress mac, IpAddress ip, int port) {}

    private static final int PAYLOAD = 32;

    private final Host h1, h2;
    private final IpAddress h1Seen;
    private final Thread thread;
    private volatile boolean running = true;

    /** @param h1Seen h1's address as h2 sees it after the router's source NAT */
    Conversation(Host h1, Host h2, IpAddress h1Seen) {
        this.h1 = h1;
        this.h2 = h2;
        this.h1Seen = h1Seen;
        thread = Thread.ofPlatform().name("hosts").start(this::talk);
    }

    private void talk() {
        while (running) {
            h1.wire().inject(Frames.udp4(h1.wire().mac(), h1.mac(), h1.ip(), h2.ip(), 64, h1.port(), h2.port(), new byte[PAYLOAD]));
            int natPort = h2.wire().lastSourcePort;
            if (natPort > 0) h2.wire().inject(Frames.udp4(h2.wire().mac(), h2.mac(), h2.ip(), h1Seen, 64, h2.port(), natPort, new byte[PAYLOAD]));
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5000);
    }
}
