package org.flowgate.io.virtual.demo;

import java.util.List;

import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.NetDevices;
import org.flowgate.io.virtual.host.EmulatedHost;
import org.flowgate.io.virtual.port.VirtualPort;

/**
 * The demo topology, also for tests and benchmarks that wire a router in-process:
 * <pre>
 *   h1 10.0.1.2/24 fd00:1::2/64 -- v0 10.0.1.1/24 fd00:1::1/64 [router] v1 10.0.2.1/24 fd00:2::1/64 -- h2 10.0.2.2/24 fd00:2::2/64
 * </pre>
 * The hosts are attached to the ports; the router still has to attach the ports and get its
 * addresses ({@link #addRouterAddresses}).
 */
public record DemoNetworks(VirtualPort v0, VirtualPort v1, EmulatedHost h1, EmulatedHost h2) {
    public static final IpPrefix V0_V4 = IpPrefix.parse("10.0.1.1/24"), V0_V6 = IpPrefix.parse("fd00:1::1/64");
    public static final IpPrefix V1_V4 = IpPrefix.parse("10.0.2.1/24"), V1_V6 = IpPrefix.parse("fd00:2::1/64");
    public static final IpPrefix H1_V4 = IpPrefix.parse("10.0.1.2/24"), H1_V6 = IpPrefix.parse("fd00:1::2/64");
    public static final IpPrefix H2_V4 = IpPrefix.parse("10.0.2.2/24"), H2_V6 = IpPrefix.parse("fd00:2::2/64");

    /** @param ringSize frames per port ring in {@link VirtualPort.Mode#THREADED} */
    public static DemoNetworks create(VirtualPort.Mode mode, int ringSize) {
        VirtualPort v0 = new VirtualPort("v0", MacAddress.parse("02:66:67:00:00:01"), 1500, mode, ringSize);
        VirtualPort v1 = new VirtualPort("v1", MacAddress.parse("02:66:67:00:01:01"), 1500, mode, ringSize);
        EmulatedHost h1 = new EmulatedHost("h1", MacAddress.parse("02:66:67:00:00:02"), H1_V4, V0_V4.address(), H1_V6, V0_V6.address());
        EmulatedHost h2 = new EmulatedHost("h2", MacAddress.parse("02:66:67:00:01:02"), H2_V4, V1_V4.address(), H2_V6, V1_V6.address());
        h1.attach(v0);
        h2.attach(v1);
        return new DemoNetworks(v0, v1, h1, h2);
    }

    /** Synchronous ports: everything an injection causes is done when it returns. */
    public static DemoNetworks synchronous() { return create(VirtualPort.Mode.SYNCHRONOUS, 0); }

    public List<VirtualPort> ports() { return List.of(v0, v1); }

    public List<EmulatedHost> hosts() { return List.of(h1, h2); }

    /** Gives the router its addresses on v0 and v1 (the devices need not be attached yet). */
    public void addRouterAddresses(NetDevices devices) {
        devices.addAddress("v0", V0_V4);
        devices.addAddress("v0", V0_V6);
        devices.addAddress("v1", V1_V4);
        devices.addAddress("v1", V1_V6);
    }

    public void removeRouterAddresses(NetDevices devices) {
        devices.removeAddress("v0", V0_V4);
        devices.removeAddress("v0", V0_V6);
        devices.removeAddress("v1", V1_V4);
        devices.removeAddress("v1", V1_V6);
    }
}
