package org.flowgate.packet;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.route.Route;
import org.flowgate.packet.config.RouteSyntax;
import org.flowgate.packet.device.Device;
import org.flowgate.packet.device.DeviceTable;
import org.flowgate.packet.fib.Fib;
import org.flowgate.packet.fib.FibEntry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FibTest {
    DeviceTable devices;
    Fib fib;
    Device eth0, eth1;

    @BeforeEach
    void setUp() {
        devices = new DeviceTable();
        fib = new Fib(devices);
        devices.addAddress("eth0", IpPrefix.parse("10.0.1.1/24"));
        devices.addAddress("eth0", IpPrefix.parse("fd00:1::1/64"));
        devices.addAddress("eth1", IpPrefix.parse("10.0.2.1/24"));
        devices.addAddress("eth1", IpPrefix.parse("fd00:2::1/64"));
        eth0 = devices.attach(new FakePort("eth0", 0x0200_0000_0001L, 1500));
        eth1 = devices.attach(new FakePort("eth1", 0x0200_0000_0002L, 1500));
    }

    FibEntry lookup(String a) {
        IpAddress x = IpAddress.parse(a);
        return fib.lookupEntry(x.family(), x.hi(), x.lo());
    }

    void add(String route) { fib.add(RouteSyntax.parse(route)); }

    @Test
    void connectedLocalAndBroadcast() {
        FibEntry c = lookup("10.0.1.77");
        assertEquals(FibEntry.UNICAST, c.kind);
        assertEquals(eth0.ifIndex(), c.ifIndex);
        assertFalse(c.hasGateway);
        assertEquals(Route.Type.CONNECTED, c.route.type());
        assertEquals(FibEntry.LOCAL, lookup("10.0.1.1").kind);
        assertEquals(FibEntry.BROADCAST, lookup("10.0.1.255").kind);
        assertEquals(FibEntry.BROADCAST, lookup("255.255.255.255").kind);
        assertEquals(FibEntry.LOCAL, lookup("fd00:2::1").kind);
        assertEquals(eth1.ifIndex(), lookup("fd00:2::abcd").ifIndex);
        assertNull(lookup("192.0.2.1"));
        assertNull(lookup("2001:db8::1"));
        // the EUI-64 link-local address is local, fe80::/64 is not routed by prefix
        IpPrefix ll = DeviceTable.linkLocal(0x0200_0000_0001L);
        assertEquals("fe80::ff:fe00:1/64", ll.toString());
        assertEquals(FibEntry.LOCAL, lookup("fe80::ff:fe00:1").kind);
        assertNull(lookup("fe80::1234"));
    }

    @Test
    void longestPrefixWinsWithOverlaps() {
        add("10.9.0.0/16 via 10.0.1.5");
        add("10.9.1.0/24 via 10.0.2.6");
        add("10.9.1.128/25 via 10.0.1.7");
        add("10.9.1.200/32 via 10.0.2.8");
        add("default via 10.0.1.254");
        assertEquals(IpAddress.parse("10.0.1.5"), lookup("10.9.200.1").route.gateway());
        assertEquals(IpAddress.parse("10.0.2.6"), lookup("10.9.1.1").route.gateway());
        assertEquals(eth1.ifIndex(), lookup("10.9.1.1").ifIndex, "device resolved from the connected route to the gateway");
        assertEquals(IpAddress.parse("10.0.1.7"), lookup("10.9.1.129").route.gateway());
        assertEquals(IpAddress.parse("10.0.2.8"), lookup("10.9.1.200").route.gateway());
        assertEquals(IpAddress.parse("10.0.1.7"), lookup("10.9.1.201").route.gateway());
        assertEquals(IpAddress.parse("10.0.1.254"), lookup("8.8.8.8").route.gateway());
        assertEquals(IpAddress.parse("10.0.1.254"), lookup("0.0.0.1").route.gateway());
        assertEquals(IpAddress.parse("10.0.1.254"), lookup("223.255.255.255").route.gateway());
        assertEquals(0, lookup("8.8.8.8").route.destination().length());
    }

    @Test
    void ipv6LongestPrefix() {
        add("2001:db8::/32 via fd00:1::5");
        add("2001:db8:1::/48 via fd00:2::6");
        add("2001:db8:1:2::/64 via fd00:1::7");
        add("2001:db8:1:2::9/128 via fd00:2::8");
        add("2001:db8:1:2:8000::/65 via fd00:2::9");
        add("default via fd00:1::fe");
        assertEquals(IpAddress.parse("fd00:1::5"), lookup("2001:db8:ffff::1").route.gateway());
        assertEquals(IpAddress.parse("fd00:2::6"), lookup("2001:db8:1:3::1").route.gateway());
        assertEquals(IpAddress.parse("fd00:1::7"), lookup("2001:db8:1:2::1").route.gateway());
        assertEquals(IpAddress.parse("fd00:2::8"), lookup("2001:db8:1:2::9").route.gateway());
        assertEquals(IpAddress.parse("fd00:2::9"), lookup("2001:db8:1:2:8000::1").route.gateway());
        assertEquals(IpAddress.parse("fd00:1::fe"), lookup("2a00::1").route.gateway());
        assertEquals(eth1.ifIndex(), lookup("2001:db8:1:2::9").ifIndex);
        assertEquals(FibEntry.LOCAL, lookup("fd00:1::1").kind, "/128 local beats /64 connected");
    }

    @Test
    void metricReplacementAndRemoval() {
        add("10.9.0.0/16 via 10.0.1.5 metric 10");
        add("10.9.0.0/16 via 10.0.2.5 metric 5");
        assertEquals(IpAddress.parse("10.0.2.5"), lookup("10.9.0.1").route.gateway(), "lower metric wins");
        add("10.9.0.0/16 via 10.0.2.6 metric 5");
        assertEquals(IpAddress.parse("10.0.2.6"), lookup("10.9.0.1").route.gateway(), "same prefix and metric replaced");
        assertEquals(2, fib.list().stream().filter(r -> r.type() == Route.Type.STATIC).count());
        assertEquals(1, fib.remove(IpPrefix.parse("10.9.0.0/16"), IpAddress.parse("10.0.2.6")));
        assertEquals(IpAddress.parse("10.0.1.5"), lookup("10.9.0.1").route.gateway());
        assertEquals(1, fib.remove(IpPrefix.parse("10.9.1.1/16"), null), "prefix is normalised");
        assertNull(lookup("10.9.0.1"));
    }

    @Test
    void routesFollowDevicesAndAddresses() {
        add("10.9.0.0/16 via 10.0.1.5");
        add("192.168.0.0/16 dev eth1");
        assertNotNull(lookup("10.9.0.1"));
        assertEquals(eth1.ifIndex(), lookup("192.168.3.3").ifIndex);
        devices.removeAddress("eth0", IpPrefix.parse("10.0.1.1/24"));
        assertNull(lookup("10.9.0.1"), "gateway no longer on a connected network: route inactive");
        assertNull(lookup("10.0.1.2"));
        assertTrue(fib.list().stream().anyMatch(r -> r.toString().startsWith("10.9.0.0/16 via 10.0.1.5")), "still listed");
        devices.addAddress("eth0", IpPrefix.parse("10.0.1.1/24"));
        assertNotNull(lookup("10.9.0.1"));
        devices.setUp("eth1", false);
        assertNull(lookup("192.168.3.3"), "admin-down device: its routes leave the FIB");
        assertNull(lookup("10.0.2.9"));
        devices.setUp("eth1", true);
        devices.detach(eth1.port());
        assertNull(lookup("10.0.2.9"));
    }

    @Test
    void configSourcesAreIndependent() {
        Object a = new Object(), b = new Object();
        fib.configure(a, List.of(RouteSyntax.parse("10.8.0.0/16 via 10.0.1.5")));
        fib.configure(b, List.of(RouteSyntax.parse("10.7.0.0/16 via 10.0.1.5")));
        fib.configure(a, List.of());
        assertNull(lookup("10.8.0.1"));
        assertNotNull(lookup("10.7.0.1"));
        fib.configure(b, null);
        assertNull(lookup("10.7.0.1"));
    }

    @Test
    void routeSyntax() {
        Route r = RouteSyntax.parse("10.9.0.0/16 via 10.0.1.5 dev eth0 metric 7");
        assertEquals(IpPrefix.parse("10.9.0.0/16"), r.destination());
        assertEquals(IpAddress.parse("10.0.1.5"), r.gateway());
        assertEquals("eth0", r.device());
        assertEquals(7, r.metric());
        assertEquals(IpPrefix.parse("0.0.0.0/0"), RouteSyntax.parse("default via 10.0.1.1").destination());
        assertEquals(IpPrefix.parse("::/0"), RouteSyntax.parse("default via fd00::1").destination());
        assertEquals(IpPrefix.parse("::/0"), RouteSyntax.parse("-6 default dev eth1").destination());
        assertEquals(32, RouteSyntax.parse("10.1.2.3 dev eth0").destination().length());
        assertThrows(IllegalArgumentException.class, () -> RouteSyntax.parse("10.0.0.0/8"));
        assertThrows(IllegalArgumentException.class, () -> RouteSyntax.parse("10.0.0.0/8 via"));
        assertThrows(IllegalArgumentException.class, () -> RouteSyntax.parse("10.0.0.0/8 via fd00::1"));
        assertThrows(IllegalArgumentException.class, () -> RouteSyntax.parse("10.0.0.0/8 gateway 10.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> RouteSyntax.parse("10.0.0.0/33 dev x"));
    }
}
