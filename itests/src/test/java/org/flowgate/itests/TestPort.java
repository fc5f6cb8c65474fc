package org.flowgate.itests;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.Port;
import org.flowgate.api.netdev.PortReceiver;
import org.flowgate.api.packet.Packet;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/** A port the test drives: frames are injected on the caller's thread and sent frames recorded. */
public final class TestPort implements Port {
    private final String name;
    private final MacAddress mac;
    private final List<byte[]> sent = new ArrayList<>();
    private final Packet rx = new Packet();
    private PortReceiver receiver;

    public TestPort(String name, MacAddress mac) {
        this.name = name;
        this.mac = mac;
    }

    /** Registers this port as a {@link Port} service of routing instance {@code instance}, as an I/O bundle does. */
    public ServiceRegistration<Port> register(BundleContext context, String instance) {
        return context.registerService(Port.class, this, new Hashtable<>(Map.of(Port.NAME, name, "flowgate.instance", instance)));
    }

    @Override public String name() { return name; }
    @Override public MacAddress mac() { return mac; }
    @Override public int mtu() { return 1500; }
    @Override public boolean isLinkUp() { return true; }

    @Override
    public synchronized void start(PortReceiver r) {
        receiver = r;
        notifyAll();
    }

    @Override
    public synchronized void stop() { receiver = null; }

    @Override
    public synchronized boolean send(Packet p) {
        sent.add(p.toByteArray());
        notifyAll();
        return true;
    }

    @Override
    public void flush() { }

    public synchronized boolean awaitStarted(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (receiver == null) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) return false;
            wait(left);
        }
        return true;
    }

    /** Delivers one frame as a received batch of one. */
    public synchronized void inject(byte[] frame) {
        if (receiver == null) throw new IllegalStateException(name + " not started by the packet path");
        rx.setFrame(frame, 0, frame.length);
        receiver.receive(rx);
        receiver.endOfBatch();
    }

    /** Waits for a sent frame matching {@code filter}; returns it, or null at the timeout. */
    public synchronized byte[] awaitSent(java.util.function.Predicate<byte[]> filter, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            for (byte[] f : sent) if (filter.test(f)) return f;
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) return null;
            wait(left);
        }
    }

    public synchronized List<byte[]> sent() { return List.copyOf(sent); }
}
