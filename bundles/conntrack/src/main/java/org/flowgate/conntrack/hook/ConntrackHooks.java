package org.flowgate.conntrack.hook;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.instance.RoutingInstance;
import org.flowgate.api.packet.Packet;
import org.flowgate.conntrack.core.Conntrack;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The hooks conntrack and NAT place on the packet path, where Linux places them:
 * <pre>
 *   prerouting  -200 conntrack      -100 NAT (destination)
 *   output      -200 conntrack      -100 NAT (destination)
 *   postrouting  100 NAT (source)    MAX confirm
 *   input        100 NAT (source)    MAX confirm
 * </pre>
 * Each registration is its own object, so a packet path that keys hooks by identity sees eight.
 */
public final class ConntrackHooks {
    private ConntrackHooks() {}

    /** A hook and the service properties it is registered with. */
    public record Spec(PacketHook hook, Map<String, Object> properties) {}

    /** Finds or creates the entry and sets the packet's ct metadata. */
    static final class Track implements PacketHook {
        private final Conntrack ct;
        Track(Conntrack ct) { this.ct = ct; }
        @Override public Verdict process(Hook hook, Packet p) { return ct.track(p, hook == Hook.PREROUTING) ? Verdict.ACCEPT : Verdict.DROP; }
        @Override public String toString() { return "conntrack"; }
    }

    /** Applies the entry's destination (prerouting/output) or source (postrouting/input) NAT. */
    static final class Nat implements PacketHook {
        private final Conntrack ct;
        private final boolean src;
        Nat(Conntrack ct, boolean src) { this.ct = ct; this.src = src; }
        @Override public Verdict process(Hook hook, Packet p) { ct.nat(p, src); return Verdict.ACCEPT; }
        @Override public String toString() { return src ? "nat-src" : "nat-dst"; }
    }

    /** Inserts a new entry once its first packet passed every hook. */
    static final class Confirm implements PacketHook {
        private final Conntrack ct;
        Confirm(Conntrack ct) { this.ct = ct; }
        @Override public Verdict process(Hook hook, Packet p) { return ct.confirm(p) ? Verdict.ACCEPT : Verdict.DROP; }
        @Override public String toString() { return "conntrack-confirm"; }
    }

    /** The eight hooks of one conntrack instance with their service properties. */
    public static List<Spec> specs(Conntrack ct, String instance) {
        List<Spec> l = new ArrayList<>();
        l.add(spec(new Track(ct), Hook.PREROUTING, PacketHook.PRIORITY_CONNTRACK, instance));
        l.add(spec(new Track(ct), Hook.OUTPUT, PacketHook.PRIORITY_CONNTRACK, instance));
        l.add(spec(new Nat(ct, false), Hook.PREROUTING, PacketHook.PRIORITY_NAT_DST, instance));
        l.add(spec(new Nat(ct, false), Hook.OUTPUT, PacketHook.PRIORITY_NAT_DST, instance));
        l.add(spec(new Nat(ct, true), Hook.POSTROUTING, PacketHook.PRIORITY_NAT_SRC, instance));
        l.add(spec(new Nat(ct, true), Hook.INPUT, PacketHook.PRIORITY_NAT_SRC, instance));
        l.add(spec(new Confirm(ct), Hook.POSTROUTING, PacketHook.PRIORITY_CONNTRACK_CONFIRM, instance));
        l.add(spec(new Confirm(ct), Hook.INPUT, PacketHook.PRIORITY_CONNTRACK_CONFIRM, instance));
        return l;
    }

    private static Spec spec(PacketHook h, Hook hook, int prio, String instance) {
        return new Spec(h, Map.of(PacketHook.HOOK, hook.label(), PacketHook.PRIORITY, prio,
                RoutingInstance.PROPERTY, instance, "flowgate.hook.name", h.toString()));
    }

    /** Registers every hook as a {@link PacketHook} service; the caller unregisters them. */
    public static List<ServiceRegistration<PacketHook>> register(BundleContext ctx, Conntrack ct, String instance) {
        List<ServiceRegistration<PacketHook>> regs = new ArrayList<>();
        for (Spec s : specs(ct, instance)) regs.add(ctx.registerService(PacketHook.class, s.hook(), new Hashtable<>(s.properties())));
        return regs;
    }
}
