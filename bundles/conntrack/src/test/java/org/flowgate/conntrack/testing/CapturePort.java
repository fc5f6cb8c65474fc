package org.flowgate.conntrack.testing;

import java.util.ArrayList;
import java.util.List;

import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.Port;
import org.flowgate.api.netdev.PortReceiver;
import org.flowgate.api.packet.Packet;

/** An in-test port: frames are injected on the caller's thread; frames sent are captured. */
public final class CapturePort implements Port {
    private final String name;
    private final MacAddress mac;
    private final Packet rx = new Packet();
    private final List<byte[]> sent = new ArrayList<>();
    private volatile PortReceiver receiver;

    public CapturePort(String name, MacAddress mac) {
        this.name = name;
        this.mac = mac;
    }

    @Override public String name() { return name; }
    @Override public MacAddress mac() { return mac; }
    @Override public int mtu() { return 1500; }
    @Override public boolean isLinkUp() { return true; }
    @Override public void start(PortReceiver r) { receiver = r; }
    @Override public void stop() { receiver = null; }
    @Override public synchronized boolean send(Packet p) { sent.add(p.toByteArray()); return true; }
    @Override public void flush() { }

    public synchronized void inject(byte[] frame) {
        rx.setFrame(frame, 0, frame.length);
        receiver.receive(rx);
        receiver.endOfBatch();
    }

    public synchronized List<byte[]> take() {
        List<byte[]> l = new ArrayList<>(sent);
        sent.clear();
        return l;
    }
}
