package org.flowgate.packet;

import static org.flowgate.packet.TestFrames.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.flowgate.api.netdev.FrameTap;
import org.flowgate.api.netdev.NetDevice;
import org.flowgate.api.packet.Packet;
import org.junit.jupiter.api.Test;

/** Frame taps (captures): what they see, on which device, and that they cannot disturb forwarding. */
class FrameTapTest extends RouterFixture {

    record Seen(String device, boolean transmit, byte[] frame) {}

    static final class Recorder implements FrameTap {
        final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void frame(NetDevice device, boolean transmit, Packet p) {
            seen.add(new Seen(device.name(), transmit, p.toByteArray()));
        }
    }

    byte[] udp(int ttl) {
        return eth(R0, H1, 0x0800, ipv4(H1_IP, H2_IP, 17, ttl, udp4(H1_IP, H2_IP, 1, 2, new byte[0])));
    }

    @Test
    void noTapByDefault() {
        assertEquals(0, eth0.taps().length);
        assertEquals(0, eth1.taps().length);
    }

    @Test
    void deviceTapSeesReceivedFrameAsReceivedAndSentFrameAsSent() {
        learnHosts();
        Recorder rx = new Recorder(), tx = new Recorder();
        router.devices().addTap(rx, "eth0");
        router.devices().addTap(tx, "eth1");
        byte[] in = pad(udp(64));   // padded to 60 bytes: the tap sees the padding, the path strips it
        p0.inject(in);
        byte[] out = only(p1.take());

        assertEquals(1, rx.seen.size());
        assertEquals("eth0", rx.seen.get(0).device());
        assertFalse(rx.seen.get(0).transmit());
        assertArrayEquals(in, rx.seen.get(0).frame());

        assertEquals(1, tx.seen.size());
        assertEquals("eth1", tx.seen.get(0).device());
        assertTrue(tx.seen.get(0).transmit());
        assertArrayEquals(out, tx.seen.get(0).frame());
        assertEquals(63, parsed(tx.seen.get(0).frame()).ttl(), "the routed copy");
    }

    @Test
    void tapWithoutDeviceSeesEveryDeviceAndDroppedFramesToo() {
        learnHosts();
        Recorder all = new Recorder();
        router.devices().addTap(all, null);
        p0.inject(udp(1)); // TTL expires: time exceeded goes back out of eth0
        List<String> seen = new ArrayList<>();
        for (Seen s : all.seen) seen.add(s.device() + (s.transmit() ? " tx" : " rx"));
        assertEquals(List.of("eth0 rx", "eth0 tx"), seen);
        assertIcmp4(all.seen.get(1).frame(), 11, 0);
    }

    @Test
    void tapAddedBeforeTheDeviceAttachesAndRemovedLeavesNothing() {
        Recorder r = new Recorder();
        router.devices().addTap(r, "eth9");
        FakePort p9 = new FakePort("eth9", 0x0200_0000_0009L, 1500);
        var eth9 = router.attach(p9);
        assertEquals(1, eth9.taps().length);
        assertEquals(0, eth0.taps().length);
        p9.inject(udp(64));
        assertEquals(1, r.seen.size());
        router.devices().removeTap(r);
        assertEquals(0, eth9.taps().length);
        p9.inject(udp(64));
        assertEquals(1, r.seen.size());
    }

    @Test
    void throwingTapIsCountedAndIgnored() {
        learnHosts();
        Recorder after = new Recorder();
        long rxBefore = eth0.counterSet().snapshot().rxPackets();
        router.devices().addTap((d, t, p) -> { throw new IllegalStateException("broken capture"); }, null);
        router.devices().addTap(after, "eth1");
        p0.inject(udp(64));
        assertEquals(1, p1.take().size(), "still forwarded");
        assertEquals(1, eth0.tapErrors());
        assertEquals(1, eth1.tapErrors());
        assertEquals(1, after.seen.size(), "a later tap still runs");
        assertEquals(rxBefore + 1, eth0.counterSet().snapshot().rxPackets());
    }

    @Test
    void failedTransmitIsNotTapped() {
        learnHosts();
        Recorder r = new Recorder();
        router.devices().addTap(r, "eth1");
        p1.setLinkUp(false);
        p0.inject(udp(64));
        assertEquals(0, r.seen.size());
    }
}
