package org.flowgate.packet;

import java.util.ArrayList;
import java.util.List;

import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.Port;
import org.flowgate.api.netdev.PortReceiver;
import org.flowgate.api.packet.Packet;

/** An in-test port: frames are injected on the caller's thread, frames sent are captured. */
public final class FakePort implements Port {
    private final String name;
    private final MacAddress mac;
    private final int mtu;
    private final Packet rx = new Packet();
    private final List<byte[]> sent = new ArrayList<>();
    private volatile boolean linkUp = true;
    private volatile PortReceiver receiver;
    private int flushes;
    private boolean stopped;
    private volatile boolean capture = true;
    private long count;

    public FakePort(String name, long mac, int mtu) {
        this.name = name;
        this.mac = new MacAddress(mac);
        this.mtu = mtu;
    }

    @Override public String name() { return name; }

    @Override public MacAddress mac() { return mac; }

    @Override public int mtu() { return mtu; }

    @Override public boolean isLinkUp() { return linkUp; }

    public void setLinkUp(boolean up) { linkUp = up; }

    @Override public void start(PortReceiver r) { receiver = r; stopped = false; }

    @Override public synchronized void stop() { receiver = null; stopped = true; }

    public synchronized boolean stopped() { return stopped; }

    @Override
    public boolean send(Packet p) {
        synchronized (sent) {
            count++;
            if (capture) sent.add(p.toByteArray());
        }
        return true;
    }

    @Override public void flush() { synchronized (sent) { flushes++; } }

    public int flushes() { synchronized (sent) { return flushes; } }

    /** Delivers one frame as a batch of one, on the calling thread (one receiving thread at a time, as a real port). */
    public void inject(byte[] frame) {
        synchronized (rx) { deliver(frame); }
    }

    /** Delivers frames together, as a ring block ({@code PortReceiver.receive(Packet[], int)}), each in a packet of its own. */
    public void injectBatch(byte[]... frames) {
        synchronized (rx) {
            PortReceiver r = receiver;
            if (r == null) throw new IllegalStateException("port " + name + " not started");
            Packet[] batch = new Packet[frames.length];
            for (int i = 0; i < frames.length; i++) {
                batch[i] = new Packet();
                batch[i].setFrame(frames[i], 0, frames[i].length);
            }
            r.receive(batch, batch.length);
            r.endOfBatch();
        }
    }

    private void deliver(byte[] frame) {
        PortReceiver r = receiver;
        if (r == null) throw new IllegalStateException("port " + name + " not started");
        rx.setFrame(frame, 0, frame.length);
        r.receive(rx);
        r.endOfBatch();
    }

    /** Whether sent frames are kept (off: only counted, for allocation measurements). */
    public void setCapture(boolean c) { capture = c; }

    public long sentCount() { synchronized (sent) { return count; } }

    /** Frames sent since the last call. */
    public List<byte[]> take() {
        synchronized (sent) {
            List<byte[]> l = new ArrayList<>(sent);
            sent.clear();
            return l;
        }
    }
}
