package org.flowgate.nft;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;

import org.flowgate.api.conntrack.CtState;
import org.flowgate.api.hook.Hook;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.Packet;
import org.flowgate.nft.engine.NftEngine;
import org.junit.jupiter.api.Test;

/** The evaluator allocates nothing per packet (measured with the JVM's per-thread allocation counter). */
class AllocationTest {
    @Test
    void evaluationDoesNotAllocate() throws Exception {
        var mx = ManagementFactory.getThreadMXBean();
        assumeTrue(mx instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported(), "no allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) mx;
        NftEngine e = new NftEngine();
        e.load("""
                table inet t {
                 set block { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 192.0.2.7 } }
                 map ports { type inet_service : verdict; elements = { 22 : jump ssh, 443 : accept } }
                 chain c {
                  type filter hook forward priority 0; policy drop;
                  ip saddr @block drop
                  iifname { "lan*", "wg0" } oifname != "lan0" tcp flags & (syn | ack) == ack ct state established,related counter
                  meta l4proto tcp tcp dport vmap @ports
                  ip6 saddr 2001:db8::/32 udp dport 1000-2000 accept
                  meta mark set 0x10 limit rate 1000000/second accept
                 }
                 chain ssh {
                  ip daddr 198.51.100.0/24 return
                  accept
                 }
                }
                """, "alloc.nft");
        NetDevice lan = BenchDevices.device("lan3", 3), wan = BenchDevices.device("eth0", 4);
        Packet p = Frames.tcp4("192.0.2.8", "198.51.100.1", 40000, 22, 0x10);
        p.setInDevice(lan);
        p.setOutDevice(wan);
        p.setCtState(CtState.ESTABLISHED);
        Packet q = Frames.udp6("2001:db8::1", "2001:db8::2", 5000, 1500);
        q.setInDevice(lan);
        q.setOutDevice(wan);
        long tid = Thread.currentThread().threadId();
        for (int i = 0; i < 300_000; i++) { e.process(Hook.FORWARD, 0, p); e.process(Hook.FORWARD, 0, q); }
        long before = threads.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 100_000; i++) { e.process(Hook.FORWARD, 0, p); e.process(Hook.FORWARD, 0, q); }
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertTrue(allocated < 16 * 1024, allocated + " bytes for 200,000 evaluations");
    }
}
