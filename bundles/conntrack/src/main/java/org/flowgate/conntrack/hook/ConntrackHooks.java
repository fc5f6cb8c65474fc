package org.flowgate.conntrack.hook;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.packet.Packet;
import org.flowgate.conntrack.core.Conntrack;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The hooks conntrack and NAT place on the packet path, where Linux places them:
 * <pre>
 *   prerouting  -200 conntrack   -100 NAT (destination)
 *   output      -200 conntrack   -100 NAT (destination)
 *   postrouting  100 NAT (source)   MAX confirm
 *   input        100 NAT (source)   MAX confirm
 * </pre>
 */
public final class ConntrackHooks {
    private ConntrackHooks() {}

    /** Finds or creates the entry and sets the packet's ct metadata. */
    public static PacketHook track(Conntrack ct) {
        return (hook, p) -> ct.track(p) ? Verdict.ACCEPT : Verdict.DROP;
    }

    /** Applies the entry's destination (at prerouting/output) or source (postrouting/input) NAT. */
    public static PacketHook nat(Conntrack ct, boolean srcManip) {
        return srcManip ? (hook, p) -> nat(ct, p, true) : (hook, p) -> nat(ct, p, false);
    }

    private static Verdict nat(Conntrack ct, Packet p, boolean src) {
        ct.nat(p, src);
        return Verdict.ACCEPT;
    }

    /** Inserts a new entry once its first packet passed every hook. */
    public static PacketHook confirm(Conntrack ct) {
        return (hook, p) -> ct.confirm(p) ? Verdict.ACCEPT : Verdict.DROP;
    }

    /** Registers every hook as a {@link PacketHook} service; the caller unregisters them. */
    public static List<ServiceRegistration<PacketHook>> register(BundleContext ctx, Conntrack ct, String instance) {
        PacketHook track = track(ct), dnat = nat(ct, false), snat = nat(ct, true), confirm = confirm(ct);
        List<ServiceRegistration<PacketHook>> regs = new ArrayList<>();
        regs.add(reg(ctx, track, Hook.PREROUTING, PacketHook.PRIORITY_CONNTRACK, instance, "conntrack"));
        regs.add(reg(ctx, track, Hook.OUTPUT, PacketHook.PRIORITY_CONNTRACK, instance, "conntrack"));
        regs.add(reg(ctx, dnat, Hook.PREROUTING, PacketHook.PRIORITY_NAT_DST, instance, "nat-dst"));
        regs.add(reg(ctx, dnat, Hook.OUTPUT, PacketHook.PRIORITY_NAT_DST, instance, "nat-dst"));
        regs.add(reg(ctx, snat, Hook.POSTROUTING, PacketHook.PRIORITY_NAT_SRC, instance, "nat-src"));
        regs.add(reg(ctx, snat, Hook.INPUT, PacketHook.PRIORITY_NAT_SRC, instance, "nat-src"));
        regs.add(reg(ctx, confirm, Hook.POSTROUTING, PacketHook.PRIORITY_CONNTRACK_CONFIRM, instance, "conntrack-confirm"));
        regs.add(reg(ctx, confirm, Hook.INPUT, PacketHook.PRIORITY_CONNTRACK_CONFIRM, instance, "conntrack-confirm"));
        return regs;
    }

    private static ServiceRegistration<PacketHook> reg(BundleContext ctx, PacketHook h, Hook hook, int prio, String instance, String name) {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(PacketHook.HOOK, hook.label());
        props.put(PacketHook.PRIORITY, prio);
        props.put("flowgate.instance", instance);
        props.put("flowgate.hook.name", name);
        return ctx.registerService(PacketHook.class, h, props);
    }
}
