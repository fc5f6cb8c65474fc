package org.flowgate.api.net;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class AddressesTest {
    @Test
    void ipv4RoundTrip() {
        IpAddress a = IpAddress.parse("10.0.1.254");
        assertTrue(a.isV4());
        assertEquals(0x0A0001FE, a.v4());
        assertEquals("10.0.1.254", a.toString());
        assertArrayEquals(new byte[] {10, 0, 1, (byte) 254}, a.toBytes());
        assertEquals(a, IpAddress.of(a.toBytes()));
    }

    @Test
    void ipv6CanonicalForm() {
        assertEquals("fd00:1::1", IpAddress.parse("fd00:1:0:0:0:0:0:1").toString());
        assertEquals("::", IpAddress.parse("::").toString());
        assertEquals("::1", IpAddress.parse("::1").toString());
        assertEquals("2001:db8::1:0:0:1", IpAddress.parse("2001:db8:0:0:1:0:0:1").toString());
        assertEquals("fe80::1", IpAddress.parse("fe80::1").toString());
        IpAddress a = IpAddress.parse("2001:db8::ff00:42:8329");
        assertEquals(0x20010db800000000L, a.hi());
        assertEquals(0x0000ff0000428329L, a.lo());
        assertTrue(IpAddress.parse("fe80::1").isLinkLocal());
        assertFalse(IpAddress.parse("fec0::1").isLinkLocal());
        assertTrue(IpAddress.parse("ff02::1:ff00:1").isMulticast());
    }

    @Test
    void rejectsHostNamesAndGarbage() {
        assertThrows(IllegalArgumentException.class, () -> IpAddress.parse("localhost"));
        assertThrows(IllegalArgumentException.class, () -> IpAddress.parse("10.0.0"));
        assertThrows(IllegalArgumentException.class, () -> IpAddress.parse("10.0.0.256"));
        assertThrows(IllegalArgumentException.class, () -> IpAddress.parse("fd00::1::2"));
    }

    @Test
    void prefixesContainAndNormalise() {
        IpPrefix p = IpPrefix.parse("10.0.1.1/24");
        assertEquals("10.0.1.0/24", p.network().toString());
        assertTrue(p.contains(IpAddress.parse("10.0.1.200")));
        assertFalse(p.contains(IpAddress.parse("10.0.2.1")));
        assertFalse(p.contains(IpAddress.parse("fd00::1")));
        assertTrue(IpPrefix.parse("0.0.0.0/0").contains(IpAddress.parse("192.0.2.1")));
        IpPrefix v6 = IpPrefix.parse("fd00:1::1/64");
        assertTrue(v6.contains(IpAddress.parse("fd00:1::abcd")));
        assertFalse(v6.contains(IpAddress.parse("fd00:2::1")));
        IpPrefix v6long = IpPrefix.parse("fd00:1::/96");
        assertTrue(v6long.contains(IpAddress.parse("fd00:1::0.0.1.2")));
        assertFalse(v6long.contains(IpAddress.parse("fd00:1::1:0:0")));
        assertEquals(32, IpPrefix.parse("10.1.1.1").length());
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.0.0.0/x"));
    }

    @Test
    void macAddresses() {
        MacAddress m = MacAddress.parse("02:00:0a:00:01:fe");
        assertEquals("02:00:0a:00:01:fe", m.toString());
        byte[] b = new byte[8];
        m.write(b, 1);
        assertEquals(m, MacAddress.of(b, 1));
        assertTrue(MacAddress.BROADCAST.isMulticast());
        assertFalse(m.isMulticast());
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("02:00:0a:00:01"));
    }
}
