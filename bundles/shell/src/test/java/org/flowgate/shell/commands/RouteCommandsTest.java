package org.flowgate.shell.commands;

import static org.flowgate.shell.commands.InterfaceCommandsTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.route.Route;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RouteCommandsTest {
    private final Fakes.Devices devices = new Fakes.Devices();
    private final Fakes.Routes routes = new Fakes.Routes();
    private final RouteCommands cmd = new RouteCommands(routes, devices);

    @BeforeEach
    void setUp() {
        devices.add("ra", 1);
        devices.add("rb", 2);
        routes.routes.add(Route.connected(IpPrefix.parse("10.0.2.0/24"), "rb"));
        routes.routes.add(Route.connected(IpPrefix.parse("10.0.1.0/24"), "ra"));
        routes.routes.add(new Route(IpPrefix.parse("10.0.1.1/32"), null, "ra", 0, Route.Type.LOCAL));
        routes.routes.add(new Route(IpPrefix.parse("2001:db8::/64"), null, "ra", 0, Route.Type.CONNECTED));
        routes.routes.add(new Route(IpPrefix.parse("0.0.0.0/0"), IpAddress.parse("10.0.1.254"), "ra", 10, Route.Type.STATIC));
    }

    @Test
    void listsRoutesLikeIpRoute() {
        assertEquals("""
                default via 10.0.1.254 dev ra metric 10
                10.0.1.0/24 dev ra proto kernel scope link
                10.0.2.0/24 dev rb proto kernel scope link
                2001:db8::/64 dev ra proto kernel scope link
                """, cmd.routes());
        assertTrue(cmd.routes("all").contains("local 10.0.1.1/32 dev ra scope host\n"));
    }

    @Test
    void addsStaticRoutes() {
        assertNull(cmd.route("add", "10.9.0.0/16", "via", "10.0.2.2"));
        assertNull(cmd.route("add", "10.8.0.0/16", "dev", "rb", "metric", "5"));
        assertNull(cmd.route("add", "default", "via", "2001:db8::1"));
        assertEquals(List.of(
                "add 10.9.0.0/16 via 10.0.2.2",
                "add 10.8.0.0/16 dev rb metric 5",
                "add default via 2001:db8::1"), routes.calls);
        assertEquals(Route.Type.STATIC, routes.routes.get(routes.routes.size() - 1).type());
        assertEquals(IpPrefix.parse("::/0"), routes.routes.get(routes.routes.size() - 1).destination());
    }

    @Test
    void deletesAStaticRoute() {
        assertNull(cmd.route("del", "default", "via", "10.0.1.254"));
        assertEquals(List.of("remove 0.0.0.0/0 10.0.1.254"), routes.calls);
    }

    @Test
    void refusesADeleteThatWouldRemoveMoreThanAsked() {
        routes.routes.add(new Route(IpPrefix.parse("10.5.0.0/16"), IpAddress.parse("10.0.1.2"), "ra", 0, Route.Type.STATIC));
        routes.routes.add(new Route(IpPrefix.parse("10.5.0.0/16"), IpAddress.parse("10.0.2.2"), "rb", 0, Route.Type.STATIC));
        assertError("route: several routes to 10.5.0.0/16 match; name the one with 'via <gateway>'", () -> cmd.route("del", "10.5.0.0/16", "dev", "ra"));
        assertNull(cmd.route("del", "10.5.0.0/16", "via", "10.0.2.2"));
        assertEquals(List.of("remove 10.5.0.0/16 10.0.2.2"), routes.calls);
    }

    @Test
    void badRouteInputChangesNothing() {
        assertError("route: operation must be one of add|del, not 'change'", () -> cmd.route("change", "default"));
        assertError("route: missing destination prefix", () -> cmd.route("add"));
        assertError("route: invalid prefix for given prefix length: 10.9.1.1/16 (did you mean 10.9.0.0/16?)", () -> cmd.route("add", "10.9.1.1/16", "dev", "ra"));
        assertError("route: 'ten' is not a prefix (e.g. 10.0.3.0/24 or default)", () -> cmd.route("add", "ten", "dev", "ra"));
        assertError("route: a route needs 'via <gateway>' or 'dev <device>'", () -> cmd.route("add", "10.9.0.0/16"));
        assertError("route: 'gw' is not an IP address", () -> cmd.route("add", "10.9.0.0/16", "via", "gw"));
        assertError("route: gateway 2001:db8::1 is not of the family of 10.9.0.0/16", () -> cmd.route("add", "10.9.0.0/16", "via", "2001:db8::1"));
        assertError("route: cannot find device \"eth7\"", () -> cmd.route("add", "10.9.0.0/16", "dev", "eth7"));
        assertError("route: metric must be an integer from 0 to 2147483647, not '-1'", () -> cmd.route("add", "10.9.0.0/16", "dev", "ra", "metric", "-1"));
        assertError("route: option must be one of via|dev|metric, not 'proto'", () -> cmd.route("add", "10.9.0.0/16", "proto", "static"));
        assertError("route: 'via' given twice", () -> cmd.route("add", "10.9.0.0/16", "via", "10.0.1.2", "via", "10.0.1.3"));
        assertError("route: no such static route", () -> cmd.route("del", "10.0.1.0/24"));
        assertError("route: no such static route", () -> cmd.route("del", "default", "via", "10.0.1.253"));
        assertError("routes: unexpected 'everything'", () -> cmd.routes("everything"));
        assertTrue(routes.calls.isEmpty(), routes.calls.toString());
    }
}
