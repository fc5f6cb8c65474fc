package org.flowgate.tc.support;

import java.util.List;
import java.util.Map;

import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.net.IpAddress;
import org.flowgate.api.net.IpPrefix;
import org.flowgate.api.net.MacAddress;
import org.flowgate.api.tc.TcException;
import org.flowgate.api.tc.TcFilter;
import org.flowgate.conntrack.core.Conntrack;
import org.flowgate.conntrack.hook.ConntrackHooks;
import org.flowgate.conntrack.proto.Timeouts;
import org.flowgate.conntrack.table.CtClock;
import org.flowgate.io.virtual.port.CaptureSink;
import org.flowgate.io.virtual.port.VirtualPort;
import org.flowgate.packet.router.Router;
import org.flowgate.tc.action.Devices;
import org.flowgate.tc.ct.CtEngine;
import org.flowgate.tc.ct.CtFlowTables;
import org.flowgate.tc.hook.TcIngressHook;
import org.flowgate.tc.service.TcEngine;
import org.flowgate.tc.vxlan.Underlay;
import org.flowgate.tc.vxlan.VxlanDecapHook;
import org.flowgate.tc.vxlan.VxlanPort;

/**
 * An in-process router wired as the OSGi components wire it: bundles/packet's path, conntrack's
 * hooks, the tc ingress hook bound to conntrack through its hook services, and
 * <pre>
 *   p0  (access port, the seed's ens1f0_0)   p1 (second access port)
 *   up0 7.7.7.1/24 (underlay)  -- VTEP 7.7.7.8 (static neighbour)
 *   vxlan0 (external, dstport 4789) over up0
 * </pre>
 * Ports are synchronous virtual ports: an injected frame is fully processed when inject returns;
 * what the router sends on a port is captured.
 */
public final class TcWorld implements AutoCloseable {
    public static final MacAddress P0_MAC = MacAddress.parse("02:00:00:00:00:01"), P1_MAC = MacAddress.parse("02:00:00:00:01:01"),
            UP0_MAC = MacAddress.parse("02:00:00:00:07:01"), VTEP_MAC = MacAddress.parse("02:00:00:00:07:08"),
            VXLAN_MAC = MacAddress.parse("02:00:00:00:0a:01");
    public static final MacAddress HOST_A = MacAddress.parse("24:8a:07:a5:28:01"), HOST_B = MacAddress.parse("24:8a:07:a5:28:02");
    public static final IpAddress A_IP = IpAddress.parse("10.0.0.1"), B_IP = IpAddress.parse("10.0.0.2"),
            UP0_IP = IpAddress.parse("7.7.7.1"), VTEP_IP = IpAddress.parse("7.7.7.8");

    public final Router router = new Router();
    public final Conntrack conntrack = new Conntrack(1024, 10_000, Timeouts.linuxDefaults(), 64, CtClock.SYSTEM).start();
    public final CtEngine ct = new CtEngine();
    public final Devices devices = new Devices();
    public final TcEngine tc = new TcEngine(ct, devices);
    public final VirtualPort p0 = new VirtualPort("p0", P0_MAC, 1500), p1 = new VirtualPort("p1", P1_MAC, 1500),
            up0 = new VirtualPort("up0", UP0_MAC, 1500);
    public final CaptureSink p0Out = new CaptureSink(), p1Out = new CaptureSink(), up0Out = new CaptureSink();
    public final VxlanPort vxlan0;
    /** The ct flow tables' clock, advanced by tests. */
    public volatile long now = 1_000_000_000L;
    public final CtFlowTables flowTables = new CtFlowTables(() -> now, 64, 30_000_000_000L);

    public TcWorld() {
        for (ConntrackHooks.Spec s : ConntrackHooks.specs(conntrack, "default")) {
            router.hooks().addService(s.hook(), s.properties());
        }
        ct.setTracker(conntrack);
        tc.trackers().set(conntrack);
        flowTables.setTracker(conntrack);
        ct.setFlowTables(flowTables);
        devices.set(router.devices());
        router.hooks().addService(new TcIngressHook(tc), Map.of(PacketHook.HOOK, "ingress", PacketHook.PRIORITY, TcIngressHook.DEFAULT_PRIORITY));
        p0.connect(p0Out);
        p1.connect(p1Out);
        up0.connect(up0Out);
        router.attach(p0);
        router.attach(p1);
        router.attach(up0);
        router.devices().addAddress("up0", IpPrefix.parse("7.7.7.1/24"));
        router.neighbours().addStatic(VTEP_IP, "up0", VTEP_MAC);
        vxlan0 = addVxlan("vxlan0", VXLAN_MAC, 1450, null);
    }

    /** The host behind p1 in a {@link #routed()} world. */
    public static final IpAddress DST = IpAddress.parse("10.0.1.2");
    public static final MacAddress DST_MAC = MacAddress.parse("02:00:00:00:01:02");

    /** p0 10.0.0.254/24 and p1 10.0.1.254/24 routed, with {@link #DST} a known neighbour on p1. */
    public static TcWorld routed() {
        TcWorld w = new TcWorld();
        w.router.devices().addAddress("p0", IpPrefix.parse("10.0.0.254/24"));
        w.router.devices().addAddress("p1", IpPrefix.parse("10.0.1.254/24"));
        w.router.neighbours().addStatic(DST, "p1", DST_MAC);
        return w;
    }

    /** A vxlan device on dstport 4789 over this router (external when {@code remote} is null), attached with its receive hook. */
    public VxlanPort addVxlan(String name, MacAddress mac, int mtu, VxlanPort.Remote remote) {
        VxlanPort v = new VxlanPort(name, mac, mtu, 4789, new Underlay(router.routes(), router.neighbours(), router.devices(), router.path()::sendLocal), remote);
        router.attach(v);
        router.hooks().addService(new VxlanDecapHook(v), Map.of(PacketHook.HOOK, "ingress", PacketHook.PRIORITY, VxlanDecapHook.priorityOf(v)));
        return v;
    }

    public TcFilter add(String command) {
        try {
            return tc.add(command);
        } catch (TcException e) {
            throw new AssertionError("filter rejected: " + e.getMessage(), e);
        }
    }

    public TcFilter filter(String dev, int chain, int prio, int handle) {
        for (TcFilter f : tc.filters(dev)) if (f.chain() == chain && f.prio() == prio && f.handle() == handle) return f;
        throw new AssertionError("no filter " + dev + " chain " + chain + " prio " + prio + " handle " + handle);
    }

    public static void inject(VirtualPort port, byte[] frame) { port.inject(frame, 0, frame.length); }

    public static List<byte[]> take(CaptureSink sink) {
        List<byte[]> l = sink.frames();
        sink.clear();
        return l;
    }

    @Override
    public void close() {
        router.close();
        conntrack.close();
    }
}
