package org.flowgate.nft.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.nft.Frames;
import org.flowgate.nft.engine.NftEngine;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/** The PacketHook services follow the ruleset's base chains, with the properties the packet path reads. */
class ServiceHookRegistrarTest {
    final List<String> log = new ArrayList<>();
    final Map<String, PacketHook> live = new TreeMap<>();

    BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class}, (p, m, args) -> {
            if (!m.getName().equals("registerService")) throw new UnsupportedOperationException(m.getName());
            Dictionary<?, ?> props = (Dictionary<?, ?>) args[2];
            String key = props.get(PacketHook.HOOK) + "/" + props.get(PacketHook.PRIORITY) + "/" + props.get("flowgate.instance");
            log.add("register " + key);
            live.put(key, (PacketHook) args[1]);
            return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ServiceRegistration.class}, (rp, rm, ra) -> {
                if (rm.getName().equals("unregister")) { log.add("unregister " + key); live.remove(key); return null; }
                throw new UnsupportedOperationException(rm.getName());
            });
        });
    }

    @Test
    void registersOneHookPerPointAndUnregistersStaleOnes() throws Exception {
        NftEngine engine = new NftEngine();
        ServiceHookRegistrar r = new ServiceHookRegistrar(context(), engine, "default");
        engine.setRegistrar(r);
        engine.load("""
                table inet a { chain i { type filter hook input priority 0; policy drop; } chain r { type filter hook prerouting priority raw; } }
                table ip b { chain i { type filter hook input priority filter; } }
                """, "x");
        assertEquals(List.of("register prerouting/-300/default", "register input/0/default"), log);
        assertEquals(Verdict.DROP, live.get("input/0/default").process(Hook.INPUT, Frames.udp4("1.1.1.1", "2.2.2.2", 1, 2)));
        log.clear();
        engine.load("table ip b { chain o { type filter hook output priority 10; } }", "y");
        assertEquals("register output/10/default", log.get(0), "new points are registered before the swap");
        assertEquals(List.of("unregister input/0/default", "unregister prerouting/-300/default"), log.subList(1, log.size()).stream().sorted().toList());
        log.clear();
        r.close();
        assertEquals(List.of("unregister output/10/default"), log);
    }
}
