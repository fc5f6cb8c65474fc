package org.flowgate.conntrack.command;

import static org.flowgate.conntrack.testing.Frames.*;
import static org.junit.jupiter.api.Assertions.*;

import org.flowgate.api.conntrack.NatRange;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.packet.Packet;
import org.flowgate.conntrack.testing.Router;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code ct} commands print what {@code conntrack -L -o extended} prints. */
class CtCommandsTest {
    static final IpAddress C = IpAddress.parse("10.0.1.2"), S = IpAddress.parse("10.0.2.2"), R = IpAddress.parse("10.0.2.1");

    Router r;
    CtCommands cmd;

    @BeforeEach
    void setUp() {
        r = new Router();
        cmd = new CtCommands(r.ct);
    }

    void tcpHandshake() {
        r.snat = new NatRange(NatRange.Kind.SNAT, R, R, 0, 0, false);
        assertTrue(r.forward(packet(ip(C, S, Packet.PROTO_TCP, tcp(5000, 80, 1, 0, SYN, 1000)))));
        assertTrue(r.forward(packet(ip(S, R, Packet.PROTO_TCP, tcp(80, 5000, 100, 2, SYN | ACK, 1000)))));
        assertTrue(r.forward(packet(ip(C, S, Packet.PROTO_TCP, tcp(5000, 80, 2, 101, ACK, 1000)))));
        r.snat = null;
    }

    @Test
    void listLineHasTheConntrackShape() {
        tcpHandshake();
        r.clock.advanceSeconds(1);
        assertEquals("ipv4 2 tcp 6 431999 ESTABLISHED src=10.0.1.2 dst=10.0.2.2 sport=5000 dport=80 "
                + "src=10.0.2.2 dst=10.0.2.1 sport=80 dport=5000 [ASSURED] mark=0 zone=0 use=1\n"
                + "conntrack: 1 flow entries have been shown.", cmd.list());
    }

    @Test
    void unrepliedUdpAndIcmpLines() {
        assertTrue(r.forward(packet(ip(C, S, Packet.PROTO_UDP, udp(5353, 53, new byte[3])))));
        assertTrue(r.forward(packet(ip(C, S, Packet.PROTO_ICMP, echo(8, 77, 1, new byte[3])))));
        assertEquals("ipv4 2 icmp 1 30 src=10.0.1.2 dst=10.0.2.2 type=8 code=0 id=77 [UNREPLIED] "
                + "src=10.0.2.2 dst=10.0.1.2 type=0 code=0 id=77 mark=0 zone=0 use=1", cmd.list("-p", "icmp").lines().findFirst().orElseThrow());
        assertEquals("ipv4 2 udp 17 30 src=10.0.1.2 dst=10.0.2.2 sport=5353 dport=53 [UNREPLIED] "
                + "src=10.0.2.2 dst=10.0.1.2 sport=53 dport=5353 mark=0 zone=0 use=1", cmd.list("-p", "udp").lines().findFirst().orElseThrow());
        IpAddress a6 = IpAddress.parse("2001:db8::1"), b6 = IpAddress.parse("2001:db8::2");
        assertTrue(r.forward(packet(ip(a6, b6, Packet.PROTO_ICMPV6, echo(128, 5, 1, new byte[3])))));
        assertEquals("ipv6 10 icmpv6 58 30 src=2001:db8::1 dst=2001:db8::2 type=128 code=0 id=5 [UNREPLIED] "
                + "src=2001:db8::2 dst=2001:db8::1 type=129 code=0 id=5 mark=0 zone=0 use=1", cmd.list("-f", "ipv6").lines().findFirst().orElseThrow());
    }

    @Test
    void filtersCountDeleteFlushStats() {
        tcpHandshake();
        assertTrue(r.forward(packet(ip(C, S, Packet.PROTO_UDP, udp(5353, 53, new byte[3])))));
        assertTrue(r.forward(packet(ip(S, C, Packet.PROTO_UDP, udp(7, 7, new byte[3])))));
        assertEquals(3, cmd.count());
        assertTrue(cmd.list("-s", "10.0.1.2").endsWith("2 flow entries have been shown."));
        assertTrue(cmd.list("-p", "tcp", "--dport", "80").endsWith("1 flow entries have been shown."));
        assertTrue(cmd.list("-q", "10.0.2.1").endsWith("1 flow entries have been shown."));
        assertTrue(cmd.list("-z", "3").endsWith("0 flow entries have been shown."));
        assertThrows(IllegalArgumentException.class, () -> cmd.list("--bogus", "1"));
        assertThrows(IllegalArgumentException.class, () -> cmd.delete());
        assertEquals("conntrack: 1 flow entries have been deleted.", cmd.delete("-p", "udp", "-s", "10.0.2.2"));
        assertEquals(2, cmd.count());
        assertTrue(cmd.stats().contains("insert=3"), cmd.stats());
        assertTrue(cmd.stats().contains("early_drop=0"));
        assertEquals("conntrack: connection tracking table has been emptied (2 entries).", cmd.flush());
        assertEquals(0, cmd.count());
    }
}
