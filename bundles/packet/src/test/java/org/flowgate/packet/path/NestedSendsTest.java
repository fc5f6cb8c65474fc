package org.flowgate.packet.path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.flowgate.api.packet.Packet;
import org.junit.jupiter.api.Test;

/** The per-thread queue of nested LocalOutput sends: order, the per-send limit, copies, reset. */
class NestedSendsTest {
    private static Packet frame(int tag) {
        byte[] f = new byte[60];
        f[0] = (byte) tag;
        f[59] = (byte) ~tag;
        Packet p = new Packet();
        p.setFrame(f, 0, f.length);
        return p;
    }

    private static void assertTag(int tag, Packet p) {
        assertArrayEquals(frame(tag).toByteArray(), p.toByteArray(), "frame " + tag);
    }

    @Test
    void firstInFirstOutUpToTheLimitPerOutermostSend() {
        NestedSends q = new NestedSends(8);
        for (int i = 0; i < 8; i++) assertTrue(q.offer(frame(i)), "send " + i);
        assertFalse(q.offer(frame(8)), "the ninth nested send of one outermost send is refused");
        for (int i = 0; i < 8; i++) assertTag(i, q.poll());
        assertNull(q.poll());
        assertFalse(q.offer(frame(9)), "taking sends out does not make room: the limit counts every send of the round");
        q.reset();
        assertTrue(q.offer(frame(10)), "a new outermost send may nest again");
        assertTag(10, q.poll());
        assertNull(q.poll());
    }

    @Test
    void sendsQueuedWhileOthersAreTakenKeepTheirOrderAndContent() {
        NestedSends q = new NestedSends(8);
        // as a tunnel inside a tunnel: each send taken out queues one or two more while it runs
        q.offer(frame(0));
        int next = 1;
        StringBuilder order = new StringBuilder();
        for (Packet p = q.poll(); p != null; p = q.poll()) {
            order.append(p.array()[p.start()]).append(' ');
            for (int k = 0; k < 2 && next < 12; k++) {
                if (q.offer(frame(next))) next++;
                else next = 12;
            }
        }
        assertEquals("0 1 2 3 4 5 6 7 ", order.toString(), "FIFO, eight in all, none overwritten");
    }

    @Test
    void aFrameLargerThanASlotIsRefused() {
        NestedSends q = new NestedSends(2);
        Packet big = new Packet(new Packet().maxFrame() * 2);
        big.reset(new Packet().maxFrame() + 1);
        assertFalse(q.offer(big));
        assertNull(q.poll());
        assertTrue(q.offer(frame(1)), "the refused one took no slot");
    }
}
