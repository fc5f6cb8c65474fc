package org.flowgate.shell.capture;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.instance.RoutingInstance;
import org.flowgate.api.netdev.FrameTap;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Starts and stops captures. A running capture is registered as a {@link FrameTap} for its device;
 * if no packet path picks the tap up (older packet paths do not call taps), it is also
 * registered as an INGRESS hook at the lowest priority, so received frames are still captured.
 * Nothing is registered while no capture runs: the packet path pays nothing then.
 */
@Component(service = CaptureService.class, configurationPid = CaptureService.PID)
@Designate(ocd = CaptureConfig.class)
public class CaptureService {
    public static final String PID = "org.flowgate.capture";

    private final BundleContext context;
    private volatile CaptureConfig config;
    private final Map<Path, Running> running = new ConcurrentHashMap<>();

    private record Running(Capture capture, List<ServiceRegistration<?>> registrations) {}

    @Activate
    public CaptureService(BundleContext context, CaptureConfig config) {
        this.context = context;
        this.config = config;
    }

    @Modified
    void modified(CaptureConfig c) { this.config = c; }

    @Deactivate
    void deactivate() {
        for (Running r : List.copyOf(running.values())) r.capture.stop();
        for (Running r : List.copyOf(running.values())) {
            try { r.capture.await(2000); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
            end(r.capture.file());
        }
    }

    /** Starts capturing {@code device} of the default instance into {@code file} (replaced); {@code limit} 0 runs until {@link #stop}. */
    public Capture start(String device, Path file, long limit) throws IOException {
        return start(RoutingInstance.DEFAULT, device, file, limit);
    }

    /**
     * Starts capturing {@code device} of routing instance {@code instance} into {@code file}
     * (replaced); {@code limit} 0 runs until {@link #stop}. The tap and the fallback hook carry
     * {@code flowgate.instance}, so only that instance's packet path calls them.
     */
    public synchronized Capture start(String instance, String device, Path file, long limit) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        if (running.containsKey(key)) throw new IllegalArgumentException("a capture already writes " + key);
        CaptureConfig c = config;
        Capture capture = new Capture(instance, device, key, limit, c.snaplen(), c.queue_size());
        List<ServiceRegistration<?>> regs = new ArrayList<>();
        Dictionary<String, Object> tapProps = new Hashtable<>(Map.of(FrameTap.DEVICE, device, RoutingInstance.PROPERTY, instance));
        ServiceRegistration<FrameTap> tap = context.registerService(FrameTap.class, capture, tapProps);
        regs.add(tap);
        boolean tapUsed = false;
        Bundle[] users = tap.getReference().getUsingBundles();
        if (users != null) for (Bundle b : users) tapUsed |= b.getBundleId() != context.getBundle().getBundleId();
        if (!tapUsed) {
            capture.receiveThroughHook(true);
            Dictionary<String, Object> hookProps = new Hashtable<>(Map.of(PacketHook.HOOK, "ingress",
                    PacketHook.PRIORITY, Integer.MIN_VALUE, "flowgate.hook.name", "capture " + device, RoutingInstance.PROPERTY, instance));
            regs.add(context.registerService(PacketHook.class, capture, hookProps));
        }
        running.put(key, new Running(capture, regs));
        capture.start(() -> end(key));
        return capture;
    }

    /** Stops the captures writing {@code fileOrDevice}, or capturing that device of the default instance; returns them. */
    public List<Capture> stop(String fileOrDevice) throws InterruptedException {
        return stop(RoutingInstance.DEFAULT, fileOrDevice);
    }

    /** Stops the captures writing {@code fileOrDevice}, or capturing that device of {@code instance}; returns them. */
    public List<Capture> stop(String instance, String fileOrDevice) throws InterruptedException {
        List<Capture> stopped = new ArrayList<>();
        Path p = Path.of(fileOrDevice).toAbsolutePath().normalize();
        for (Running r : List.copyOf(running.values())) {
            if (r.capture.file().equals(p) || (r.capture.instance().equals(instance) && r.capture.device().equals(fileOrDevice))) {
                r.capture.stop();
                stopped.add(r.capture);
            }
        }
        for (Capture c : stopped) c.await(5000);
        return stopped;
    }

    public List<Capture> list() {
        List<Capture> l = new ArrayList<>();
        for (Running r : running.values()) l.add(r.capture);
        return l;
    }

    private void end(Path key) {
        Running r = running.remove(key);
        if (r == null) return;
        for (ServiceRegistration<?> reg : r.registrations) {
            try { reg.unregister(); } catch (IllegalStateException gone) { /* bundle stopping */ }
        }
    }
}
