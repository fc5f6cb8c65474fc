package org.flowgate.testsupport.router;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.flowgate.api.hook.PacketHook;
import org.flowgate.nft.engine.NftEngine;
import org.flowgate.nft.engine.NftEngine.HookKey;
import org.flowgate.packet.hook.HookChains;

/** The nft engine's hook points as PacketHooks in the router (what the nft DS component does with services). */
final class NftHooks implements NftEngine.HookRegistrar {
    private final NftEngine nft;
    private final HookChains hooks;
    private final Map<HookKey, PacketHook> registered = new HashMap<>();

    NftHooks(NftEngine nft, HookChains hooks) {
        this.nft = nft;
        this.hooks = hooks;
    }

    @Override
    public void ensure(Set<HookKey> points) {
        for (HookKey k : points) registered.computeIfAbsent(k, key -> {
            PacketHook h = (hook, p) -> nft.process(key.hook(), key.priority(), p);
            hooks.add(h, key.priority(), key.hook());
            return h;
        });
    }

    @Override
    public void retainOnly(Set<HookKey> points) {
        registered.entrySet().removeIf(e -> {
            if (points.contains(e.getKey())) return false;
            hooks.remove(e.getValue());
            return true;
        });
    }
}
