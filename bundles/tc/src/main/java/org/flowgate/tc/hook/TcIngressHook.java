package org.flowgate.tc.hook;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.packet.Packet;
import org.flowgate.tc.service.TcEngine;

/**
 * The tc ingress hook ({@code sch_handle_ingress}): runs every frame of a device with filters
 * through the device's block before anything else of the packet path sees it.
 */
public final class TcIngressHook implements PacketHook {
    /** Runs before the flow table fast path and netfilter-style ingress hooks, as tc ingress does in Linux. */
    public static final int DEFAULT_PRIORITY = -500;
    public static final String NAME = "tc-ingress";

    private final TcEngine engine;

    public TcIngressHook(TcEngine engine) { this.engine = engine; }

    @Override
    public Verdict process(Hook hook, Packet p) { return engine.process(p); }

    @Override
    public String toString() { return NAME; }
}
