package org.flowgate.io.afpacket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.PortReceiver;
import org.flowgate.api.packet.Packet;
import org.flowgate.io.afpacket.ring.RingGeometry;
import org.flowgate.io.afpacket.socket.PacketSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real frames over a veth pair {@code fgafa <-> fgafb} created in the test's network namespace: one
 * port on each end. Needs root; the pair has no addresses and IPv6 is disabled on it, and only
 * frames carrying this test's source MAC are looked at.
 */
class VethPortTest {
    static final String A = "fgafa", B = "fgafb";
    static final long SRC = 0x02_00_5e_fa_fa_01L;
    static final long OTHER_DST = 0x02_00_5e_fa_fa_99L;
    static final int ETHERTYPE_EXPERIMENTAL = 0x88B5;

    static boolean vethCreated;

    AfPacketPort portA, portB;
    final Collector atA = new Collector(), atB = new Collector();

    @BeforeAll
    static void createVethPair() {
        assumeTrue(Netns.isRoot(), "VethPortTest skipped: needs root (CAP_NET_ADMIN for the veth pair, CAP_NET_RAW for AF_PACKET)");
        assumeTrue(Netns.hasIp(), "VethPortTest skipped: the ip command (iproute2) is not installed");
        Netns.run(false, "ip", "link", "del", A); // left over from a killed run
        Netns.run(true, "ip", "link", "add", A, "type", "veth", "peer", "name", B);
        vethCreated = true;
        for (String dev : new String[] {A, B}) {
            Netns.writeProc("/proc/sys/net/ipv6/conf/" + dev + "/disable_ipv6", "1");
            Netns.run(true, "ip", "link", "set", dev, "mtu", "1500", "up");
        }
    }

    @AfterAll
    static void deleteVethPair() {
        if (vethCreated) Netns.run(false, "ip", "link", "del", A);
    }

    @BeforeEach
    void openPorts() throws Exception {
        portA = AfPacketPort.open("a", A, options(), 20);
        portB = AfPacketPort.open("b", B, options(), 20);
        portA.start(atA);
        portB.start(atB);
        waitForLinks();
    }

    @AfterEach
    void closePorts() {
        if (portA != null) portA.close();
        if (portB != null) portB.close();
    }

    static PacketSocket.Options options() {
        return new PacketSocket.Options(new RingGeometry(1 << 16, 16, 2048), new RingGeometry(1 << 16, 8, 2048), 1, false, true);
    }

    private void waitForLinks() throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!(portA.isLinkUp() && portB.isLinkUp()) && System.nanoTime() < deadline) Thread.sleep(20);
    }

    @Test
    void discoversInterfaceFromTheKernel() throws Exception {
        assertEquals(MacAddress.parse(Netns.sys(A, "address")), portA.mac());
        assertEquals(MacAddress.parse(Netns.sys(B, "address")), portB.mac());
        assertEquals(1500, portA.mtu());
        assertEquals(Integer.parseInt(Netns.sys(A, "ifindex")), portA.kernelIfIndex());
        assertTrue(portA.isLinkUp());
        int flags = Integer.decode(Netns.sys(B, "flags"));
        assertTrue((flags & 0x100) != 0, "IFF_PROMISC set while the port is open, flags " + Integer.toHexString(flags));
    }

    @Test
    void framesArriveByteExactAndNotBackOnTheSender() throws Exception {
        List<byte[]> sent = new ArrayList<>();
        sent.add(frame(portB.mac().bits(), -1, 46, 1));                  // minimum Ethernet frame
        sent.add(frame(OTHER_DST, -1, 100, 2));                          // not for B's MAC: promiscuous
        sent.add(frame(portB.mac().bits(), 0x2064, 100, 3));             // 802.1Q PCP 1 VID 100, stripped by the kernel
        sent.add(frame(portB.mac().bits(), 0x0005, 1500, 4));            // tagged, full 1500-byte payload
        sent.add(frame(MacAddress.BROADCAST.bits(), -1, 1500, 5));       // 1514-byte untagged frame
        Packet p = new Packet();
        for (byte[] f : sent) {
            p.setFrame(f, 0, f.length);
            assertTrue(portA.send(p), "queued " + f.length + " bytes");
        }
        portA.flush();

        List<byte[]> got = atB.await(sent.size());
        assertEquals(sent.size(), got.size(), "frames received on " + B);
        for (int i = 0; i < sent.size(); i++) assertArrayEquals(sent.get(i), got.get(i), "frame " + i);

        // the reverse direction, then make sure A never saw its own frames
        byte[] back = frame(portA.mac().bits(), -1, 60, 6);
        p.setFrame(back, 0, back.length);
        assertTrue(portB.send(p));
        portB.flush();
        List<byte[]> atAFrames = atA.await(1);
        assertEquals(1, atAFrames.size());
        assertArrayEquals(back, atAFrames.get(0));
        Thread.sleep(100);
        assertEquals(1, atA.frames.size(), "A received only B's frame, none of its own");
        assertEquals(sent.size(), atB.frames.size(), "B did not receive its own frame back");
        assertTrue(atB.batches.get() > 0);

        PortStatistics sa = portA.statistics();
        assertEquals(sent.size(), sa.txFrames());
        assertEquals(0, sa.receiverErrors());
    }

    @Test
    void refusesFramesLargerThanTheLink() {
        Packet p = new Packet();
        byte[] f = frame(portB.mac().bits(), -1, 1501 + 4, 7); // above MTU even with a VLAN tag allowance
        p.setFrame(f, 0, f.length);
        assertFalse(portA.send(p));
        assertEquals(1, portA.statistics().txDropped());
    }

    @Test
    void aThrowingReceiverDoesNotStopReception() throws Exception {
        portB.stop();
        Collector flaky = new Collector() {
            @Override
            public void receive(Packet p) {
                super.receive(p);
                throw new IllegalStateException("receiver bug (expected by the test)");
            }
        };
        portB.start(flaky);
        Packet p = new Packet();
        for (int i = 0; i < 3; i++) {
            byte[] f = frame(portB.mac().bits(), -1, 80, 10 + i);
            p.setFrame(f, 0, f.length);
            assertTrue(portA.send(p));
            portA.flush();
            assertEquals(i + 1, flaky.await(i + 1).size());
        }
        assertEquals(3, portB.statistics().receiverErrors());
    }

    @Test
    void stopReturnsAndRestartResumes() throws Exception {
        portB.stop();
        portB.stop(); // idempotent
        Collector again = new Collector();
        portB.start(again);
        byte[] f = frame(portB.mac().bits(), -1, 64, 20);
        Packet p = new Packet();
        p.setFrame(f, 0, f.length);
        assertTrue(portA.send(p));
        portA.flush();
        assertEquals(1, again.await(1).size());
        assertNotEquals(0, portB.statistics().rxBlocks());
    }

    @Test
    void followsLinkStateAndMtuAndSurvivesLinkDownUp() throws Exception {
        try {
            Netns.run(true, "ip", "link", "set", B, "down"); // the veth peer loses carrier too
            assertTrue(eventually(() -> !portA.isLinkUp() && !portB.isLinkUp()), "both ends seen down");
            Packet p = new Packet();
            byte[] f = frame(portB.mac().bits(), -1, 64, 30);
            p.setFrame(f, 0, f.length);
            assertFalse(portA.send(p), "no sending on a link that is down");

            Netns.run(true, "ip", "link", "set", A, "mtu", "1400");
            Netns.run(true, "ip", "link", "set", B, "up");
            assertTrue(eventually(() -> portA.isLinkUp() && portB.isLinkUp()), "both ends seen up again");
            assertTrue(eventually(() -> portA.mtu() == 1400), "MTU change seen");
            byte[] big = frame(portB.mac().bits(), -1, 1500, 31);
            p.setFrame(big, 0, big.length);
            assertFalse(portA.send(p), "1514-byte frame refused at MTU 1400");

            p.setFrame(f, 0, f.length);
            assertTrue(portA.send(p));
            portA.flush();
            List<byte[]> got = atB.await(1);
            assertEquals(1, got.size(), "the same sockets work after the link came back");
            assertArrayEquals(f, got.get(0));
        } finally {
            Netns.run(true, "ip", "link", "set", A, "mtu", "1500");
            Netns.run(true, "ip", "link", "set", B, "up");
        }
    }

    @Test
    void severalThreadsSendOnOnePort() throws Exception {
        int threads = 4, each = 500;
        Thread[] ts = new Thread[threads];
        long dst = portB.mac().bits();
        AtomicLong refused = new AtomicLong();
        for (int t = 0; t < threads; t++) {
            int id = t;
            ts[t] = new Thread(() -> {
                Packet p = new Packet();
                for (int i = 0; i < each; i++) {
                    byte[] f = frame(dst, -1, 64, 0);
                    f[15] = (byte) id;
                    f[16] = (byte) (i >>> 8);
                    f[17] = (byte) i;
                    p.setFrame(f, 0, f.length);
                    while (!portA.send(p)) {
                        refused.incrementAndGet();
                        portA.flush();
                        Thread.onSpinWait();
                    }
                    if (i % 16 == 15) portA.flush();
                }
                portA.flush();
            });
            ts[t].start();
        }
        for (Thread t : ts) t.join();
        List<byte[]> got = atB.await(threads * each);
        assertEquals(threads * each, got.size(), "every frame arrived once (" + refused.get() + " retries on a full ring)");
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        int[] last = new int[threads];
        java.util.Arrays.fill(last, -1);
        for (byte[] f : got) {
            int id = f[15], i = ((f[16] & 0xFF) << 8) | (f[17] & 0xFF);
            assertTrue(seen.add(id * 100_000 + i), "duplicate frame " + id + "/" + i);
            assertTrue(i > last[id], "frames of one thread stay in order");
            last[id] = i;
        }
    }

    /** The per-frame path allocates nothing, on the sending thread and on the receive thread. */
    @Test
    void sendAndReceiveDoNotAllocatePerFrame() throws Exception {
        Counter counter = new Counter();
        portB.stop();
        portB.start(counter);
        Thread rxThread = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("flowgate-afpacket-b")).findFirst().orElseThrow();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        byte[] f = frame(portB.mac().bits(), 0x0064, 46, 0); // tagged: exercises the VLAN re-insert
        Packet p = new Packet();
        p.setFrame(f, 0, f.length);
        sendBatches(p, 3_000); // warm up: let the JIT compile both paths
        long target = counter.count.get() + 64L * 2_000;
        long sender0 = mx.getCurrentThreadAllocatedBytes();
        long receiver0 = mx.getThreadAllocatedBytes(rxThread.threadId());
        long sent = sendBatches(p, 2_000);
        long senderBytes = mx.getCurrentThreadAllocatedBytes() - sender0;
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (counter.count.get() < target && System.nanoTime() < deadline) Thread.sleep(10);
        long receiverBytes = mx.getThreadAllocatedBytes(rxThread.threadId()) - receiver0;
        long received = counter.count.get() - (target - 64L * 2_000);
        assertTrue(sent > 64_000 && received > 10_000, "sent " + sent + ", received " + received);
        System.out.printf("allocation over %d frames sent and %d received: sender %d bytes, receive thread %d bytes%n",
                sent, received, senderBytes, receiverBytes);
        // a few bytes may come from a once-a-second link refresh; anything per frame would be megabytes
        assertTrue(senderBytes < 16_384, "sender allocated " + senderBytes + " bytes for " + sent + " frames");
        assertTrue(receiverBytes < 16_384, "receive thread allocated " + receiverBytes + " bytes for " + received + " frames");
    }

    private long sendBatches(Packet p, int batches) {
        long sent = 0;
        for (int b = 0; b < batches; b++) {
            for (int i = 0; i < 64; i++) {
                if (portA.send(p)) sent++;
            }
            portA.flush();
        }
        return sent;
    }

    /**
     * Not an assertion: a rough rate of 64-byte frames from A to B, one sending thread, batches of
     * 64 frames per flush, for about two seconds.
     */
    @Test
    void measureRate() throws Exception {
        Counter counter = new Counter();
        portB.stop();
        portB.start(counter);
        byte[] f = frame(portB.mac().bits(), -1, 46, 0);
        Packet p = new Packet();
        p.setFrame(f, 0, f.length);
        long sent = 0, full = 0;
        long t0 = System.nanoTime();
        long end = t0 + 2_000_000_000L;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 64; i++) {
                if (portA.send(p)) sent++;
                else full++;
            }
            portA.flush();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        Thread.sleep(200);
        long received = counter.count.get();
        PortStatistics sb = portB.statistics();
        System.out.printf("AF_PACKET veth rate, 64-byte frames: sent %.0f frames/s (%d refused: ring full), received %.0f frames/s (%.1f%%), "
                        + "kernel ring drops at B %d, batches %d (%.1f frames/batch)%n",
                sent / secs, full, received / secs, 100.0 * received / Math.max(1, sent), sb.kernelDrops(), sb.rxBlocks(),
                (double) sb.rxFrames() / Math.max(1, sb.rxBlocks()));
        assertTrue(received > 0);

        // one frame at a time: the latency an idle link adds (dominated by the RX block timeout)
        long[] micros = new long[50];
        for (int i = 0; i < micros.length; i++) {
            long before = counter.count.get();
            long s = System.nanoTime();
            portA.send(p);
            portA.flush();
            while (counter.count.get() == before && System.nanoTime() - s < 1_000_000_000L) Thread.onSpinWait();
            micros[i] = (System.nanoTime() - s) / 1000;
        }
        java.util.Arrays.sort(micros);
        System.out.printf("AF_PACKET veth one-way latency of a lone frame: median %d us, max %d us (RX block timeout 1 ms)%n",
                micros[micros.length / 2], micros[micros.length - 1]);
    }

    static boolean eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) return true;
            Thread.sleep(50);
        }
        return condition.getAsBoolean();
    }

    /** An Ethernet frame from {@link #SRC} with the experimental EtherType and a numbered payload. */
    static byte[] frame(long dst, int tci, int payload, int seq) {
        int hdr = tci < 0 ? 14 : 18;
        byte[] f = new byte[hdr + payload];
        new MacAddress(dst).write(f, 0);
        new MacAddress(SRC).write(f, 6);
        int p = 12;
        if (tci >= 0) {
            f[p++] = (byte) 0x81; f[p++] = 0x00;
            f[p++] = (byte) (tci >>> 8); f[p++] = (byte) tci;
        }
        f[p++] = (byte) (ETHERTYPE_EXPERIMENTAL >>> 8); f[p++] = (byte) ETHERTYPE_EXPERIMENTAL;
        f[p++] = (byte) seq;
        for (int i = p; i < f.length; i++) f[i] = (byte) (i * 7 + seq);
        return f;
    }

    static boolean ours(Packet p) {
        return p.length() >= 14 && p.ethSrc() == SRC;
    }

    /** Keeps copies of this test's frames. */
    static class Collector implements PortReceiver {
        final ConcurrentLinkedQueue<byte[]> frames = new ConcurrentLinkedQueue<>();
        final AtomicLong batches = new AtomicLong();

        @Override
        public void receive(Packet p) {
            if (ours(p)) frames.add(p.toByteArray());
        }

        @Override
        public void endOfBatch() {
            batches.incrementAndGet();
        }

        List<byte[]> await(int n) throws InterruptedException {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (frames.size() < n && System.nanoTime() < deadline) Thread.sleep(5);
            return new ArrayList<>(frames);
        }
    }

    static final class Counter implements PortReceiver {
        final AtomicLong count = new AtomicLong();

        @Override
        public void receive(Packet p) {
            if (ours(p)) count.lazySet(count.get() + 1);
        }

        @Override
        public void endOfBatch() { }
    }
}
