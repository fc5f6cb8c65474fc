package org.flowgate.tc.hook;

import org.flowgate.api.hook.Hook;
import org.flowgate.api.hook.PacketHook;
import org.flowgate.api.hook.Verdict;
import org.flowgate.api.packet.Packet;
import org.flowgate.tc.service.TcEngine;

/**
 * The tc ingress hook ({@code sch_handle_ingress}): runs every frame of a device with filters
 * through the device's block before anything else of the packet path sees it. A frame an offload
 * driver handed up after a miss past its ct stage ({@link Packet#missChain()} &gt;= 0, zone in
 * {@link Packet#ctZone()}) continues at that chain with its conntrack info restored, never from
 * chain 0 (the seed's "HW misses continue in SW from the last chain").
 */
public final class TcIngressHook implements PacketHook {
    /** Runs before the flow table fast path and netfilter-style ingress hooks, as tc ingress does in Linux. */
    public static final int DEFAULT_PRIORITY = -500;
    public static final String NAME = "tc-ingress";

    private final TcEngine engine;

    public TcIngressHook(TcEngine engine) { this.engine = engine; }

    @Override
    public Verdict process(Hook hook, Packet p) {
        int chain = p.missChain();
        if (chain < 0) return engine.process(p);
        p.setMissChain(-1); // consumed: a frame this one becomes (decap, redirect) starts afresh
        return engine.resume(p, chain);
    }

    @Override
    public String toString() { return NAME; }
}
