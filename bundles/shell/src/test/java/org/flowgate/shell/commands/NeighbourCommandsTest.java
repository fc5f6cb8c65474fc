package org.flowgate.shell.commands;

import static org.flowgate.shell.commands.InterfaceCommandsTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.route.Neighbour;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NeighbourCommandsTest {
    private final Fakes.Devices devices = new Fakes.Devices();
    private final Fakes.Neighbours neighbours = new Fakes.Neighbours();
    private final NeighbourCommands cmd = new NeighbourCommands(neighbours, devices);

    @BeforeEach
    void setUp() {
        devices.add("ra", 1);
        devices.add("rb", 2);
        neighbours.entries.add(new Neighbour(IpAddress.parse("10.0.2.2"), "rb", MacAddress.parse("02:00:00:00:02:02"), Neighbour.State.REACHABLE, 1500, 0));
        neighbours.entries.add(new Neighbour(IpAddress.parse("10.0.1.9"), "ra", null, Neighbour.State.INCOMPLETE, 20, 3));
        neighbours.entries.add(new Neighbour(IpAddress.parse("10.0.1.2"), "ra", MacAddress.parse("02:00:00:00:01:02"), Neighbour.State.STALE, 90000, 0));
    }

    @Test
    void listsNeighboursByDeviceAndAddress() {
        String expected = """
                10.0.1.2 dev ra lladdr 02:00:00:00:01:02 STALE
                10.0.1.9 dev ra INCOMPLETE queued 3
                10.0.2.2 dev rb lladdr 02:00:00:00:02:02 REACHABLE
                """;
        assertEquals(expected, cmd.neigh());
        assertEquals(expected, cmd.neigh("show"));
    }

    @Test
    void addsDeletesAndFlushes() {
        assertNull(cmd.neigh("add", "10.0.1.7", "lladdr", "02:aa:bb:cc:dd:ee", "dev", "ra"));
        assertNull(cmd.neigh("add", "2001:db8::7", "dev", "rb", "lladdr", "02-aa-bb-cc-dd-ef"));
        assertNull(cmd.neigh("del", "10.0.2.2", "dev", "rb"));
        assertNull(cmd.neigh("flush"));
        assertEquals(List.of(
                "addStatic 10.0.1.7 ra 02:aa:bb:cc:dd:ee",
                "addStatic 2001:db8::7 rb 02:aa:bb:cc:dd:ef",
                "remove 10.0.2.2 rb",
                "flush"), neighbours.calls);
        assertEquals("", cmd.neigh());
    }

    @Test
    void badNeighbourInputChangesNothing() {
        assertError("neigh: operation must be one of list|show|add|del|flush, not 'replace'", () -> cmd.neigh("replace"));
        assertError("neigh: missing 'lladdr <mac>'", () -> cmd.neigh("add", "10.0.1.7", "dev", "ra"));
        assertError("neigh: missing 'dev <device>'", () -> cmd.neigh("add", "10.0.1.7", "lladdr", "02:00:00:00:00:07"));
        assertError("neigh: 'zz:00:00:00:00:07' is not a MAC address (aa:bb:cc:dd:ee:ff)", () -> cmd.neigh("add", "10.0.1.7", "lladdr", "zz:00:00:00:00:07", "dev", "ra"));
        assertError("neigh: lladdr 01:00:5e:00:00:01 is a multicast address", () -> cmd.neigh("add", "10.0.1.7", "lladdr", "01:00:5e:00:00:01", "dev", "ra"));
        assertError("neigh: cannot find device \"eth3\"", () -> cmd.neigh("add", "10.0.1.7", "lladdr", "02:00:00:00:00:07", "dev", "eth3"));
        assertError("neigh: '10.0.1' is not an IP address", () -> cmd.neigh("del", "10.0.1", "dev", "ra"));
        assertError("neigh: missing 'dev <device>'", () -> cmd.neigh("del", "10.0.2.2"));
        assertError("neigh: no neighbour 10.0.2.99 on rb", () -> cmd.neigh("del", "10.0.2.99", "dev", "rb"));
        assertError("neigh: unexpected 'all'", () -> cmd.neigh("flush", "all"));
        assertTrue(neighbours.calls.stream().allMatch(c -> c.startsWith("remove 10.0.2.99")), neighbours.calls.toString());
        assertEquals(3, neighbours.entries.size());
    }
}
