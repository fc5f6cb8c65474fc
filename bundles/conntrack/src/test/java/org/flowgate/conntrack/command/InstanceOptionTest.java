package org.flowgate.conntrack.command;

import static org.flowgate.conntrack.testing.Frames.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.conntrack.testing.Router;
import org.junit.jupiter.api.Test;

/** {@code ct:* -i <instance>}: each instance's own table, default without the option, a clear error otherwise. */
class InstanceOptionTest {
    static final IpAddress C = IpAddress.parse("10.0.1.2"), S = IpAddress.parse("10.0.2.2");

    @Test
    void theOptionPicksTheInstancesTable() {
        Router def = new Router(), blue = new Router();
        CtCommands cmd = new CtCommands();
        cmd.bindConnTracker(def.ct, Map.of());
        cmd.bindConnTracker(blue.ct, Map.of("flowgate.instance", "blue"));
        assertTrue(blue.forward(packet(ip(C, S, Packet.PROTO_UDP, udp(5353, 53, new byte[3])))));
        assertTrue(blue.forward(packet(ip(C, S, Packet.PROTO_UDP, udp(5354, 53, new byte[3])))));
        assertTrue(def.forward(packet(ip(C, S, Packet.PROTO_UDP, udp(7000, 53, new byte[3])))));

        assertEquals(1, cmd.count());
        assertEquals(2, cmd.count("-i", "blue"));
        assertEquals(2, cmd.count("--instance=blue"));
        assertTrue(cmd.list("-p", "udp", "-i", "blue", "--sport", "5354").endsWith("1 flow entries have been shown."));
        assertTrue(cmd.list("--instance", "blue").contains("sport=5353"));
        assertFalse(cmd.list().contains("sport=5353"), "default does not show blue's entries");
        assertEquals("conntrack: 1 flow entries have been deleted.", cmd.delete("-i", "blue", "--sport", "5353"));
        assertTrue(cmd.stats("-i", "blue").contains("insert=2"), cmd.stats("-i", "blue"));
        assertEquals("conntrack: connection tracking table has been emptied (1 entries).", cmd.flush("-i", "blue"));
        assertEquals(0, cmd.count("-i", "blue"));
        assertEquals(1, cmd.count(), "flushing blue leaves default alone");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cmd.list("-i", "red"));
        assertEquals("ct:list: no conntrack in routing instance red (instances with conntrack: blue, default)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> cmd.count("-i"));
        assertThrows(IllegalArgumentException.class, () -> cmd.count("extra"));
        assertThrows(IllegalArgumentException.class, () -> cmd.list("-i", "blue", "-i", "default"));
        cmd.unbindConnTracker(blue.ct);
        assertThrows(IllegalArgumentException.class, () -> cmd.count("-i", "blue"));
    }
}
