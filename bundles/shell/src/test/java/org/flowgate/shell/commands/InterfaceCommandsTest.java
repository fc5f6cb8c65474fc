package org.flowgate.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.packet.DropReason;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InterfaceCommandsTest {
    private final Fakes.Devices devices = new Fakes.Devices();
    private final InterfaceCommands cmd = new InterfaceCommands(devices);
    private Fakes.Device ra;

    @BeforeEach
    void setUp() {
        ra = devices.add("ra", 0x02_00_00_00_00_01L);
        devices.add("rb", 0x02_00_00_00_00_02L).up = false;
        ra.addresses.add(IpPrefix.parse("10.0.1.1/24"));
        ra.addresses.add(IpPrefix.parse("fe80::1/64"));
        ra.rxPackets = 10; ra.rxBytes = 640; ra.txPackets = 9; ra.txBytes = 576;
        ra.drop(DropReason.NO_ROUTE);
        ra.drop(DropReason.NO_ROUTE);
        ra.drop(DropReason.TTL_EXCEEDED);
    }

    @Test
    void listsDevicesWithStateMacMtuAddressesAndCounters() {
        assertEquals("""
                1: ra: <UP> mtu 1500 state UP
                    link/ether 02:00:00:00:00:01
                    inet 10.0.1.1/24
                    inet6 fe80::1/64 scope link
                    RX: packets 10 bytes 640
                    TX: packets 9 bytes 576
                    dropped 3: no-route 2 ttl-exceeded 1
                2: rb: <DOWN> mtu 1500 state DOWN
                    link/ether 02:00:00:00:00:02
                    RX: packets 0 bytes 0
                    TX: packets 0 bytes 0
                    dropped 0
                """, cmd.interfaces());
    }

    @Test
    void showsOneDeviceOrSaysItIsMissing() {
        assertTrue(cmd.interfaces("rb").startsWith("2: rb: <DOWN>"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cmd.interfaces("nope"));
        assertEquals("interfaces: cannot find device \"nope\"", e.getMessage());
    }

    @Test
    void addsAndDeletesAddresses() {
        assertNull(cmd.addr("add", "rb", "10.0.2.1/24"));
        assertNull(cmd.addr("del", "ra", "10.0.1.1/24"));
        assertEquals(List.of("addAddress rb 10.0.2.1/24", "removeAddress ra 10.0.1.1/24"), devices.calls);
    }

    @Test
    void badAddressInputChangesNothing() {
        assertError("addr: missing operation", () -> cmd.addr());
        assertError("addr: operation must be one of add|del, not 'replace'", () -> cmd.addr("replace", "ra", "10.0.0.1/8"));
        assertError("addr: cannot find device \"eth9\"", () -> cmd.addr("add", "eth9", "10.0.0.1/8"));
        assertError("addr: '10.0.0.300/8' is not an address/prefix-length", () -> cmd.addr("add", "ra", "10.0.0.300/8"));
        assertError("addr: '10.0.0.1/33' is not an address/prefix-length", () -> cmd.addr("add", "ra", "10.0.0.1/33"));
        assertError("addr: missing address/prefix-length", () -> cmd.addr("add", "ra"));
        assertError("addr: unexpected 'extra'", () -> cmd.addr("add", "ra", "10.0.9.1/24", "extra"));
        assertError("addr: 10.0.1.1/24 already on ra", () -> cmd.addr("add", "ra", "10.0.1.1/24"));
        assertError("addr: 10.0.7.1/24 is not an address of ra", () -> cmd.addr("del", "ra", "10.0.7.1/24"));
        assertTrue(devices.calls.isEmpty(), devices.calls.toString());
    }

    @Test
    void setsLinkStateAndMtu() {
        assertNull(cmd.link("rb", "up"));
        assertNull(cmd.link("ra", "DOWN"));
        assertNull(cmd.link("ra", "mtu", "9000"));
        assertEquals(List.of("setUp rb true", "setUp ra false", "setMtu ra 9000"), devices.calls);
    }

    @Test
    void badLinkInputChangesNothing() {
        assertError("link: missing device name", () -> cmd.link());
        assertError("link: setting must be one of up|down|mtu, not 'sideways'", () -> cmd.link("ra", "sideways"));
        assertError("link: mtu must be an integer from 68 to 9000, not '20'", () -> cmd.link("ra", "mtu", "20"));
        assertError("link: mtu must be an integer from 68 to 9000, not 'big'", () -> cmd.link("ra", "mtu", "big"));
        assertError("link: unexpected 'now'", () -> cmd.link("ra", "up", "now"));
        assertTrue(devices.calls.isEmpty(), devices.calls.toString());
    }

    static void assertError(String message, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertEquals(message, e.getMessage());
    }
}
