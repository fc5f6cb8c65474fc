package org.flowgate.flowtable.support;

import org.flowgate.api.flowtable.FlowEntry;
import org.flowgate.api.packet.Packet;

/** The seed's case: h1 (10.0.1.2) behind the router opens a connection to 198.51.100.7, masqueraded to 192.0.2.1. */
public final class Scenario {
    private Scenario() {}

    public static final String H1 = "10.0.1.2", SERVER = "198.51.100.7", ROUTER_WAN = "192.0.2.1";

    public static FakeConn masqueraded(int proto) {
        return FakeConn.of(proto, H1, 40000, SERVER, 80, SERVER, 80, ROUTER_WAN, 40000);
    }

    /** h1 -> server as it arrives on lan. */
    public static Frames outbound(int proto) {
        Frames f = Frames.tcp(TestWorld.LAN_MAC, TestWorld.H1_MAC, H1, 40000, SERVER, 80);
        f.proto = proto;
        return f;
    }

    /** server -> router (de-NAT needed) as it arrives on wan. */
    public static Frames inbound(int proto) {
        Frames f = Frames.tcp(TestWorld.WAN_MAC, TestWorld.GW_MAC, SERVER, 80, ROUTER_WAN, 40000);
        f.proto = proto;
        return f;
    }

    /** Offers the connection as the ruleset's {@code flow add @ft} would on an established packet; returns the conn. */
    public static FakeConn offload(TestWorld w, int proto) {
        FakeConn c = masqueraded(proto).established();
        Packet p = w.forwarded(outbound(proto), c, FlowEntry.ORIGINAL, w.lan, w.wan);
        w.table.offer(p);
        return c;
    }
}
