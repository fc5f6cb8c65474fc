package org.flowgate.shell.capture;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.instance.RoutingInstance;
import org.flowgate.api.netdev.FrameTap;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.Packet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running capture of a device: a {@link FrameTap} (received and transmitted frames, when the
 * packet path calls taps) and an INGRESS {@link PacketHook} (received frames, used only when no
 * packet path calls the tap). Packet threads copy each frame into a bounded queue; a writer
 * thread appends them to the pcap file. When the queue is full the frame is counted as dropped,
 * never waited for.
 */
public final class Capture implements FrameTap, PacketHook {
    private static final Logger LOG = LoggerFactory.getLogger(Capture.class);
    private static final Frame END = new Frame(0, new byte[0]);

    private record Frame(long micros, byte[] bytes) {}

    private final String device;
    private final String instance;
    private final Path file;
    private final long limit;
    private final PcapWriter writer;
    private final BlockingQueue<Frame> queue;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean rxFromHook;
    private volatile boolean stopping;
    private volatile Runnable onEnd = () -> {};

    /**
     * @param limit frames to write before it ends by itself; 0 for no limit
     */
    public Capture(String device, Path file, long limit, int snaplen, int queueSize) throws IOException {
        this(RoutingInstance.DEFAULT, device, file, limit, snaplen, queueSize);
    }

    /** A capture of {@code device} of routing instance {@code instance}. */
    public Capture(String instance, String device, Path file, long limit, int snaplen, int queueSize) throws IOException {
        this.instance = instance;
        this.device = device;
        this.file = file;
        this.limit = limit;
        this.writer = new PcapWriter(file, snaplen);
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.thread = new Thread(this::drain, "flowgate-capture-" + device);
        thread.setDaemon(true);
    }

    public void start(Runnable onEnd) {
        this.onEnd = onEnd;
        thread.start();
    }

    /** Received frames come through the INGRESS hook: the packet path does not call frame taps. */
    void receiveThroughHook(boolean on) { rxFromHook = on; }

    public boolean txCaptured() { return !rxFromHook; }

    public String device() { return device; }

    public String instance() { return instance; }

    public Path file() { return file; }

    public long limit() { return limit; }

    public long written() { return written.get(); }

    public long dropped() { return dropped.get(); }

    public boolean isDone() { return done.getCount() == 0; }

    /** Waits until the capture ended (limit reached or stopped). */
    public boolean await(long millis) throws InterruptedException { return done.await(millis, TimeUnit.MILLISECONDS); }

    @Override
    public void frame(NetDevice dev, boolean transmit, Packet p) {
        if (!rxFromHook && device.equals(dev.name())) take(p);
    }

    @Override
    public Verdict process(Hook hook, Packet p) {
        NetDevice in = p.inDevice();
        if (rxFromHook && in != null && device.equals(in.name())) take(p);
        return Verdict.ACCEPT;
    }

    private void take(Packet p) {
        if (stopping) return;
        if (limit > 0 && accepted.incrementAndGet() > limit) return;
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        byte[] copy = java.util.Arrays.copyOfRange(p.array(), p.start(), p.end());
        if (!queue.offer(new Frame(micros, copy))) {
            dropped.incrementAndGet();
            if (limit > 0) accepted.decrementAndGet();
        }
    }

    /** Ends the capture: what is queued is still written. */
    public void stop() {
        stopping = true;
        queue.offer(END); // the writer also polls, so a full queue cannot keep it from seeing 'stopping'
    }

    private void drain() {
        try {
            while (true) {
                Frame f = queue.poll(200, TimeUnit.MILLISECONDS);
                if (f == null) {
                    writer.flush();
                    if (stopping) break;
                    continue;
                }
                if (f == END) {
                    for (Frame rest; (rest = queue.poll()) != null;) if (rest != END) write(rest);
                    break;
                }
                write(f);
                if (limit > 0 && written.get() >= limit) break;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.warn("capture on {} to {} failed", device, file, e);
        } finally {
            stopping = true;
            try { writer.close(); } catch (IOException e) { LOG.warn("closing {}", file, e); }
            done.countDown();
            onEnd.run();
        }
    }

    private void write(Frame f) throws IOException {
        if (limit > 0 && written.get() >= limit) return;
        writer.write(f.micros, f.bytes, 0, f.bytes.length);
        written.incrementAndGet();
    }

    @Override
    public String toString() {
        return (RoutingInstance.DEFAULT.equals(instance) ? "" : instance + "/") + device + " -> " + file + ": " + written() + (limit > 0 ? "/" + limit : "") + " frames"
                + (dropped() > 0 ? ", " + dropped() + " dropped (queue full)" : "") + (txCaptured() ? "" : ", received only")
                + (isDone() ? ", ended" : "");
    }
}
