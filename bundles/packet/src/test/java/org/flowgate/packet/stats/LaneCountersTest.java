package org.flowgate.packet.stats;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

/** Counts stay exact whatever mix of lane owners and shared-lane writers adds to them. */
class LaneCountersTest {

    @Test
    void aClaimingThreadKeepsItsLaneAndOthersShareOne() throws Exception {
        int[] lanes = new int[3];
        Thread t = new Thread(() -> { lanes[0] = Lanes.current(); lanes[1] = Lanes.claim(); lanes[2] = Lanes.current(); });
        t.start();
        t.join();
        assertEquals(Lanes.SHARED, lanes[0], "no lane before claiming");
        assertEquals(lanes[1], lanes[2], "the claimed lane is found again");
        assertTrue(lanes[1] >= 0 && lanes[1] <= Lanes.SHARED);
    }

    @Test
    void sumsAreExactWithMoreWritersThanLanes() throws Exception {
        LaneCounters c = new LaneCounters(3);
        int threads = Lanes.OWNED + 8, n = 20_000; // some of them cannot own a lane while the others live
        CountDownLatch allClaimed = new CountDownLatch(threads), go = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int k = 0; k < threads; k++) {
            boolean claims = k % 4 != 0; // a quarter never claims: the control plane's writes
            Thread t = new Thread(() -> {
                int lane = claims ? Lanes.claim() : Lanes.current();
                allClaimed.countDown();
                await(go);
                for (int i = 0; i < n; i++) {
                    c.increment(lane, 0);
                    c.add2(lane, 1, 1, 2, 64);
                }
            });
            ts.add(t);
            t.start();
        }
        allClaimed.await();
        go.countDown();
        for (Thread t : ts) t.join();
        assertEquals((long) threads * n, c.sum(0));
        assertEquals((long) threads * n, c.sum(1));
        assertEquals((long) threads * n * 64, c.sum(2));
    }

    @Test
    void aDeadOwnersLaneIsReusedWithItsCountsKept() throws Exception {
        LaneCounters c = new LaneCounters(1);
        int rounds = 3 * Lanes.OWNED; // more claiming threads than lanes, one after the other
        int[] shared = new int[1];
        for (int r = 0; r < rounds; r++) {
            Thread t = new Thread(() -> {
                int lane = Lanes.claim();
                if (lane == Lanes.SHARED) shared[0]++;
                c.add(lane, 0, 5);
            });
            t.start();
            t.join();
        }
        assertEquals(0, shared[0], "lanes of terminated threads are claimed again");
        assertEquals(5L * rounds, c.sum(0));
    }

    @Test
    void rejectsCountersOutsideTheSet() {
        LaneCounters c = new LaneCounters(2);
        assertThrows(IndexOutOfBoundsException.class, () -> c.sum(2));
        assertThrows(IllegalArgumentException.class, () -> new LaneCounters(0));
    }

    private static void await(CountDownLatch l) {
        try { l.await(); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
    }
}
