package org.flowgate.tc.classify;

import static org.flowgate.tc.support.Frames.*;
import static org.flowgate.tc.support.TcWorld.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.flowgate.api.hook.Verdict;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.Packet;
import org.flowgate.tc.support.TcWorld;
import org.junit.jupiter.api.Test;

/**
 * Packet threads classify while filters are added and deleted: every packet sees a consistent
 * block (the stable filter always matches first), no packet is lost, counters add up.
 */
class ConcurrencyTest {
    @Test
    void classifyingWhileFiltersChange() throws Exception {
        try (TcWorld w = new TcWorld()) {
            w.add("tc filter add dev p0 ingress prio 1 proto ip flower ip_proto udp action continue");
            w.add("tc filter add dev p0 ingress prio 9 proto ip flower action drop");
            NetDevice p0 = w.router.devices().byName("p0").orElseThrow();
            byte[] f = eth(HOST_B, HOST_A, 0x0800, ipv4(A_IP, B_IP, Packet.PROTO_UDP, udp(1, 2, new byte[8])));
            int threads = 4, n = 50_000;
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                ts.add(new Thread(() -> {
                    Packet p = new Packet();
                    try {
                        for (int i = 0; i < n; i++) {
                            p.setFrame(f, 0, f.length);
                            p.parse();
                            p.setInDevice(p0);
                            if (w.tc.process(p) != Verdict.DROP) throw new AssertionError("packet " + i + " not dropped");
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            ts.forEach(Thread::start);
            for (int i = 0; ts.stream().anyMatch(Thread::isAlive); i++) {
                w.add("tc filter add dev p0 ingress prio 5 proto ip flower ip_proto tcp action pass");
                w.add("tc filter add dev p0 ingress prio 5 chain " + (1 + i % 3) + " proto ip flower action pass");
                w.tc.delete("p0", -1, 5, -1);
            }
            for (Thread t : ts) t.join();
            assertNull(failure.get(), () -> "packet thread failed: " + failure.get());
            assertEquals((long) threads * n, w.filter("p0", 0, 1, 1).packets());
            assertEquals((long) threads * n, w.filter("p0", 0, 9, 1).packets());
            assertEquals((long) threads * n, w.tc.stats().get("dropped"));
        }
    }
}
