package org.flowgate.packet.router;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.flowgate.api.netdev.Port;
import org.flowgate.api.netdev.PortReceiver;
import org.flowgate.api.packet.Packet;
import org.flowgate.packet.device.Device;
import org.flowgate.packet.device.DeviceTable;
import org.flowgate.packet.device.RedirectReceiver;
import org.flowgate.packet.fib.Fib;
import org.flowgate.packet.hook.HookChains;
import org.flowgate.packet.neigh.NeighbourCache;
import org.flowgate.packet.neigh.NeighbourSettings;
import org.flowgate.packet.path.PathSettings;
import org.flowgate.packet.path.PacketPath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One routing instance, assembled from plain objects: usable without OSGi (tests, benchmarks,
 * other bundles' tests) and wrapped by {@link RouterComponent} inside the framework.
 *
 * <pre>
 * Router r = new Router();             // or new Router(pathSettings, neighbourSettings, clock)
 * r.attach(port);                      // port.start(...) is called; frames flow
 * r.devices().addAddress("eth0", IpPrefix.parse("10.0.1.1/24"));
 * r.routes().add(new Route(...));
 * r.hooks().add(hook, 0, Hook.FORWARD);
 * r.startTimers();                     // neighbour retries on a scheduler thread (or call tick())
 * r.close();
 * </pre>
 */
public final class Router implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);
    /** How often the neighbour timers run; probes are 1 s apart, so this is their resolution. */
    public static final long TICK_MILLIS = 100;

    private final DeviceTable devices = new DeviceTable();
    private final Fib fib;
    private final NeighbourCache neighbours;
    private final HookChains hooks = new HookChains();
    private final PacketPath path;
    private final LongSupplier clock;
    private final Map<Port, Device> attached = new IdentityHashMap<>();
    private final List<Port> waiting = new ArrayList<>(); // guarded by attached
    private ScheduledExecutorService timer;

    public Router() { this(PathSettings.defaults(), NeighbourSettings.defaults(), System::nanoTime); }

    /** {@code clock}: a nanosecond clock (System::nanoTime; tests pass their own and call {@link #tick}). */
    public Router(PathSettings pathSettings, NeighbourSettings neighbourSettings, LongSupplier clock) {
        this.clock = clock;
        this.fib = new Fib(devices);
        this.neighbours = new NeighbourCache(devices, neighbourSettings);
        this.path = new PacketPath(devices, fib, neighbours, hooks, pathSettings, clock);
    }

    public DeviceTable devices() { return devices; }

    public Fib routes() { return fib; }

    public NeighbourCache neighbours() { return neighbours; }

    public HookChains hooks() { return hooks; }

    public PacketPath path() { return path; }

    /**
     * Attaches a port as a device and starts its delivery into the packet path. A port whose name
     * is still held by another port waits and is attached when that one is detached (a replacement
     * port may arrive before the old one leaves); returns null then.
     */
    public Device attach(Port port) {
        Device d;
        synchronized (attached) {
            for (Device x : attached.values()) {
                if (x.name().equals(port.name())) {
                    waiting.add(port);
                    LOG.info("port {} waits: its name is still held by the attached port", port.name());
                    return null;
                }
            }
            d = devices.attach(port);
            attached.put(port, d);
        }
        Receiver r = new Receiver(path, d);
        d.setReceiver(r);
        port.start(r);
        LOG.info("attached {} ifindex {} mac {} mtu {}", d.name(), d.ifIndex(), d.mac(), d.mtu());
        return d;
    }

    /** Stops a port and removes its device (its neighbours and routes go with it); a port waiting for the name follows. */
    public void detach(Port port) {
        Device d;
        Port next = null;
        synchronized (attached) {
            if (waiting.remove(port)) return;
            d = attached.remove(port);
        }
        if (d == null) return;
        d.setReceiver(null);
        try {
            port.stop();
        } finally {
            devices.detach(port);
            LOG.info("detached {}", d.name());
            synchronized (attached) {
                for (Port w : waiting) if (w.name().equals(d.name())) { next = w; break; }
                if (next != null) waiting.remove(next);
            }
        }
        if (next != null) attach(next);
    }

    /** Runs the timers once now: neighbour retries, failures, aging; then flushes what they sent. */
    public void tick() {
        neighbours.tick(clock.getAsLong());
        devices.flushPending();
    }

    /** Runs {@link #tick} every {@value #TICK_MILLIS} ms on a daemon thread. */
    public synchronized void startTimers() {
        if (timer != null) return;
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "flowgate-neighbour-timer");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::safeTick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void safeTick() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.error("neighbour timer failed", e);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (timer != null) {
                timer.shutdownNow();
                timer = null;
            }
        }
        List<Port> ports;
        synchronized (attached) { ports = new ArrayList<>(attached.keySet()); }
        for (Port p : ports) detach(p);
    }

    /** Delivers one port's frames into the path, tagged with its device. */
    private record Receiver(PacketPath path, Device device) implements RedirectReceiver {
        @Override
        public void receive(Packet p) { path.receive(device, p); }

        @Override
        public void receive(Packet[] frames, int count) { path.receive(device, frames, count); }

        @Override
        public void receiveRedirected(Packet p) { path.receiveRedirected(device, p); }

        @Override
        public void endOfBatch() { path.endOfBatch(); }
    }
}
