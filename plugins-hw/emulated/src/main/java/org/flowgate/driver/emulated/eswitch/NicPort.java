package org.flowgate.driver.emulated.eswitch;

import org.flowgate.api.net.MacAddress;
import org.flowgate.api.netdev.Port;
import org.flowgate.api.netdev.PortReceiver;
import org.flowgate.api.packet.Packet;

/**
 * A port of the emulated NIC, wrapping the port that carries its frames (a virtual wire, a Linux
 * interface). The router attaches this one: frames arriving from the wire go through the eswitch
 * first; those it forwards never reach the router, the others are handed up unchanged.
 */
public final class NicPort implements Port, PortReceiver {
    private final Eswitch eswitch;
    private final Port wire;
    final int index;
    final long macBits;
    private volatile PortReceiver up;
    volatile boolean dirty;

    NicPort(Eswitch eswitch, Port wire, int index) {
        this.eswitch = eswitch;
        this.wire = wire;
        this.index = index;
        this.macBits = wire.mac().bits();
    }

    public Port wire() { return wire; }

    @Override public String name() { return wire.name(); }
    @Override public MacAddress mac() { return wire.mac(); }
    @Override public int mtu() { return wire.mtu(); }
    @Override public boolean isLinkUp() { return wire.isLinkUp(); }

    @Override
    public void start(PortReceiver receiver) {
        up = receiver;
        wire.start(this);
    }

    @Override
    public void stop() {
        wire.stop();
        up = null;
    }

    @Override
    public boolean send(Packet p) { return wire.send(p); }

    @Override
    public void flush() { wire.flush(); }

    /** The eswitch sends a forwarded frame. */
    boolean transmit(Packet p) {
        dirty = true;
        return wire.send(p);
    }

    // ---- frames from the wire ----

    @Override
    public void receive(Packet p) {
        if (eswitch.process(this, p)) return;
        PortReceiver r = up;
        if (r != null) r.receive(p);
    }

    @Override
    public void endOfBatch() {
        eswitch.flushPorts();
        PortReceiver r = up;
        if (r != null) r.endOfBatch();
    }

    @Override
    public String toString() { return "NicPort[" + name() + " #" + index + "]"; }
}
