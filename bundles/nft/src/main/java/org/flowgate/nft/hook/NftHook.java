package org.flowgate.nft.hook;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.packet.Packet;
import org.flowgate.nft.engine.NftEngine;

/** The PacketHook registered at one (hook, priority) where the ruleset has base chains. */
final class NftHook implements PacketHook {
    private final NftEngine engine;
    private final Hook hook;
    private final int priority;

    NftHook(NftEngine engine, Hook hook, int priority) {
        this.engine = engine;
        this.hook = hook;
        this.priority = priority;
    }

    @Override
    public Verdict process(Hook h, Packet p) {
        return engine.process(hook, priority, p);
    }

    @Override
    public String toString() { return "nft@" + hook.label() + "/" + priority; }
}
