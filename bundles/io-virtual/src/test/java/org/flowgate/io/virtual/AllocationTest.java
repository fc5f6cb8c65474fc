package org.flowgate.io.virtual;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.management.ManagementFactory;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.PortReceiver;
import org.flowgate.api.packet.Packet;
import org.flowgate.io.virtual.host.EmulatedHost;
import org.flowgate.io.virtual.port.VirtualPort;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The steady-state send loop (build in a reused Packet, transmit, virtual wire, the receiving
 * host's checks and per-flow count) allocates nothing: measured with the JVM's per-thread
 * allocation counter, everything running on this thread through synchronous ports.
 */
class AllocationTest {
    @Test
    void sendingUdpThroughVirtualPortsAllocatesNothing() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(mx instanceof com.sun.management.ThreadMXBean tm && tm.isThreadAllocatedMemorySupported(),
                "this JVM cannot count allocated bytes per thread");
        com.sun.management.ThreadMXBean tm = (com.sun.management.ThreadMXBean) mx;

        VirtualPort p1 = new VirtualPort("p1", new MacAddress(0x02_00_00_00_00_01L), 1500);
        VirtualPort p2 = new VirtualPort("p2", new MacAddress(0x02_00_00_00_00_02L), 1500);
        EmulatedHost h1 = new EmulatedHost("h1", new MacAddress(0x02_00_00_00_01_01L), IpPrefix.parse("10.0.0.1/24"), null, IpPrefix.parse("fd00::1/64"), null);
        EmulatedHost h2 = new EmulatedHost("h2", new MacAddress(0x02_00_00_00_01_02L), IpPrefix.parse("10.0.0.2/24"), null, IpPrefix.parse("fd00::2/64"), null);
        h1.attach(p1);
        h2.attach(p2);
        p1.start(bridge(p2));
        p2.start(bridge(p1));
        IpAddress dst4 = IpAddress.parse("10.0.0.2"), dst6 = IpAddress.parse("fd00::2");
        assertTrue(h1.resolve(dst4, 1000));
        assertTrue(h1.resolve(dst6, 1000));

        Packet buf = new Packet();
        int n = 20_000;
        for (int round = 0; round < 2; round++) { // the first round warms up (JIT, thread-locals, flow slots)
            long before = tm.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < n; i++) {
                boolean v6 = (i & 1) != 0;
                h1.buildUdp(buf, v6 ? 6 : 4, v6 ? dst6.hi() : 0, v6 ? dst6.lo() : dst4.lo(), 10000 + (i & 7), 5001, 100, i);
                h1.transmit(buf);
            }
            long allocated = tm.getCurrentThreadAllocatedBytes() - before;
            if (round == 1) assertTrue(allocated < 1024, "allocated " + allocated + " bytes for " + n + " packets");
        }
        assertEquals(2L * n, h2.counters().udpPackets());
        assertEquals(8, h2.flows().size(), "4 IPv4 and 4 IPv6 flows (even i: v4, odd i: v6)");
    }

    static PortReceiver bridge(VirtualPort out) {
        return new PortReceiver() {
            @Override public void receive(Packet p) { out.send(p); }
            @Override public void endOfBatch() { }
        };
    }
}
