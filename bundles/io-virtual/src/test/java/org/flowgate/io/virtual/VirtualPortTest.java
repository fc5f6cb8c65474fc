package org.flowgate.io.virtual;

import static org.flowgate.io.virtual.Rfc.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.TimeUnit;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.PortReceiver;
import org.flowgate.api.packet.Packet;
import org.flowgate.io.virtual.port.CaptureSink;
import org.flowgate.io.virtual.port.VirtualPort;
import org.junit.jupiter.api.Test;

class VirtualPortTest {
    static final long A = 0x02_00_00_00_00_0AL, B = 0x02_00_00_00_00_0BL;

    static byte[] frame(long dst, long src, int n) {
        return ipv4(dst, src, IpAddress.parse("10.9.0.1"), IpAddress.parse("10.9.0.2"), 17, 64, udp(n, 9, n));
    }

    @Test
    void backToBackPortsDeliverBothWays() {
        VirtualPort a = new VirtualPort("a", new MacAddress(A), 1500);
        VirtualPort b = new VirtualPort("b", new MacAddress(B), 1500);
        VirtualPort.connect(a, b);
        Capture ra = new Capture(), rb = new Capture();
        a.start(ra);
        b.start(rb);

        byte[] ab = frame(B, A, 1);
        assertTrue(a.send(packet(ab)));
        byte[] ba = frame(A, B, 200);
        assertTrue(b.send(packet(ba)));

        assertEquals(1, rb.size());
        assertArrayEquals(ab, rb.take().get(0));
        assertEquals(1, ra.size());
        assertArrayEquals(ba, ra.take().get(0));
        assertEquals(1, rb.batches, "each synchronous delivery is a batch of one");
        assertEquals(1, a.counters().sentFrames());
        assertEquals(1, b.counters().injectedFrames());
    }

    @Test
    void sentFrameIsACopy() {
        VirtualPort a = new VirtualPort("a", new MacAddress(A), 1500);
        CaptureSink wire = new CaptureSink();
        a.connect(wire);
        Packet p = packet(frame(B, A, 3));
        a.send(p);
        p.array()[p.start()] = 0x55; // the router reuses its buffer
        assertEquals(B, mac(wire.frames().get(0), 0));
    }

    @Test
    void nestedInjectionIsDeliveredAfterTheCurrentFrameNotInsideIt() {
        // a far end that answers every frame at once, and a receiver that records whether it is re-entered
        VirtualPort a = new VirtualPort("a", new MacAddress(A), 1500);
        int[] depth = {0, 0};
        int[] received = {0};
        a.connect(f -> { if (received[0] < 3) a.inject(f); });
        a.start(new PortReceiver() {
            @Override public void receive(Packet p) {
                depth[0]++;
                depth[1] = Math.max(depth[1], depth[0]);
                received[0]++;
                a.send(p); // bounce back to the far end, which answers again
                depth[0]--;
            }
            @Override public void endOfBatch() { }
        });
        assertTrue(a.inject(frame(A, B, 1), 0, 60));
        assertEquals(3, received[0], "the whole exchange completes before inject returns");
        assertEquals(1, depth[1], "the receiver is never re-entered");
    }

    @Test
    void dropsAreCounted() {
        VirtualPort a = new VirtualPort("a", new MacAddress(A), 1500);
        byte[] f = frame(A, B, 1);
        assertTrue(a.inject(f, 0, f.length));
        assertEquals(1, a.counters().droppedNoReceiver(), "not started: nobody to deliver to");

        a.start(new Capture());
        byte[] big = new byte[1500 + 14 + 4 + 1];
        assertFalse(a.inject(big, 0, big.length));
        assertFalse(a.send(packet(big)));
        assertEquals(2, a.counters().droppedTooBig());

        a.setLinkUp(false);
        assertFalse(a.isLinkUp());
        assertFalse(a.inject(f, 0, f.length));
        assertFalse(a.send(packet(f)));
        assertEquals(2, a.counters().droppedLinkDown());
        assertEquals(5, a.counters().dropped());
    }

    @Test
    void threadedPortDeliversOnItsOwnThreadInBatches() throws Exception {
        VirtualPort a = new VirtualPort("a", new MacAddress(A), 1500, VirtualPort.Mode.THREADED, 256);
        Thread[] seen = new Thread[1];
        Capture c = new Capture() {
            @Override public synchronized void receive(Packet p) { seen[0] = Thread.currentThread(); super.receive(p); }
        };
        a.start(c);
        for (int i = 0; i < 100; i++) {
            byte[] f = frame(A, B, i);
            assertTrue(a.inject(f, 0, f.length));
        }
        assertTrue(a.awaitIdle(TimeUnit.SECONDS.toNanos(10)));
        assertEquals(100, c.size());
        assertNotSame(Thread.currentThread(), seen[0]);
        assertEquals("vport-a", seen[0].getName());
        for (int i = 0; i < 100; i++) assertEquals(i, u16(c.frames.get(i), 34), "in order");
        assertTrue(c.batches >= 1 && c.batches <= 100);
        a.stop();
        byte[] f = frame(A, B, 1);
        a.inject(f, 0, f.length);
        assertEquals(100, c.size(), "nothing is delivered after stop");
    }

    @Test
    void threadedRingOverflowIsCountedNotBlocking() {
        VirtualPort a = new VirtualPort("a", new MacAddress(A), 1500, VirtualPort.Mode.THREADED, 4);
        // not started: nothing drains the ring
        byte[] f = frame(A, B, 1);
        int ok = 0;
        for (int i = 0; i < 10; i++) if (a.inject(f, 0, f.length)) ok++;
        assertEquals(4, ok);
        assertEquals(6, a.counters().droppedRingFull());
    }

    @Test
    void failuresOfReceiverOrFarEndAreCountedAndTheThreadSurvives() {
        VirtualPort a = new VirtualPort("a", new MacAddress(A), 1500, VirtualPort.Mode.THREADED, 16);
        Capture c = new Capture();
        int[] calls = {0};
        a.start(new PortReceiver() {
            @Override public void receive(Packet p) {
                if (calls[0]++ == 0) throw new IllegalStateException("receiver bug");
                c.receive(p);
            }
            @Override public void endOfBatch() { }
        });
        byte[] f = frame(A, B, 1);
        a.inject(f, 0, f.length);
        assertTrue(a.awaitIdle(TimeUnit.SECONDS.toNanos(10)));
        a.inject(f, 0, f.length);
        assertTrue(a.awaitIdle(TimeUnit.SECONDS.toNanos(10)));
        assertEquals(1, c.size(), "the port thread delivered the next frame");
        a.stop();

        VirtualPort s = new VirtualPort("s", new MacAddress(A), 1500);
        s.connect(p -> { throw new IllegalStateException("far end bug"); });
        assertTrue(s.send(packet(f)));
        assertEquals(1, s.counters().errors());
        assertEquals(1, a.counters().errors());
    }
}
