package org.flowgate.nft.hook;

import java.util.HashMap;
import java.util.Hashtable;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.instance.RoutingInstance;
import org.flowgate.nft.engine.NftEngine;
import org.flowgate.nft.engine.NftEngine.HookKey;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/** Registers one PacketHook service per (hook, priority) the ruleset uses. */
final class ServiceHookRegistrar implements NftEngine.HookRegistrar {
    private final BundleContext context;
    private final NftEngine engine;
    private final String instance;
    private final Map<HookKey, ServiceRegistration<PacketHook>> registrations = new HashMap<>();

    ServiceHookRegistrar(BundleContext context, NftEngine engine, String instance) {
        this.context = context;
        this.engine = engine;
        this.instance = instance;
    }

    @Override
    public synchronized void ensure(Set<HookKey> points) {
        for (HookKey k : points) {
            if (registrations.containsKey(k)) continue;
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(PacketHook.HOOK, k.hook().label());
            props.put(PacketHook.PRIORITY, k.priority());
            props.put(RoutingInstance.PROPERTY, instance);
            props.put("flowgate.hook.owner", "nft");
            registrations.put(k, context.registerService(PacketHook.class, new NftHook(engine, k.hook(), k.priority()), props));
        }
    }

    @Override
    public synchronized void retainOnly(Set<HookKey> points) {
        for (Iterator<Map.Entry<HookKey, ServiceRegistration<PacketHook>>> it = registrations.entrySet().iterator(); it.hasNext();) {
            Map.Entry<HookKey, ServiceRegistration<PacketHook>> e = it.next();
            if (points.contains(e.getKey())) continue;
            unregister(e.getValue());
            it.remove();
        }
    }

    synchronized void close() {
        registrations.values().forEach(ServiceHookRegistrar::unregister);
        registrations.clear();
    }

    private static void unregister(ServiceRegistration<?> r) {
        try {
            r.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the bundle is stopping
        }
    }
}
