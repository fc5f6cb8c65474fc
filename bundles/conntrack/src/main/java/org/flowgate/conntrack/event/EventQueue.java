package org.flowgate.conntrack.event;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

import org.flowgate.api.conntrack.ConnEntry;
import org.flowgate.api.conntrack.ConntrackListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers conntrack events to listeners on its own thread, so a slow listener never holds up
 * the packet path: a bounded ring (two parallel arrays, nothing allocated per event) filled by
 * packet threads; when it is full the event is dropped and counted.
 */
public final class EventQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventQueue.class);
    private static final ConntrackListener.Event[] EVENTS = ConntrackListener.Event.values();

    private final List<ConntrackListener> listeners = new CopyOnWriteArrayList<>();
    private final ConnEntry[] entries;
    private final byte[] kinds;
    private int head, size;
    private final LongAdder dropped = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final Thread thread;
    private volatile boolean running = true;

    public EventQueue(int capacity, String threadName) {
        entries = new ConnEntry[Math.max(16, capacity)];
        kinds = new byte[entries.length];
        thread = Thread.ofPlatform().name(threadName).daemon().unstarted(this::run);
    }

    public EventQueue start() {
        thread.start();
        return this;
    }

    public void addListener(ConntrackListener l) { listeners.add(l); }

    public void removeListener(ConntrackListener l) { listeners.remove(l); }

    public boolean hasListeners() { return !listeners.isEmpty(); }

    /** Queues an event; never blocks. */
    public void post(ConntrackListener.Event e, ConnEntry c) {
        if (listeners.isEmpty()) return;
        synchronized (this) {
            if (size == entries.length) {
                dropped.increment();
                return;
            }
            int i = (head + size) % entries.length;
            entries[i] = c;
            kinds[i] = (byte) e.ordinal();
            if (size++ == 0) notifyAll();
        }
    }

    public long dropped() { return dropped.sum(); }

    public long delivered() { return delivered.sum(); }

    /** Events waiting. */
    public synchronized int pending() { return size; }

    private void run() {
        while (running) {
            ConnEntry c;
            ConntrackListener.Event e;
            synchronized (this) {
                while (size == 0 && running) {
                    try {
                        wait();
                    } catch (InterruptedException ie) {
                        if (!running) return;
                    }
                }
                if (!running) return;
                c = entries[head];
                e = EVENTS[kinds[head]];
                entries[head] = null;
                head = (head + 1) % entries.length;
                size--;
            }
            for (ConntrackListener l : listeners) {
                try {
                    l.onEvent(e, c);
                } catch (RuntimeException ex) {
                    LOG.warn("conntrack listener {} failed on {}", l, e, ex);
                }
            }
            delivered.increment();
        }
    }

    @Override
    public void close() {
        running = false;
        synchronized (this) { notifyAll(); }
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }
}
