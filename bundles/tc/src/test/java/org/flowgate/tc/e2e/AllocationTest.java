package org.flowgate.tc.e2e;

import static org.flowgate.tc.support.Frames.*;
import static org.flowgate.tc.support.TcWorld.*;
import static org.junit.jupiter.api.Assertions.*;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

import org.flowgate.api.packet.Packet;
import org.flowgate.tc.support.TcWorld;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The seed's steady state allocates nothing: an established UDP connection's packets run chain 0,
 * the ct action (hit in zone 0's flow table), chain 2 +trk+est, tunnel_key and the VXLAN
 * encapsulation on vxlan0, and leave on up0 — measured with the per-thread allocation counter.
 */
class AllocationTest {
    /** The per-thread allocation counter; the test is skipped on a JVM without one. */
    static com.sun.management.ThreadMXBean allocationCounter() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(mx instanceof com.sun.management.ThreadMXBean tm && tm.isThreadAllocatedMemorySupported(),
                "this JVM cannot count allocated bytes per thread");
        return (com.sun.management.ThreadMXBean) mx;
    }

    @Test
    void establishedSeedFlowAllocatesNothing() {
        com.sun.management.ThreadMXBean tm = allocationCounter();
        try (TcWorld w = new TcWorld()) {
            w.add(SeedExampleTest.SEED.replace("ens1f0_0", "p0"));
            w.add(SeedExampleTest.SEED2.replace("ens1f0_0", "p0"));
            w.add(SeedExampleTest.SEED3.replace("ens1f0_0", "p0"));
            w.add("tc filter add dev vxlan0 ingress prio 1 chain 0 proto ip flower ct_state -trk action ct pipe action goto chain 2");
            w.add("tc filter add dev vxlan0 ingress prio 1 chain 2 proto ip flower ct_state +trk+est action mirred egress redirect dev p0");
            AtomicLong sent = new AtomicLong();
            w.up0.connect(p -> sent.incrementAndGet());
            byte[] q = eth(HOST_B, HOST_A, 0x0800, ipv4(A_IP, B_IP, Packet.PROTO_UDP, udp(5000, 53, new byte[32])));
            inject(w.p0, q);
            byte[] reply = eth(HOST_A, HOST_B, 0x0800, ipv4(B_IP, A_IP, Packet.PROTO_UDP, udp(53, 5000, new byte[32])));
            byte[] vx = new byte[8 + reply.length];
            vx[0] = 0x08;
            put32(vx, 4, 98 << 8);
            System.arraycopy(reply, 0, vx, 8, reply.length);
            inject(w.up0, eth(UP0_MAC, VTEP_MAC, 0x0800, ipv4(VTEP_IP, UP0_IP, Packet.PROTO_UDP, udp(51000, 4789, vx))));
            assertEquals(1, w.tc.ctFlows().size(), "established and in zone 0's flow table");

            int n = 20_000;
            for (int round = 0; round < 4; round++) { // JIT warm-up (other tests may run first in this JVM): the last round is measured
                long before = tm.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < n; i++) w.p0.inject(q, 0, q.length);
                long allocated = tm.getCurrentThreadAllocatedBytes() - before;
                if (round == 3) assertTrue(allocated < 1024, "allocated " + allocated + " bytes for " + n + " packets");
            }
            assertEquals(1 + 4L * n, sent.get(), "every packet left encapsulated");
            assertEquals(4L * n, w.tc.stats().get("ct_flow_hits"));
        }
    }

    /** IPv6 VXLAN through the neighbour subsystem, with a mirred ingress mirror (a nested classification) on the way. */
    @Test
    void ipv6VxlanAndMirredIngressAllocateNothing() {
        com.sun.management.ThreadMXBean tm = allocationCounter();
        try (TcWorld w = new TcWorld()) {
            w.router.devices().addAddress("up0", org.flowgate.api.net.IpPrefix.parse("2001:db8::1/64"));
            w.router.neighbours().addStatic(org.flowgate.api.net.IpAddress.parse("2001:db8::2"), "up0", VTEP_MAC);
            w.add("tc filter add dev p0 ingress proto ip flower action tunnel_key set dst_ip 2001:db8::2 id 7 pipe "
                    + "action mirred ingress mirror dev p1 pipe action mirred egress redirect dev vxlan0");
            w.add("tc filter add dev p1 ingress proto ip flower action drop");
            AtomicLong sent = new AtomicLong();
            w.up0.connect(p -> sent.incrementAndGet());
            byte[] q = eth(HOST_B, HOST_A, 0x0800, ipv4(A_IP, B_IP, Packet.PROTO_UDP, udp(5000, 53, new byte[32])));
            int n = 20_000;
            for (int round = 0; round < 4; round++) { // JIT warm-up: the last round is measured
                long before = tm.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < n; i++) w.p0.inject(q, 0, q.length);
                long allocated = tm.getCurrentThreadAllocatedBytes() - before;
                if (round == 3) assertTrue(allocated < 1024, "allocated " + allocated + " bytes for " + n + " packets");
            }
            assertEquals(4L * n, sent.get(), "every packet left encapsulated");
            assertEquals(4L * n, w.filter("p1", 0, 0xC000, 1).packets(), "every copy was classified on p1");
        }
    }
}
